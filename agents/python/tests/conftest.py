"""Shared fixtures: mesh certificates made by the real `meshctl certs init` (so identities match the
Java side), a fake registry over mTLS, agents started in-process, and mTLS client channels."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, Optional

# Tests never export spans over OTLP (the tracing test uses an in-memory exporter).
os.environ["OTEL_TRACES_EXPORTER"] = "none"

import grpc
import pytest

from meshwork.agent.v1 import agent_pb2_grpc
from meshwork_agent import Agent, AgentConfig

from fake_registry import FakeRegistry

ROOT = Path(__file__).resolve().parents[3]
MESHCTL_JAR = Path(os.environ.get("MESHCTL_JAR", ROOT / "cli" / "target" / "meshctl.jar"))


def meshctl(*args: str) -> None:
    if not MESHCTL_JAR.is_file():
        pytest.fail(f"{MESHCTL_JAR} is missing: build it with `mvn -B -o -q -pl cli -am install -DskipTests`")
    java = shutil.which("java") or "java"
    for attempt in range(3):  # the jar may be being rebuilt by a concurrent Maven run
        proc = subprocess.run([java, "-jar", str(MESHCTL_JAR), *args], capture_output=True, text=True, timeout=120)
        if proc.returncode == 0:
            return
        time.sleep(2)
    pytest.fail(f"meshctl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Path:
    """A mesh certificate directory: ca.crt, agent/py-echo, client/dev, registry/registry, ..."""
    d = tmp_path_factory.mktemp("certs")
    meshctl("certs", "init", "--dir", str(d), "--user", "dev")
    return d


@pytest.fixture(scope="session")
def foreign_certs(tmp_path_factory) -> Path:
    """Certificates from another CA: the mesh must reject them."""
    d = tmp_path_factory.mktemp("foreign")
    meshctl("certs", "init", "--dir", str(d), "--user", "dev")
    return d


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def channel(certs: Path, port: int, identity: str = "client/dev", target_host: str = "localhost") -> grpc.Channel:
    kind, name = identity.split("/")
    creds = grpc.ssl_channel_credentials(
        root_certificates=(certs / "ca.crt").read_bytes(),
        private_key=(certs / kind / f"{name}.key").read_bytes(),
        certificate_chain=(certs / kind / f"{name}.crt").read_bytes(),
    )
    return grpc.secure_channel(f"{target_host}:{port}", creds)


def agent_config(certs: Path, name: str, registry: Optional[str] = None, **env: str) -> AgentConfig:
    values: Dict[str, str] = {
        "MESHWORK_CERT_DIR": str(certs),
        "MESHWORK_REGISTRY": registry or "none",
        "MESHWORK_PORT": "0",
    }
    values.update({f"MESHWORK_{k.upper()}": v for k, v in env.items()})
    return AgentConfig.from_env(name, env=values)


@pytest.fixture
def registry(certs):
    fake = FakeRegistry(certs).start()
    yield fake
    fake.stop()


@pytest.fixture
def run_agent(certs):
    """Starts agents (built by a factory) and stops them after the test."""
    started = []

    def start(agent: Agent, registry: Optional[str] = None, span_exporter=None, **env: str) -> Agent:
        agent.start(agent_config(certs, agent.name, registry, **env), span_exporter=span_exporter)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop(grace=0)


@pytest.fixture
def stub_for(certs):
    channels = []

    def make(agent: Agent, identity: str = "client/dev"):
        ch = channel(certs, agent.port, identity)
        channels.append(ch)
        return agent_pb2_grpc.AgentServiceStub(ch)

    yield make
    for ch in channels:
        ch.close()
