"""``Agent``: declare skills, then ``run()`` — the SDK does mTLS, authorization, health, reflection,
tracing, registration with lease renewal, and the graceful drain on SIGTERM.

    agent = Agent("py-echo", version="0.1.0", description="Echoes things")

    @agent.skill("py.echo", description="Returns its input")
    def echo(ctx, parts):
        return parts

    agent.run()

Shutdown order (SIGTERM/SIGINT, or ``stop()``): deregister from the registry first (so clients stop
picking this instance), then health NOT_SERVING, then refuse new AgentService calls and let those in
flight finish within the grace period (MESHWORK_GRACE_PERIOD), then stop the server.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from concurrent import futures
from typing import Callable, Dict, List, Mapping, Optional, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from meshwork.agent.v1 import agent_pb2, agent_pb2_grpc
from meshwork.common.v1 import common_pb2

from . import tls as tls_mod
from . import tracing
from .authz import Policy, peer_identity
from .config import AgentConfig
from .registration import Registration
from .service import AgentServicer, Calls
from .skills import SkillSpec

log = logging.getLogger("meshwork_agent")

AGENT_SERVICE = agent_pb2.DESCRIPTOR.services_by_name["AgentService"].full_name

# Threads beyond the AgentService limit, for health checks (a Watch holds a thread), reflection and
# refusing calls while saturated.
_EXTRA_THREADS = 16


class Agent:
    """An agent: its card, its skills and, once started, its server and registration."""

    def __init__(
        self,
        name: str,
        version: str = "0.1.0",
        description: str = "",
        labels: Optional[Mapping[str, str]] = None,
        default_port: int = 0,
    ):
        self.name = name
        self.version = version
        self.description = description
        self.labels = dict(labels or {})
        self.default_port = default_port
        self._skills: Dict[str, SkillSpec] = {}
        self._server: Optional[grpc.Server] = None
        self._health: Optional[health.HealthServicer] = None
        self._registration: Optional[Registration] = None
        self._tracer_provider = None
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self.calls: Optional[Calls] = None
        self.config: Optional[AgentConfig] = None
        self.port: Optional[int] = None

    # --- declaring skills -------------------------------------------------------------------

    def skill(
        self,
        id: str,
        name: str = "",
        description: str = "",
        tags: Sequence[str] = (),
        input_modes: Sequence[str] = ("text/plain",),
        output_modes: Sequence[str] = ("text/plain",),
        examples: Sequence[str] = (),
    ) -> Callable:
        """Decorator registering ``handler(ctx, parts)`` as skill ``id``."""

        def register(handler):
            self.add_skill(SkillSpec(id, handler, name or id, description or (handler.__doc__ or "").strip(),
                                     tuple(tags), tuple(input_modes), tuple(output_modes), tuple(examples)))
            return handler

        return register

    def add_skill(self, spec: SkillSpec) -> None:
        if spec.id in self._skills:
            raise ValueError(f"skill '{spec.id}' declared twice")
        self._skills[spec.id] = spec

    def card(self) -> common_pb2.AgentCard:
        """The agent card served by GetAgentCard and registered with the registry."""
        return common_pb2.AgentCard(
            name=self.name,
            description=self.description,
            version=self.version,
            labels=self.labels,
            skills=[
                common_pb2.Skill(
                    id=s.id, name=s.name, description=s.description, tags=list(s.tags),
                    input_modes=list(s.input_modes), output_modes=list(s.output_modes),
                    examples=list(s.examples),
                )
                for s in self._skills.values()
            ],
        )

    # --- running ----------------------------------------------------------------------------

    def start(self, config: Optional[AgentConfig] = None, span_exporter=None) -> "Agent":
        """Binds the port, marks the services SERVING and starts registering. Non-blocking."""
        if not self._skills:
            raise ValueError("an agent needs at least one skill")
        config = config or AgentConfig.from_env(self.name, self.default_port)
        if config.name != self.name:
            raise ValueError(f"config for agent '{config.name}' given to agent '{self.name}'")
        self.config = config
        self._tracer_provider = tracing.create_tracer_provider(self.name, exporter=span_exporter)
        tracing.install_global(self._tracer_provider)

        self.calls = Calls(config.max_concurrency)
        card = self.card()
        interceptors = [tracing.agent_server_interceptor(self._tracer_provider)]
        if not config.insecure:
            interceptors.append(_AuthorizationInterceptor(Policy.agent_default(config.policy_file), config.trust_domain))
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=config.max_concurrency + _EXTRA_THREADS, thread_name_prefix="meshwork-call"),
            interceptors=interceptors,
            options=[
                ("grpc.keepalive_time_ms", 30_000),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
                ("grpc.keepalive_permit_without_calls", 1),
                # gRPC Python sets SO_REUSEPORT by default: a second process would share the port.
                ("grpc.so_reuseport", 0),
            ],
        )
        agent_pb2_grpc.add_AgentServiceServicer_to_server(AgentServicer(card, dict(self._skills), self.calls), server)
        self._health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            [AGENT_SERVICE, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            server,
        )
        address = f"{_bracket(config.host)}:{config.port}"
        try:
            if config.insecure:
                port = server.add_insecure_port(address)
            else:
                port = server.add_secure_port(address, tls_mod.server_credentials(config.tls))
        except RuntimeError:
            port = 0
        if port == 0:
            raise OSError(f"cannot listen on {address} (address in use, or not local?)")
        server.start()
        self._server, self.port = server, port
        for service in ("", AGENT_SERVICE):
            self._health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info(
            "agent %s serving %s on %s:%d%s", self.name, sorted(self._skills), config.host, port,
            " (INSECURE plaintext dev mode)" if config.insecure else f" with mTLS as spiffe://{config.trust_domain}/{config.identity}",
        )
        if config.registry:
            self._registration = Registration(
                config.registry, config.tls, card, config.advertise_host, port, config.lease_ttl, self.calls.load
            ).start()
        else:
            log.info("MESHWORK_REGISTRY=none: not registering")
        return self

    @property
    def instance_id(self) -> Optional[str]:
        """The registry's id of this instance, once registered."""
        return self._registration.instance_id if self._registration else None

    @property
    def registration(self) -> Optional[Registration]:
        return self._registration

    def stop(self, grace: Optional[float] = None) -> None:
        """Drains and stops (idempotent): deregister, NOT_SERVING, finish in-flight calls within the
        grace period (default: the configured one), stop."""
        with self._stop_lock:
            if self._stopping or self._server is None:
                self._stopped.wait()
                return
            self._stopping = True
        grace = self.config.grace_period if grace is None else grace
        try:
            if self._registration is not None:
                self._registration.deregister()
            self._health.enter_graceful_shutdown()
            log.info("draining: %d call(s) in flight, grace period %.1fs", self.calls.in_flight, grace)
            if not self.calls.drain(grace):
                log.warning("grace period over with %d call(s) in flight; cancelling them", self.calls.in_flight)
            # What is left (health watches, calls past the grace period) is cancelled.
            self._server.stop(0.5).wait()
            # Flush the last spans, but never hang the exit on an unreachable collector.
            flusher = threading.Thread(target=self._tracer_provider.shutdown, name="meshwork-otel-flush", daemon=True)
            flusher.start()
            flusher.join(timeout=2.0)
            log.info("stopped")
        finally:
            self._stopped.set()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Blocks until the agent has stopped."""
        return self._stopped.wait(timeout)

    def run(self) -> None:
        """Starts, serves until SIGTERM/SIGINT, drains, returns. For ``python -m your_agent``."""
        _configure_logging()
        requested = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: requested.set())
        try:
            self.start()
        except (ValueError, OSError) as e:
            log.error("cannot start agent %s: %s", self.name, e)
            sys.exit(2)
        while not requested.wait(1.0):
            pass
        log.info("signal received; shutting down")
        self.stop()


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.addFilter(tracing.TraceIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [trace=%(trace_id)s] %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class _AuthorizationInterceptor(grpc.ServerInterceptor):
    """Checks the caller's mesh identity (its client certificate's SPIFFE URI SAN) against the
    policy before the handler runs: UNAUTHENTICATED without one, PERMISSION_DENIED when not allowed.

    Python interceptors cannot see the peer, so this wraps the method handler and checks inside it.
    """

    def __init__(self, policy: Policy, trust_domain: str):
        self._policy = policy
        self._trust_domain = trust_domain

    def _check(self, method: str, context) -> None:
        caller = peer_identity(context.auth_context())
        if caller is None:
            context.abort(grpc.StatusCode.UNAUTHENTICATED,
                          f"no mesh identity: the client certificate has no spiffe://{self._trust_domain}/ URI SAN")
        if caller.trust_domain != self._trust_domain:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"identity {caller} is not in trust domain {self._trust_domain}")
        if not self._policy.allows(method, caller):
            log.info("denied %s calling %s", caller.kind_and_name, method)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, f"{caller.kind_and_name} may not call {method}")

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method.lstrip("/")
        check = self._check

        def guard(behavior, streaming_response):
            if streaming_response:
                def wrapped(request_or_iterator, context):
                    check(method, context)
                    yield from behavior(request_or_iterator, context)
            else:
                def wrapped(request_or_iterator, context):
                    check(method, context)
                    return behavior(request_or_iterator, context)
            return wrapped

        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                guard(handler.unary_unary, False), handler.request_deserializer, handler.response_serializer)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                guard(handler.unary_stream, True), handler.request_deserializer, handler.response_serializer)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                guard(handler.stream_unary, False), handler.request_deserializer, handler.response_serializer)
        return grpc.stream_stream_rpc_method_handler(
            guard(handler.stream_stream, True), handler.request_deserializer, handler.response_serializer)
