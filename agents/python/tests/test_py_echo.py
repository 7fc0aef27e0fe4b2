"""The py-echo agent over real mTLS: the conformance checks every Meshwork agent passes (card
served, invoke ok, invalid input, deadline, cancellation, health, reflection, authorization)."""

from __future__ import annotations

import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from conftest import channel, wait_until
from meshwork.agent.v1 import agent_pb2
from meshwork_agent import as_dict, data, details_of, file, text
from py_echo.agent import count_words, create_agent, slow_params


@pytest.fixture
def echo(run_agent):
    return run_agent(create_agent())


def invoke(stub, skill, *parts, timeout=5.0):
    return stub.Invoke(agent_pb2.InvokeRequest(skill_id=skill, input=list(parts)), timeout=timeout)


# --- pure skill logic -------------------------------------------------------------------------

def test_count_words():
    assert count_words(["the quick  brown\nfox", "", "x"]) == {"words": 5, "per_part": [4, 0, 1]}


def test_slow_params_defaults_and_validation():
    from meshwork_agent import InvalidInput

    assert slow_params([]) == {"steps": 10, "delay_ms": 200}
    assert slow_params([text("3")]) == {"steps": 3, "delay_ms": 200}
    assert slow_params([data({"steps": 2, "delay_ms": 5})]) == {"steps": 2, "delay_ms": 5}
    with pytest.raises(InvalidInput) as e:
        slow_params([data({"steps": 0, "delay_ms": "x", "other": 1})])
    fields = [f for f, _ in e.value.violations]
    assert fields == ["input[0].data.other", "input[0].data.steps", "input[0].data.delay_ms"]


# --- conformance ------------------------------------------------------------------------------

def test_card_served(echo, stub_for):
    card = stub_for(echo).GetAgentCard(agent_pb2.GetAgentCardRequest(), timeout=5).card
    assert card.name == "py-echo"
    assert [s.id for s in card.skills] == ["py.echo", "py.wordcount", "py.slow"]
    assert all(s.description for s in card.skills)
    assert card.labels["language"] == "python"


def test_invoke_echo_returns_input(echo, stub_for):
    parts = [text("hello"), data({"a": 1, "b": [True, "x"]}), file(b"\x00\x01", "f.bin")]
    response = invoke(stub_for(echo), "py.echo", *parts)
    assert list(response.output) == parts


def test_invoke_wordcount(echo, stub_for):
    response = invoke(stub_for(echo), "py.wordcount", text("one two three"), data({"ignored": 1}), text("four"))
    assert as_dict(response.output[0]) == {"words": 4.0, "per_part": [3.0, 1.0]}


