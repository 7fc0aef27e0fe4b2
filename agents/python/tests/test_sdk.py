"""The meshwork_agent SDK: error mapping, call context, streaming, registration and leases against a
fake registry over mTLS, the graceful drain, tracing and configuration."""

from __future__ import annotations

import threading
import time
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from conftest import agent_config, channel, wait_until
from fake_registry import FakeRegistry
from meshwork.agent.v1 import agent_pb2, agent_pb2_grpc
from meshwork.registry.v1 import registry_pb2
from meshwork_agent import (Agent, AgentConfig, Chunk, ConfigError, Progress, Result, details_of, text,
                            texts)
from meshwork_agent.authz import Identity, Policy, parse_policy_file
from meshwork_agent.config import parse_duration

AGENT = "py-echo"  # an identity meshctl certs init creates; the SDK tests give it test skills


def make_agent() -> Agent:
    agent = Agent(AGENT, version="9.9.9", description="SDK test agent")

    @agent.skill("t.fail")
    def fail(ctx, parts):
        raise RuntimeError("secret detail that must not leak")

    @agent.skill("t.wait")
    def wait(ctx, parts):
        ctx.sleep(float(parts[0].text) if parts else 1.0)
        return "done"

    @agent.skill("t.context")
    def context(ctx, parts):
        remaining = ctx.time_remaining()
        return Result([ctx.caller, ctx.idempotency_key, ctx.metadata.get("k", ""), f"{remaining:.0f}"],
                      {"handled-by": "t.context"})

    @agent.skill("t.chunks")
    def chunks(ctx, parts):
        yield Chunk("a")
        yield Progress("half", 0.5)
        yield Chunk(["b"])
        return "c"

    return agent


def call(stub, skill, *parts, timeout=5.0, **kw):
    return stub.Invoke(agent_pb2.InvokeRequest(skill_id=skill, input=[text(p) for p in parts], **kw), timeout=timeout)


# --- calls ------------------------------------------------------------------------------------

def test_handler_exception_is_internal_without_details(run_agent, stub_for):
    agent = run_agent(make_agent())
    with pytest.raises(grpc.RpcError) as e:
        call(stub_for(agent), "t.fail")
    d = details_of(e.value)
    assert d["code"] == grpc.StatusCode.INTERNAL
    assert d["message"] == "skill 't.fail': internal error"
    assert (d["reason"], d["domain"]) == ("INTERNAL", "meshwork.dev")
    assert "secret" not in str(e.value.debug_error_string()) and "Traceback" not in d["message"]


def test_call_context_and_result_metadata(run_agent, stub_for):
    agent = run_agent(make_agent())
    response = call(stub_for(agent, "orchestrator/orchestrator"), "t.context", timeout=30,
                    metadata={"k": "v"}, idempotency_key="run-1/step-a")
    assert texts(response.output) == ["orchestrator/orchestrator", "run-1/step-a", "v", "30"]
    assert dict(response.metadata) == {"handled-by": "t.context"}


def test_chunks_progress_and_result(run_agent, stub_for):
    agent = run_agent(make_agent())
    stub = stub_for(agent)
    events = list(stub.InvokeStream(agent_pb2.InvokeStreamRequest(skill_id="t.chunks"), timeout=5))
    assert [e.WhichOneof("event") for e in events] == ["chunk", "status", "chunk", "result"]
    assert texts(events[-1].result.output) == ["c"]
    assert texts(call(stub, "t.chunks").output) == ["a", "b", "c"]


def test_responses_carry_orca_load_reports(run_agent, stub_for):
    # gRPC core consumes endpoint-load-metrics-bin on the client side (it feeds LB policies), so a
    # Python client cannot read it: look at what the servicer sets. (grpcurl -v shows it on the wire.)
    from meshwork_agent.orca import OrcaLoadReport
    from meshwork_agent.service import AgentServicer

    trailers = []

    class Context:
        def set_trailing_metadata(self, metadata):
            trailers.extend(metadata)

    agent = run_agent(make_agent())
    servicer = AgentServicer(agent.card(), {}, agent.calls)
    agent.calls.enter()
    try:
        servicer._report_load(Context())
    finally:
        agent.calls.exit()
    [(key, value)] = trailers
    assert key == "endpoint-load-metrics-bin"
    report = OrcaLoadReport.FromString(value)
    assert report.application_utilization == pytest.approx(1 / 32)  # one call in flight, of 32
    assert report.rps_fractional >= 0
    # And a real call goes through with the trailer set.
    assert texts(call(stub_for(agent), "t.wait", "0").output) == ["done"]


