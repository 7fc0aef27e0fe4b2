"""Shared fixtures: mesh certificates made by the real `meshctl certs init` (so identities match the
Java side), a fake registry over mTLS, agents started in-process, and mTLS client channels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

# Tests never export spans over OTLP (the tracing test uses an in-memory exporter).
os.environ["OTEL_TRACES_EXPORTER"] = "none"

import grpc
import pytest

from meshwork.agent.v1 import agent_pb2_grpc
from meshwork_agent import Agent, AgentConfig

from fake_registry import FakeRegistry
from support import channel, meshctl, wait_until  # noqa: F401 (re-exported for the tests)


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
