"""meshwork_agent: a small SDK for Meshwork agents written in Python.

An agent declares skills and calls ``run()``; the SDK serves ``meshwork.agent.v1.AgentService`` over
mTLS with the agent's ``agent/<name>`` identity, checks callers against the authorization policy,
serves grpc.health.v1 and server reflection, registers with the registry and renews its lease,
traces calls with OpenTelemetry (continuing the caller's W3C trace context), maps failures to gRPC
statuses with google.rpc error details, and drains gracefully on SIGTERM. Configuration comes from
MESHWORK_* and OTEL_* environment variables (see config.py and tracing.py).

The gRPC stubs it uses (package ``meshwork``) are generated from the repository's proto/ by
agents/python/build.sh.
"""

from .agent import Agent
from .config import AgentConfig, ConfigError
from .errors import CallEnded, InvalidInput, MeshError, details_of
from .parts import as_dict, data, file, kind, text, texts, to_parts
from .skills import CallContext, Chunk, Progress, Result, SkillSpec

__all__ = [
    "Agent", "AgentConfig", "ConfigError", "CallEnded", "InvalidInput", "MeshError", "details_of",
    "as_dict", "data", "file", "kind", "text", "texts", "to_parts",
    "CallContext", "Chunk", "Progress", "Result", "SkillSpec",
]