def test_saturated_agent_answers_resource_exhausted_with_retry_info(run_agent, stub_for):
    agent = run_agent(make_agent(), max_concurrency="1")
    stub = stub_for(agent)
    with futures.ThreadPoolExecutor(1) as pool:
        busy = pool.submit(call, stub, "t.wait", "1")
        assert wait_until(lambda: agent.calls.in_flight == 1)
        with pytest.raises(grpc.RpcError) as e:
            call(stub, "t.wait", "0")
        d = details_of(e.value)
        assert (d["code"], d["reason"]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED")
        assert d["retry_after"] == pytest.approx(0.1)
        assert texts(busy.result().output) == ["done"]


# --- registration -----------------------------------------------------------------------------

def test_registers_and_renews_with_load(registry, run_agent, stub_for):
    agent = run_agent(make_agent(), registry=registry.target, lease_ttl="1500ms")
    assert wait_until(lambda: registry.ok_calls("RegisterAgent"))
    reg = registry.ok_calls("RegisterAgent")[0]
    assert reg.caller == "agent/py-echo"
    assert reg.request.card == agent.card()
    assert (reg.request.endpoint.host, reg.request.endpoint.port) == ("127.0.0.1", agent.port)
    assert reg.request.lease_ttl.ToMilliseconds() == 1500
    assert wait_until(lambda: agent.instance_id == "inst-1")

    stub = stub_for(agent)
    with futures.ThreadPoolExecutor(1) as pool:
        busy = pool.submit(call, stub, "t.wait", "1.2")
        # Renewed every ttl/3 = 0.5 s, reporting the call in flight.
        assert wait_until(lambda: any(c.request.load.in_flight == 1 for c in registry.ok_calls("RenewLease")), timeout=3)
        busy.result()
    renewals = registry.ok_calls("RenewLease")
    assert all(c.request.instance_id == "inst-1" for c in renewals)
    assert all(c.request.health == registry_pb2.HEALTH_STATE_SERVING for c in renewals)
    gaps = [b.time - a.time for a, b in zip(renewals, renewals[1:])]
    assert gaps and all(0.3 < g < 0.9 for g in gaps), gaps


def test_registers_again_after_registry_restart(registry, run_agent):
    agent = run_agent(make_agent(), registry=registry.target, lease_ttl="1500ms")
    assert wait_until(lambda: len(registry.ok_calls("RegisterAgent")) == 1)
    registry.restart()  # forgets everything, like the real one
    assert wait_until(lambda: len(registry.ok_calls("RegisterAgent")) == 2 and registry.instances, timeout=5)
    assert any(c.code == grpc.StatusCode.NOT_FOUND for c in registry.calls_of("RenewLease"))
    assert wait_until(lambda: registry.ok_calls("RenewLease"), timeout=3)
    assert list(registry.instances) == [agent.instance_id]
    assert registry.instances[agent.instance_id].endpoint.port == agent.port


def test_serves_while_registry_is_down_and_registers_when_it_comes_up(run_agent, stub_for, certs):
    registry = FakeRegistry(certs).start()
    registry.stop()  # keeps its port number, now closed
    try:
        agent = run_agent(make_agent(), registry=registry.target, lease_ttl="1500ms")
        time.sleep(0.5)
        assert texts(call(stub_for(agent), "t.wait", "0").output) == ["done"]
        assert agent.instance_id is None
        registry.start()
        assert wait_until(lambda: registry.ok_calls("RegisterAgent"), timeout=5)
        assert wait_until(lambda: agent.instance_id is not None)
    finally:
        registry.stop()


def test_registration_refused_for_another_name(registry, run_agent, certs):
    # The identity is agent/py-echo but the card says "other": the registry refuses, the agent serves.
    agent = Agent("other")
    agent.skill("t.x")(lambda ctx, parts: parts)
    config = agent_config(certs, "other", registry.target, tls_cert=str(certs / "agent/py-echo.crt"),
                          tls_key=str(certs / "agent/py-echo.key"), lease_ttl="1500ms")
    agent.start(config)
    try:
        assert wait_until(lambda: registry.calls_of("RegisterAgent"))
        assert registry.calls_of("RegisterAgent")[0].code == grpc.StatusCode.PERMISSION_DENIED
        assert agent.instance_id is None
    finally:
        agent.stop(grace=0)


# --- drain ------------------------------------------------------------------------------------

def test_drain_deregisters_first_then_not_serving_and_finishes_in_flight_calls(registry, run_agent, stub_for, certs):
    agent = run_agent(make_agent(), registry=registry.target, lease_ttl="1500ms")
    assert wait_until(lambda: agent.instance_id is not None)
    stub = stub_for(agent)

    seen = []  # (time, status) of the health watch
    watch_channel = channel(certs, agent.port)
    watch = health_pb2_grpc.HealthStub(watch_channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=20)

    def watch_health():
        try:
            for update in watch:
                seen.append((time.monotonic(), update.status))
        except grpc.RpcError:
            pass

    watcher = threading.Thread(target=watch_health, daemon=True)
    watcher.start()
    assert wait_until(lambda: seen and seen[-1][1] == health_pb2.HealthCheckResponse.SERVING)

    with futures.ThreadPoolExecutor(2) as pool:
        in_flight = pool.submit(call, stub, "t.wait", "1.0")
        assert wait_until(lambda: agent.calls.in_flight == 1)
        started = time.monotonic()
        stopping = pool.submit(agent.stop, 10)
        assert wait_until(lambda: registry.ok_calls("DeregisterAgent"))
        assert wait_until(lambda: seen[-1][1] == health_pb2.HealthCheckResponse.NOT_SERVING)
        # New calls are refused while the in-flight one finishes.
        with pytest.raises(grpc.RpcError) as e:
            call(stub, "t.wait", "0")
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert texts(in_flight.result().output) == ["done"]
        stopping.result(timeout=10)
        took = time.monotonic() - started
    deregistered = registry.ok_calls("DeregisterAgent")[0]
    not_serving = next(t for t, s in seen if s == health_pb2.HealthCheckResponse.NOT_SERVING)
    assert deregistered.request.instance_id == "inst-1"
    assert deregistered.time < not_serving
    assert took < 3.0  # it waited for the call, not for the 10 s grace period
    watcher.join(timeout=5)
    watch_channel.close()


def test_drain_cancels_calls_past_the_grace_period(run_agent, stub_for):
    agent = run_agent(make_agent())
    stub = stub_for(agent)
    with futures.ThreadPoolExecutor(1) as pool:
        long_call = pool.submit(call, stub, "t.wait", "30", timeout=60)
        assert wait_until(lambda: agent.calls.in_flight == 1)
        started = time.monotonic()
        agent.stop(grace=0.5)
        assert time.monotonic() - started < 3.0
        with pytest.raises(grpc.RpcError) as e:
            long_call.result(timeout=10)
        assert e.value.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE)


