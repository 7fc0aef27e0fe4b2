"""Keeps an agent instance in the registry: RegisterAgent, then RenewLease every third of the lease
TTL with the current load and health. The registry is soft state: NOT_FOUND on renewal (it restarted
or the lease expired) means register again. While the registry is unreachable the agent keeps
serving and retries with capped exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Callable, Optional, Tuple

import grpc
from google.protobuf import duration_pb2
from meshwork.common.v1 import common_pb2
from meshwork.registry.v1 import registry_pb2, registry_pb2_grpc

from .config import TlsFiles
from .tls import ReloadingChannel

log = logging.getLogger("meshwork_agent")

LoadFn = Callable[[], Tuple[int, float]]  # -> (in_flight, utilization)


class Registration:
    """A background thread that registers ``card`` at ``host:port`` and renews its lease."""

    def __init__(
        self,
        registry: str,
        tls: Optional[TlsFiles],
        card: common_pb2.AgentCard,
        host: str,
        port: int,
        lease_ttl: float,
        load: LoadFn,
        min_backoff: float = 0.2,
    ):
        self._channel = ReloadingChannel(registry, tls, registry_pb2_grpc.RegistryServiceStub)
        self._registry = registry
        self._card = card
        self._endpoint = common_pb2.Endpoint(host=host, port=port)
        self._ttl = lease_ttl
        self._load = load
        self._min_backoff = min_backoff
        self._max_backoff = max(min_backoff, min(10.0, lease_ttl / 3))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._instance_id: Optional[str] = None
        self._thread = threading.Thread(target=self._run, name="meshwork-lease", daemon=True)
        self._failures = 0
        self.registrations = 0  # successful RegisterAgent calls (a restart of the registry adds one)
        self.renewals = 0

    @property
    def instance_id(self) -> Optional[str]:
        with self._lock:
            return self._instance_id

    def start(self) -> "Registration":
        self._thread.start()
        return self

    def _call_timeout(self) -> float:
        return max(1.0, min(5.0, self._ttl / 3))

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            try:
                if self.instance_id is None:
                    self._register()
                else:
                    self._renew()
                if self._failures:
                    log.info("registry %s reachable again", self._registry)
                self._failures = 0
                delay = self._ttl / 3
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.NOT_FOUND and self.instance_id is not None:
                    log.info("registry forgot instance %s (restarted or lease expired); registering again", self.instance_id)
                    with self._lock:
                        self._instance_id = None
                    delay = 0.0
                    continue
                self._failures += 1
                delay = min(self._max_backoff, self._min_backoff * 2 ** min(self._failures - 1, 10))
                delay *= random.uniform(0.8, 1.2)
                if self._failures == 1 or self._failures % 20 == 0:
                    log.warning(
                        "registry %s: %s: %s (keeps serving; retrying in %.1fs)",
                        self._registry, e.code().name, e.details(), delay,
                    )

    def _register(self) -> None:
        if self._stop.is_set():
            return
        ttl = duration_pb2.Duration()
        ttl.FromNanoseconds(int(self._ttl * 1e9))
        response = self._channel.get().RegisterAgent(
            registry_pb2.RegisterAgentRequest(card=self._card, endpoint=self._endpoint, lease_ttl=ttl),
            timeout=self._call_timeout(),
        )
        with self._lock:
            if self._stop.is_set():
                # Deregistration raced with us: the new instance must not outlive the agent.
                self._instance_id = response.instance.instance_id
                return
            self._instance_id = response.instance.instance_id
        self.registrations += 1
        log.info(
            "registered %s at %s:%d as instance %s (lease %.1fs)",
            self._card.name, self._endpoint.host, self._endpoint.port, self._instance_id, self._ttl,
        )

    def _renew(self) -> None:
        in_flight, utilization = self._load()
        self._channel.get().RenewLease(
            registry_pb2.RenewLeaseRequest(
                instance_id=self.instance_id,
                load=registry_pb2.Load(in_flight=in_flight, utilization=min(1.0, max(0.0, utilization))),
                health=registry_pb2.HEALTH_STATE_SERVING,
            ),
            timeout=self._call_timeout(),
        )
        self.renewals += 1

    def deregister(self, timeout: float = 2.0) -> bool:
        """Stops renewing and removes the instance from the registry; True when it was removed."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=self._call_timeout() + 1)
        instance_id = self.instance_id
        removed = False
        if instance_id is not None:
            try:
                self._channel.get().DeregisterAgent(
                    registry_pb2.DeregisterAgentRequest(instance_id=instance_id), timeout=timeout
                )
                removed = True
                log.info("deregistered instance %s", instance_id)
            except grpc.RpcError as e:
                log.warning("deregistering instance %s: %s: %s", instance_id, e.code().name, e.details())
            with self._lock:
                self._instance_id = None
        self._channel.close()
        return removed