def test_unknown_skill_is_invalid_argument_with_details(echo, stub_for):
    with pytest.raises(grpc.RpcError) as e:
        invoke(stub_for(echo), "no.such.skill", text("x"))
    d = details_of(e.value)
    assert d["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert (d["reason"], d["domain"]) == ("UNKNOWN_SKILL", "meshwork.dev")
    assert d["violations"][0][0] == "skill_id"
    assert "py.echo" in d["violations"][0][1]


def test_invalid_input_is_invalid_argument_with_field_violations(echo, stub_for):
    stub = stub_for(echo)
    for skill, parts, field in [
        ("py.echo", [], "input"),
        ("py.wordcount", [data({"x": 1})], "input"),
        ("py.slow", [data({"steps": 5000})], "input[0].data.steps"),
    ]:
        with pytest.raises(grpc.RpcError) as e:
            invoke(stub, skill, *parts)
        d = details_of(e.value)
        assert d["code"] == grpc.StatusCode.INVALID_ARGUMENT, skill
        assert (d["reason"], d["domain"]) == ("INVALID_ARGUMENT", "meshwork.dev")
        assert d["violations"][0][0] == field


def test_stream_sends_progress_then_one_result_last(echo, stub_for):
    events = list(stub_for(echo).InvokeStream(
        agent_pb2.InvokeStreamRequest(skill_id="py.slow", input=[data({"steps": 3, "delay_ms": 10})]), timeout=5))
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds == ["status", "status", "status", "result"]
    assert [e.status.progress for e in events[:3]] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert as_dict(events[-1].result.output[0]) == {"steps": 3.0, "done": True}


def test_unary_invoke_of_streaming_skill_and_stream_of_unary_skill(echo, stub_for):
    stub = stub_for(echo)
    assert as_dict(invoke(stub, "py.slow", data({"steps": 2, "delay_ms": 1})).output[0])["done"] is True
    events = list(stub.InvokeStream(agent_pb2.InvokeStreamRequest(skill_id="py.echo", input=[text("hi")]), timeout=5))
    assert [e.WhichOneof("event") for e in events] == ["result"]
    assert events[0].result.output[0].text == "hi"


def test_deadline_respected_and_work_stops(echo, stub_for):
    stub = stub_for(echo)
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as e:
        invoke(stub, "py.slow", data({"steps": 100, "delay_ms": 100}), timeout=0.5)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 2.0
    # The handler noticed and stopped (it does not run its 10 s to the end).
    assert wait_until(lambda: echo.calls.in_flight == 0 and echo.calls.cancelled == 1, timeout=1.0)


def test_cancellation_observed(echo, stub_for):
    stub = stub_for(echo)
    call = stub.InvokeStream(agent_pb2.InvokeStreamRequest(
        skill_id="py.slow", input=[data({"steps": 100, "delay_ms": 100})]), timeout=30)
    first = next(call)
    assert first.status.message == "step 1/100"
    assert echo.calls.in_flight == 1
    call.cancel()
    assert wait_until(lambda: echo.calls.in_flight == 0 and echo.calls.cancelled == 1, timeout=1.0)


def test_health_and_reflection(echo, certs):
    ch = channel(certs, echo.port)
    health = health_pb2_grpc.HealthStub(ch)
    for service in ("", "meshwork.agent.v1.AgentService"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
    responses = reflection_pb2_grpc.ServerReflectionStub(ch).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"meshwork.agent.v1.AgentService", "grpc.health.v1.Health"} <= names
    ch.close()


@pytest.mark.parametrize("identity", ["client/dev", "orchestrator/orchestrator", "agent/py-echo"])
def test_allowed_identities(echo, stub_for, identity):
    assert invoke(stub_for(echo, identity), "py.echo", text("x")).output[0].text == "x"


@pytest.mark.parametrize("identity", ["registry/registry", "gateway/gateway"])
def test_other_identities_denied(echo, stub_for, identity):
    with pytest.raises(grpc.RpcError) as e:
        invoke(stub_for(echo, identity), "py.echo", text("x"))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Health stays open to every mesh identity.


def test_client_without_certificate_or_from_another_ca_rejected(echo, certs, foreign_certs):
    plain_tls = grpc.secure_channel(
        f"localhost:{echo.port}", grpc.ssl_channel_credentials(root_certificates=(certs / "ca.crt").read_bytes()))
    foreign = channel(foreign_certs, echo.port)
    foreign = grpc.secure_channel(f"localhost:{echo.port}", grpc.ssl_channel_credentials(
        root_certificates=(certs / "ca.crt").read_bytes(),
        private_key=(foreign_certs / "client/dev.key").read_bytes(),
        certificate_chain=(foreign_certs / "client/dev.crt").read_bytes()))
    for ch in (plain_tls, foreign):
        with pytest.raises(grpc.RpcError) as e:
            health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=3)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        ch.close()


def test_policy_file_overrides_defaults(run_agent, stub_for, tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("# only the orchestrator\ndeny meshwork.agent.v1.AgentService/* client/*\n")
    agent = run_agent(create_agent(), policy_file=str(policy))
    with pytest.raises(grpc.RpcError) as e:
        invoke(stub_for(agent, "client/dev"), "py.echo", text("x"))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert invoke(stub_for(agent, "orchestrator/orchestrator"), "py.echo", text("x")).output[0].text == "x"