# --- tracing ----------------------------------------------------------------------------------

def test_server_span_continues_the_callers_w3c_trace(run_agent, stub_for):
    exporter = InMemorySpanExporter()
    agent = run_agent(make_agent(), span_exporter=exporter)
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    stub = stub_for(agent)
    stub.Invoke(agent_pb2.InvokeRequest(skill_id="t.wait", input=[text("0")]), timeout=5,
                metadata=[("traceparent", f"00-{trace_id}-{parent_id}-01")])
    health_pb2_grpc.HealthStub(channel(agent.config.tls.ca.parent, agent.port)).Check(
        health_pb2.HealthCheckRequest(), timeout=5)
    agent._tracer_provider.force_flush()
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["/meshwork.agent.v1.AgentService/Invoke"]  # health is not traced
    span = spans[0]
    assert span.kind == SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == trace_id
    assert format(span.parent.span_id, "016x") == parent_id
    assert span.resource.attributes["service.name"] == AGENT


# --- configuration ----------------------------------------------------------------------------

def test_config_defaults_and_overrides(certs):
    config = AgentConfig.from_env(AGENT, 7021, env={"MESHWORK_CERT_DIR": str(certs)})
    assert (config.registry, config.host, config.port, config.advertise_host) == ("localhost:7001", "127.0.0.1", 7021, "127.0.0.1")
    assert (config.lease_ttl, config.grace_period, config.insecure) == (15.0, 20.0, False)
    assert config.tls.cert == certs / "agent" / "py-echo.crt" and config.tls.ca == certs / "ca.crt"
    config = AgentConfig.from_env(AGENT, env={
        "MESHWORK_DATA_DIR": str(certs.parent), "MESHWORK_TLS_CERT": str(certs / "agent/py-echo.crt"),
        "MESHWORK_TLS_KEY": str(certs / "agent/py-echo.key"), "MESHWORK_TLS_CA": str(certs / "ca.crt"),
        "MESHWORK_HOST": "0.0.0.0", "MESHWORK_PORT": "0", "MESHWORK_GRACE_PERIOD": "1500ms",
        "MESHWORK_REGISTRY": "none"})
    assert (config.registry, config.advertise_host, config.port, config.grace_period) == (None, "127.0.0.1", 0, 1.5)


