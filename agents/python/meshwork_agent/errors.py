"""The one mapping between skill failures and gRPC statuses, as in the Java core's GrpcErrors: a
status with ``google.rpc.ErrorInfo`` (reason UPPER_SNAKE, domain ``meshwork.dev``), plus
``google.rpc.BadRequest`` field violations for invalid input and ``google.rpc.RetryInfo`` for
retryable overload, carried in the ``grpc-status-details-bin`` trailer. Unexpected exceptions become
INTERNAL with a generic message: a stack trace never goes on the wire.
"""

from __future__ import annotations

import logging
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import any_pb2
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

DOMAIN = "meshwork.dev"

log = logging.getLogger("meshwork_agent")


class MeshError(Exception):
    """A failure with a gRPC code, a machine-readable reason and a message for the caller."""

    def __init__(
        self,
        code: grpc.StatusCode,
        reason: str,
        message: str,
        violations: Sequence[Tuple[str, str]] = (),
        retry_after: Optional[float] = None,
        metadata: Optional[Dict[str, str]] = None,
    ):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.violations: List[Tuple[str, str]] = list(violations)
        self.retry_after = retry_after
        self.metadata = dict(metadata or {})

    def to_status(self) -> grpc.Status:
        """The status (with details) this failure is answered with."""
        details: List[any_pb2.Any] = []
        info = any_pb2.Any()
        info.Pack(
            error_details_pb2.ErrorInfo(reason=self.reason, domain=DOMAIN, metadata=self.metadata)
        )
        details.append(info)
        if self.violations:
            bad = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                    for f, d in self.violations
                ]
            )
            packed = any_pb2.Any()
            packed.Pack(bad)
            details.append(packed)
        if self.retry_after is not None:
            delay = duration_pb2.Duration()
            delay.FromNanoseconds(int(self.retry_after * 1e9))
            packed = any_pb2.Any()
            packed.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
            details.append(packed)
        return rpc_status.to_status(
            status_pb2.Status(code=self.code.value[0], message=self.message, details=details)
        )


class InvalidInput(MeshError):
    """INVALID_ARGUMENT listing every field violation: ``InvalidInput("input[0].text", "empty")`` or
    ``InvalidInput([("input", "no text part"), ...])``."""

    def __init__(
        self,
        field_or_violations: Union[str, Iterable[Tuple[str, str]]],
        description: Optional[str] = None,
        reason: str = "INVALID_ARGUMENT",
    ):
        if isinstance(field_or_violations, str):
            violations = [(field_or_violations, description or "invalid")]
        else:
            violations = list(field_or_violations)
        if not violations:
            raise ValueError("violations: [] (expected: at least one)")
        message = "; ".join(f"{f}: {d}" for f, d in violations)
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, reason, message, violations)


class CallEnded(Exception):
    """Raised inside a skill (by ``ctx.sleep``/``ctx.check``) when its call is over: the caller
    cancelled it or its deadline passed. Let it propagate; the SDK stops the call."""

    def __init__(self, deadline_exceeded: bool):
        super().__init__("deadline exceeded" if deadline_exceeded else "cancelled by the caller")
        self.deadline_exceeded = deadline_exceeded


def to_status(failure: BaseException, what: str) -> grpc.Status:
    """Server side: the status a failure is answered with; ``what`` names the call for logs."""
    if isinstance(failure, MeshError):
        return failure.to_status()
    if isinstance(failure, CallEnded):
        if failure.deadline_exceeded:
            return MeshError(grpc.StatusCode.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", f"{what}: deadline exceeded").to_status()
        return MeshError(grpc.StatusCode.CANCELLED, "CANCELLED", f"{what}: cancelled by the caller").to_status()
    log.error("%s failed; answered as INTERNAL", what, exc_info=failure)
    return MeshError(grpc.StatusCode.INTERNAL, "INTERNAL", f"{what}: internal error").to_status()


def details_of(error: grpc.RpcError) -> Dict[str, object]:
    """Client side: reads ErrorInfo, BadRequest and RetryInfo back from a failed call.

    Returns ``{"code", "message", "reason", "domain", "violations": [(field, description)],
    "retry_after"}``.
    """
    out: Dict[str, object] = {
        "code": error.code(),
        "message": error.details(),
        "reason": None,
        "domain": None,
        "violations": [],
        "retry_after": None,
    }
    status = rpc_status.from_call(error)
    if status is None:
        return out
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            out["reason"], out["domain"] = info.reason, info.domain
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out["violations"] = [(v.field, v.description) for v in bad.field_violations]
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            out["retry_after"] = retry.retry_delay.ToNanoseconds() / 1e9
    return out


__all__ = ["MeshError", "InvalidInput", "CallEnded", "to_status", "details_of", "DOMAIN", "code_pb2"]
