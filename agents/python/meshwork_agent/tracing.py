"""OpenTelemetry for agents: a tracer provider configured from the standard ``OTEL_*`` variables,
with ``service.name`` = the agent's name (unless OTEL_SERVICE_NAME says otherwise) and an OTLP/gRPC
exporter to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, default ``http://127.0.0.1:4317`` (Jaeger v2).
The server interceptor continues the caller's W3C trace context on AgentService calls.

``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none`` turns exporting off. Without a collector
listening the agent runs as usual; export failures are logged at most once a minute.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Mapping, Optional

from opentelemetry import trace
from opentelemetry.instrumentation.grpc import filters, server_interceptor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

DEFAULT_ENDPOINT = "http://127.0.0.1:4317"


class _RateLimit(logging.Filter):
    """Lets one record through per interval (the exporter logs every failed batch otherwise)."""

    def __init__(self, interval: float = 60.0):
        super().__init__()
        self.interval = interval
        self.last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.last < self.interval:
            return False
        self.last = now
        return True


def _exporting(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() not in ("none", "")


def create_tracer_provider(
    agent_name: str,
    env: Optional[Mapping[str, str]] = None,
    exporter: Optional[SpanExporter] = None,
) -> TracerProvider:
    """A tracer provider for agent ``agent_name``; ``exporter`` replaces OTLP (tests)."""
    env = os.environ if env is None else env
    attributes = {} if env.get("OTEL_SERVICE_NAME") else {"service.name": agent_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter is None and _exporting(env):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or DEFAULT_ENDPOINT
        exporter = OTLPSpanExporter(endpoint=endpoint)
        for name in ("opentelemetry.exporter.otlp.proto.grpc.exporter", "opentelemetry.sdk.trace.export"):
            logging.getLogger(name).addFilter(_RateLimit())
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def install_global(provider: TracerProvider) -> None:
    """Makes ``provider`` the global one (for handlers' own spans), if none was set yet."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)


def agent_server_interceptor(provider: TracerProvider):
    """The gRPC server interceptor that traces AgentService calls (health checks and reflection are
    left out: they would flood the trace store)."""
    return server_interceptor(
        tracer_provider=provider, filter_=filters.service_prefix("meshwork.")
    )


class TraceIdFilter(logging.Filter):
    """Adds ``trace_id`` (of the current span, or ``-``) to log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else "-"
        return True