@pytest.mark.parametrize("name,value,expected", [
    ("MESHWORK_PORT", "70000", "MESHWORK_PORT: '70000' (expected: integer 0..65535)"),
    ("MESHWORK_INSECURE", "maybe", "MESHWORK_INSECURE: 'maybe' (expected: true or false)"),
    ("MESHWORK_LEASE_TTL", "15", "MESHWORK_LEASE_TTL: '15' (expected: duration like 30s, 1s..600s)"),
    ("MESHWORK_IDENTITY", "agent/other", "MESHWORK_IDENTITY: 'agent/other' (expected: agent/py-echo, the identity of agent py-echo)"),
])
def test_config_bad_values_fail_fast(certs, name, value, expected):
    with pytest.raises(ConfigError) as e:
        AgentConfig.from_env(AGENT, env={"MESHWORK_CERT_DIR": str(certs), name: value})
    assert str(e.value) == expected


def test_config_missing_certificates_say_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match=r"MESHWORK_TLS_CERT: '.*/agent/py-echo.crt' is not a readable file \(run `meshctl certs issue agent/py-echo`"):
        AgentConfig.from_env(AGENT, env={"MESHWORK_CERT_DIR": str(tmp_path)})
    assert AgentConfig.from_env(AGENT, env={"MESHWORK_CERT_DIR": str(tmp_path), "MESHWORK_INSECURE": "true"}).tls is None


def test_insecure_dev_mode_serves_plaintext(run_agent, tmp_path):
    agent = run_agent(make_agent(), insecure="true", cert_dir=str(tmp_path))
    with grpc.insecure_channel(f"127.0.0.1:{agent.port}") as ch:
        assert texts(call(agent_pb2_grpc.AgentServiceStub(ch), "t.wait", "0").output) == ["done"]


def test_durations_and_policy_rules(tmp_path):
    assert [parse_duration(s) for s in ("500ms", "15s", "2m", "1h", "15", "1.5s")] == [0.5, 15, 120, 3600, None, None]
    policy = Policy.agent_default()
    who = lambda s: Identity.parse(f"spiffe://meshwork.local/{s}")
    assert policy.allows("meshwork.agent.v1.AgentService/Invoke", who("orchestrator/orchestrator"))
    assert policy.allows("grpc.health.v1.Health/Check", who("registry/registry"))
    assert not policy.allows("meshwork.agent.v1.AgentService/Invoke", who("registry/registry"))
    bad = tmp_path / "bad.txt"
    bad.write_text("allow meshwork.agent.v1.AgentService/* nobody\n")
    with pytest.raises(ConfigError, match=r"bad.txt:1: identity: 'nobody'"):
        parse_policy_file(bad)
    assert Identity.parse("spiffe://meshwork.local/agent/x/y") is None
