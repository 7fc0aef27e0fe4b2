"""A fake RegistryService for tests: real gRPC over mTLS with the registry/registry identity,
recording every call, enforcing the registry's rule that only agent/<name> registers <name>, and able
to forget everything (a registry restart) or go down and come back on the same port."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import grpc
from google.protobuf import timestamp_pb2
from meshwork.registry.v1 import registry_pb2, registry_pb2_grpc

from meshwork_agent.authz import peer_identity


class Call:
    def __init__(self, method: str, caller: Optional[str], request, code: grpc.StatusCode):
        self.method = method
        self.caller = caller
        self.request = request
        self.code = code
        self.time = time.monotonic()

    def __repr__(self):
        return f"Call({self.method}, {self.caller}, {self.code.name})"


class FakeRegistry(registry_pb2_grpc.RegistryServiceServicer):
    def __init__(self, cert_dir: Path, port: int = 0):
        self._cert_dir = Path(cert_dir)
        self.port = port
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.instances: Dict[str, registry_pb2.RegisterAgentRequest] = {}
        self.calls: List[Call] = []
        self._server: Optional[grpc.Server] = None

    @property
    def target(self) -> str:
        return f"localhost:{self.port}"

    def start(self) -> "FakeRegistry":
        d = self._cert_dir
        creds = grpc.ssl_server_credentials(
            [((d / "registry/registry.key").read_bytes(), (d / "registry/registry.crt").read_bytes())],
            root_certificates=(d / "ca.crt").read_bytes(),
            require_client_auth=True,
        )
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])
        registry_pb2_grpc.add_RegistryServiceServicer_to_server(self, server)
        self.port = server.add_secure_port(f"127.0.0.1:{self.port}", creds)
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(0).wait()
            self._server = None

    def restart(self) -> None:
        """Stops, forgets everything (soft state), starts again on the same port."""
        self.stop()
        self.forget()
        self.start()

    def forget(self) -> None:
        with self._lock:
            self.instances.clear()

    # --- inspection -------------------------------------------------------------------------

    def calls_of(self, method: str) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def ok_calls(self, method: str) -> List[Call]:
        return [c for c in self.calls_of(method) if c.code == grpc.StatusCode.OK]

    # --- RPCs ---------------------------------------------------------------------------------

    def _record(self, method, context, request, code=grpc.StatusCode.OK):
        caller = peer_identity(context.auth_context())
        with self._lock:
            self.calls.append(Call(method, caller.kind_and_name if caller else None, request, code))
        return caller

    def RegisterAgent(self, request, context):
        caller = peer_identity(context.auth_context())
        name = request.card.name
        if caller is None or caller.kind_and_name != f"agent/{name}":
            self._record("RegisterAgent", context, request, grpc.StatusCode.PERMISSION_DENIED)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, f"only agent/{name} may register {name}")
        if not request.card.skills or not 1 <= request.endpoint.port <= 65535 or not request.endpoint.host:
            self._record("RegisterAgent", context, request, grpc.StatusCode.INVALID_ARGUMENT)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad registration")
        with self._lock:
            instance_id = next(
                (i for i, r in self.instances.items()
                 if r.card.name == name and r.endpoint == request.endpoint),
                None,
            ) or f"inst-{next(self._ids)}"
            self.instances[instance_id] = request
        self._record("RegisterAgent", context, request)
        return registry_pb2.RegisterAgentResponse(
            instance=registry_pb2.AgentInstance(
                instance_id=instance_id, card=request.card, endpoint=request.endpoint,
                lease_ttl=request.lease_ttl,
            )
        )

    def RenewLease(self, request, context):
        with self._lock:
            known = request.instance_id in self.instances
        if not known:
            self._record("RenewLease", context, request, grpc.StatusCode.NOT_FOUND)
            context.abort(grpc.StatusCode.NOT_FOUND, f"instance '{request.instance_id}' not found")
        self._record("RenewLease", context, request)
        return registry_pb2.RenewLeaseResponse(lease_expire_time=timestamp_pb2.Timestamp(seconds=int(time.time()) + 15))

    def DeregisterAgent(self, request, context):
        with self._lock:
            known = self.instances.pop(request.instance_id, None) is not None
        if not known:
            self._record("DeregisterAgent", context, request, grpc.StatusCode.NOT_FOUND)
            context.abort(grpc.StatusCode.NOT_FOUND, f"instance '{request.instance_id}' not found")
        self._record("DeregisterAgent", context, request)
        return registry_pb2.DeregisterAgentResponse()
