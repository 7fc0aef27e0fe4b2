"""The conformance checks every Meshwork agent passes, whatever its language, written once and run
against real agent processes: black-box, over mTLS, with a fake registry that records what the agent
tells it (its load shows whether a cancelled call's work really stopped).

Agents under test: py-echo, go-echo and java-echo (build them first: agents/python/conformance.sh
does), plus any listed in MESHWORK_CONFORMANCE_AGENTS, a JSON list of
``{"name": "my-agent", "command": ["java", "-jar", "my-agent/target/my-agent.jar"], "echo":
"my.echo", "slow": "my.slow"}`` (relative paths are resolved against the repository root). Each
runs as identity agent/<name>; meshctl issues the certificate when ``certs init`` has none.

Besides the agent's own checks, one test runs it with OTLP export to a fake collector and checks that
its server span continues the caller's W3C trace, under its own service.name.

The profile an agent follows to be checked: it reads MESHWORK_REGISTRY, MESHWORK_CERT_DIR,
MESHWORK_PORT (0: any free port), MESHWORK_LEASE_TTL and MESHWORK_GRACE_PERIOD; its ``echo`` skill
returns its input and rejects an empty input with INVALID_ARGUMENT; its ``slow`` skill takes a data
part ``{"steps": n, "delay_ms": d}``, streams a status update per step and stops when the call is
cancelled or its deadline passes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import List, Optional

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from fake_registry import FakeRegistry
from meshwork.agent.v1 import agent_pb2, agent_pb2_grpc
from meshwork_agent import data, details_of, text
from support import ROOT, channel, meshctl, wait_until

LEASE_TTL = 1.5  # seconds; renewals every 0.5 s
JAVA_ECHO_JAR = ROOT / "agents/echo/target/meshwork-agent-echo.jar"


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    command: List[str]
    echo: str
    slow: str


def targets() -> List[Target]:
    out = [
        Target("py-echo", [sys.executable, "-m", "py_echo"], "py.echo", "py.slow"),
        Target("go-echo", [str(ROOT / "agents/go/bin/go-echo")], "go.echo", "go.slow"),
        Target("java-echo", [shutil.which("java") or "java", "-jar", str(JAVA_ECHO_JAR)], "java.echo", "java.slow"),
    ]
    for t in json.loads(os.environ.get("MESHWORK_CONFORMANCE_AGENTS", "[]")):
        command = [str(ROOT / c) if (ROOT / c).exists() else c for c in t["command"]]
        out.append(Target(t["name"], command, t["echo"], t["slow"]))
    return out


class AgentProcess:
    """An agent process registered with a fake registry."""

    def __init__(self, target: Target, certs: Path, log_dir: Path, **extra_env: str):
        missing = [c for c in target.command if c.endswith(".jar") and not Path(c).is_file()]
        if missing:
            pytest.fail(f"{target.name}: {missing[0]} is missing: build it with agents/python/conformance.sh")
        self.target = target
        self.certs = certs
        self.registry = FakeRegistry(certs).start()
        env = dict(os.environ)
        env.update({
            "MESHWORK_CERT_DIR": str(certs), "MESHWORK_REGISTRY": self.registry.target, "MESHWORK_PORT": "0",
            "MESHWORK_LEASE_TTL": f"{int(LEASE_TTL * 1000)}ms", "MESHWORK_GRACE_PERIOD": "10s",
            "OTEL_TRACES_EXPORTER": "none",
        })
        env.update(extra_env)
        self.log = log_dir / f"{target.name}.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(target.command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log_dir)
        if not wait_until(lambda: self.registry.ok_calls("RegisterAgent") or self.proc.poll() is not None, timeout=60):
            self.stop()
            pytest.fail(f"{target.name} did not register:\n{self.logs()}")
        if self.proc.poll() is not None:
            pytest.fail(f"{target.name} exited with {self.proc.returncode}:\n{self.logs()}")
        self.registration = self.registry.ok_calls("RegisterAgent")[0].request
        self.port = self.registration.endpoint.port
        self.channel = channel(certs, self.port)
        self.stub = agent_pb2_grpc.AgentServiceStub(self.channel)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def renewal_in_flight_after(self, since: float, condition) -> bool:
        """Waits for a lease renewal sent after ``since`` whose in_flight satisfies ``condition``."""
        ttl = self.registration.lease_ttl.ToMilliseconds() / 1000 or 15
        return wait_until(lambda: any(
            c.time > since and condition(c.request.load.in_flight) for c in self.registry.ok_calls("RenewLease")),
            timeout=ttl + 2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "channel"):
            self.channel.close()
        self.registry.stop()


@pytest.fixture(scope="session")
def agent_certs(certs) -> Path:
    """The mesh certificates plus an agent/<name> one for every agent under test that ``meshctl
    certs init`` does not create (agents from MESHWORK_CONFORMANCE_AGENTS)."""
    for target in targets():
        if not (certs / "agent" / f"{target.name}.crt").is_file():
            meshctl("certs", "issue", f"agent/{target.name}", "--dir", str(certs))
    return certs


@pytest.fixture(scope="module", params=targets(), ids=lambda t: t.name)
def agent(request, agent_certs, tmp_path_factory):
    process = AgentProcess(request.param, agent_certs, tmp_path_factory.mktemp(request.param.name))
    yield process
    process.stop()


@pytest.fixture(params=targets(), ids=lambda t: t.name)
def fresh_agent(request, agent_certs, tmp_path):
    process = AgentProcess(request.param, agent_certs, tmp_path)
    yield process
    process.stop()


def slow_input(steps: int, delay_ms: int):
    return [data({"steps": steps, "delay_ms": delay_ms})]


# --- checks -----------------------------------------------------------------------------------

def test_registers_under_its_identity_and_renews_its_lease(agent):
    first = agent.registry.ok_calls("RegisterAgent")[0]
    assert first.caller == f"agent/{agent.target.name}"
    assert first.request.card.name == agent.target.name
    assert {agent.target.echo, agent.target.slow} <= {s.id for s in first.request.card.skills}
    assert first.request.endpoint.host == "127.0.0.1" and first.request.endpoint.port > 0
    assert wait_until(lambda: len(agent.registry.ok_calls("RenewLease")) >= 2, timeout=2 * LEASE_TTL + 2)
    for renewal in agent.registry.ok_calls("RenewLease"):
        assert renewal.request.instance_id == "inst-1"


def test_card_served(agent):
    card = agent.stub.GetAgentCard(agent_pb2.GetAgentCardRequest(), timeout=5).card
    assert card == agent.registration.card


def test_invoke_ok(agent):
    parts = [text("hello"), data({"n": 1, "list": ["a", True]})]
    response = agent.stub.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.echo, input=parts), timeout=5)
    assert list(response.output) == parts


def test_unknown_skill_and_invalid_input_are_invalid_argument_with_details(agent):
    for skill, parts in (("no.such.skill", [text("x")]), (agent.target.echo, [])):
        with pytest.raises(grpc.RpcError) as e:
            agent.stub.Invoke(agent_pb2.InvokeRequest(skill_id=skill, input=parts), timeout=5)
        d = details_of(e.value)
        assert d["code"] == grpc.StatusCode.INVALID_ARGUMENT, skill
        assert d["domain"] == "meshwork.dev" and d["reason"], skill
        assert d["violations"] and all(field for field, _ in d["violations"]), skill


def test_deadline_respected(agent):
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as e:
        agent.stub.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.slow, input=slow_input(100, 100)), timeout=0.5)
    elapsed = time.monotonic() - started
    # The client's deadline timer and the server's enforcement of the same deadline race: grpc-go
    # resets the stream (RST_STREAM CANCEL) when the deadline it was sent passes, and when that
    # arrives first grpcio reports CANCELLED. Either way the call ended at its deadline, not before
    # and not after, which is what a caller relies on.
    assert e.value.code() in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)
    assert 0.4 < elapsed < 2.0, elapsed
    # The work stopped: the agent reports nothing in flight (instead of running its 10 s).
    assert agent.renewal_in_flight_after(time.monotonic() + 0.1, lambda n: n == 0)


def test_cancellation_observed(agent):
    call = agent.stub.InvokeStream(
        agent_pb2.InvokeStreamRequest(skill_id=agent.target.slow, input=slow_input(200, 100)), timeout=60)
    first = next(call)
    assert first.WhichOneof("event") == "status"
    assert agent.renewal_in_flight_after(time.monotonic(), lambda n: n >= 1)
    call.cancel()
    cancelled = time.monotonic() + 0.1
    assert agent.renewal_in_flight_after(cancelled, lambda n: n == 0), agent.logs()


def test_stream_ends_with_one_result(agent):
    events = list(agent.stub.InvokeStream(
        agent_pb2.InvokeStreamRequest(skill_id=agent.target.slow, input=slow_input(3, 10)), timeout=10))
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds.count("result") == 1 and kinds[-1] == "result" and kinds.count("status") >= 3


def test_health_and_reflection(agent):
    health = health_pb2_grpc.HealthStub(agent.channel)
    for service in ("", "meshwork.agent.v1.AgentService"):
        status = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status
        assert status == health_pb2.HealthCheckResponse.SERVING
    assert "meshwork.agent.v1.AgentService" in reflected_services(agent.channel)


def reflected_services(ch: grpc.Channel) -> set:
    """The services listed by server reflection, v1 or else v1alpha, the way grpcurl asks: grpc-java
    serves v1, grpcio-reflection only v1alpha (whose messages are the same, hence one set of stubs)."""
    for version in ("v1", "v1alpha"):
        info = ch.stream_stream(f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
                                request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        try:
            responses = list(info(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5))
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.UNIMPLEMENTED:
                continue
            raise
        return {s.name for r in responses for s in r.list_services_response.service}
    return set()


def test_callers_need_a_mesh_identity_the_policy_allows(agent):
    denied = agent_pb2_grpc.AgentServiceStub(channel(agent.certs, agent.port, "registry/registry"))
    with pytest.raises(grpc.RpcError) as e:
        denied.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.echo, input=[text("x")]), timeout=5)
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    allowed = agent_pb2_grpc.AgentServiceStub(channel(agent.certs, agent.port, "orchestrator/orchestrator"))
    assert allowed.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.echo, input=[text("x")]), timeout=5).output[0].text == "x"


def test_drain_on_sigterm(fresh_agent):
    agent = fresh_agent
    seen = []
    watch = health_pb2_grpc.HealthStub(agent.channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)

    def watch_health():
        try:
            for update in watch:
                seen.append((time.monotonic(), update.status))
        except grpc.RpcError:
            pass

    threading.Thread(target=watch_health, daemon=True).start()
    assert wait_until(lambda: seen and seen[-1][1] == health_pb2.HealthCheckResponse.SERVING)
    result: List[Optional[object]] = []
    caller = threading.Thread(target=lambda: result.append(_invoke_or_error(agent, slow_input(10, 100))))
    caller.start()
    assert agent.renewal_in_flight_after(time.monotonic(), lambda n: n >= 1)
    agent.proc.send_signal(signal.SIGTERM)
    assert wait_until(lambda: seen[-1][1] == health_pb2.HealthCheckResponse.NOT_SERVING, timeout=5), agent.logs()
    caller.join(timeout=15)
    assert isinstance(result[0], agent_pb2.InvokeResponse), f"in-flight call failed during drain: {result[0]}"
    assert agent.proc.wait(timeout=15) == 0, agent.logs()
    deregistered = agent.registry.ok_calls("DeregisterAgent")
    assert len(deregistered) == 1 and not agent.registry.instances
    not_serving = next(t for t, s in seen if s == health_pb2.HealthCheckResponse.NOT_SERVING)
    assert deregistered[0].time < not_serving


def _invoke_or_error(agent, parts):
    try:
        return agent.stub.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.slow, input=parts), timeout=20)
    except grpc.RpcError as e:
        return e


class FakeCollector(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace collector (plaintext, like Jaeger's default receiver) keeping every span."""

    def __init__(self):
        self.spans = []  # (service.name, span)
        self._lock = threading.Lock()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=[("grpc.so_reuseport", 0)])
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def Export(self, request, context):
        with self._lock:
            for rs in request.resource_spans:
                service = next((a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), "")
                for ss in rs.scope_spans:
                    self.spans.extend((service, span) for span in ss.spans)
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture(params=targets(), ids=lambda t: t.name)
def traced_agent(request, agent_certs, tmp_path):
    collector = FakeCollector()
    process = AgentProcess(request.param, agent_certs, tmp_path, OTEL_TRACES_EXPORTER="otlp",
                           OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.port}",
                           OTEL_BSP_SCHEDULE_DELAY="100")
    yield process, collector
    process.stop()
    collector.server.stop(0)


def test_server_span_exported_over_otlp_continues_the_callers_trace(traced_agent):
    agent, collector = traced_agent
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    agent.stub.Invoke(agent_pb2.InvokeRequest(skill_id=agent.target.echo, input=[text("x")]), timeout=5,
                      metadata=[("traceparent", f"00-{trace_id}-{parent_id}-01")])
    ours = lambda: [(svc, s) for svc, s in collector.spans if s.trace_id.hex() == trace_id]
    assert wait_until(lambda: ours(), timeout=10), agent.logs()
    [(service, span)] = ours()
    assert service == agent.target.name
    assert span.parent_span_id.hex() == parent_id
    assert span.kind == span.SPAN_KIND_SERVER
    assert span.name.endswith("meshwork.agent.v1.AgentService/Invoke")
