"""py-echo as the launcher runs it: `python -m py_echo` as a process configured by environment,
registering with the registry, serving, and draining on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import channel, wait_until
from meshwork.agent.v1 import agent_pb2, agent_pb2_grpc
from meshwork_agent import text

HERE = Path(__file__).resolve().parents[1]


def test_process_registers_serves_and_drains_on_sigterm(certs, registry, tmp_path):
    env = dict(os.environ)
    env.update({
        "MESHWORK_CERT_DIR": str(certs),
        "MESHWORK_REGISTRY": registry.target,
        "MESHWORK_PORT": "0",
        "MESHWORK_LEASE_TTL": "3s",
        "MESHWORK_GRACE_PERIOD": "5s",
        "OTEL_TRACES_EXPORTER": "otlp",  # with no collector listening: must not matter
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
        "PYTHONPATH": f"{HERE}{os.pathsep}{HERE / 'gen'}",
    })
    log = tmp_path / "py-echo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "py_echo"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=tmp_path)
    try:
        assert wait_until(lambda: registry.ok_calls("RegisterAgent"), timeout=20), log.read_text()
        port = registry.ok_calls("RegisterAgent")[0].request.endpoint.port
        ch = channel(certs, port)
        stub = agent_pb2_grpc.AgentServiceStub(ch)
        # Traced calls (the exporter has nowhere to go) still succeed.
        for _ in range(3):
            response = stub.Invoke(agent_pb2.InvokeRequest(skill_id="py.echo", input=[text("hi")]), timeout=5)
            assert response.output[0].text == "hi"
        ch.close()
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        # Idle, it stops at once: an unreachable trace collector does not hold the exit.
        assert time.monotonic() - signalled < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert registry.ok_calls("DeregisterAgent"), log.read_text()
    assert not registry.instances
    output = log.read_text()
    assert "registered py-echo at 127.0.0.1:" in output and "stopped" in output
    assert "Traceback" not in output, output
