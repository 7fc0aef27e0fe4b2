"""The AgentService implementation: dispatches Invoke/InvokeStream to skill handlers, serves the
card, tracks calls in flight (load, drain), observes the deadline and cancellation, and maps
failures to statuses (errors.py)."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import grpc
from google.protobuf import struct_pb2
from meshwork.agent.v1 import agent_pb2, agent_pb2_grpc
from meshwork.common.v1 import common_pb2

from . import errors, orca
from .authz import peer_identity
from .errors import InvalidInput, MeshError
from .parts import to_parts
from .skills import CallContext, Chunk, Progress, Result, SkillSpec

log = logging.getLogger("meshwork_agent")


class Calls:
    """Counts AgentService calls in flight; refuses new ones while draining or saturated."""

    def __init__(self, max_concurrency: int):
        self.max_concurrency = max_concurrency
        self._cond = threading.Condition()
        self._in_flight = 0
        self._draining = False
        self.served = 0
        self._rate = (time.monotonic(), 0, 0.0)  # (since, served then, last qps)
        self.cancelled = 0  # calls whose handler stopped because the caller cancelled or timed out

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def load(self) -> Tuple[int, float]:
        with self._cond:
            return self._in_flight, self._in_flight / self.max_concurrency

    def qps(self) -> float:
        """Calls completed per second, over the last second or so."""
        with self._cond:
            since, served_then, qps = self._rate
            now = time.monotonic()
            if now - since >= 1.0:
                qps = (self.served - served_then) / (now - since)
                self._rate = (now, self.served, qps)
            return qps

    def enter(self) -> None:
        with self._cond:
            if self._draining:
                raise MeshError(grpc.StatusCode.UNAVAILABLE, "DRAINING", "agent is shutting down; call another instance")
            if self._in_flight >= self.max_concurrency:
                raise MeshError(
                    grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED",
                    f"{self._in_flight} calls in flight (limit {self.max_concurrency})", retry_after=0.1,
                )
            self._in_flight += 1

    def exit(self, cancelled: bool = False) -> None:
        with self._cond:
            self._in_flight -= 1
            self.served += 1
            if cancelled:
                self.cancelled += 1
            self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Refuses new calls and waits up to ``timeout`` for those in flight; True when none is left."""
        end = time.monotonic() + timeout
        with self._cond:
            self._draining = True
            while self._in_flight > 0:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True


class AgentServicer(agent_pb2_grpc.AgentServiceServicer):
    """Serves one agent's skills."""

    def __init__(self, card: common_pb2.AgentCard, skills: Dict[str, SkillSpec], calls: Calls):
        self._card = card
        self._skills = skills
        self.calls = calls

    # --- RPCs -------------------------------------------------------------------------------

    def GetAgentCard(self, request, context):
        return agent_pb2.GetAgentCardResponse(card=self._card)

    def Invoke(self, request, context):
        failure = None
        try:
            spec, ctx = self._begin(request, context)
        except MeshError as e:
            context.abort_with_status(e.to_status())
        try:
            output: List[common_pb2.Part] = []
            metadata: Dict[str, str] = {}
            result = self._call(spec, ctx, request)
            if inspect.isgenerator(result):
                result = yield_from_events(result, on_chunk=lambda parts: output.extend(parts))
            out, metadata = _unwrap(result)
            output.extend(out)
            ctx.check()
            self._report_load(context)
            return agent_pb2.InvokeResponse(output=output, metadata=metadata)
        except BaseException as e:  # noqa: BLE001 - every failure becomes a status
            failure = e
        finally:
            self._end(ctx, failure)
        context.abort_with_status(errors.to_status(failure, f"skill '{spec.id}'"))

    def InvokeStream(self, request, context) -> Iterator[agent_pb2.InvokeStreamResponse]:
        try:
            spec, ctx = self._begin(request, context)
        except MeshError as e:
            context.abort_with_status(e.to_status())
        failure = None
        gen = None
        try:
            result = self._call(spec, ctx, request)
            if inspect.isgenerator(result):
                gen, result = result, None
                while True:
                    try:
                        event = next(gen)
                    except StopIteration as stop:
                        result = stop.value
                        break
                    ctx.check()
                    yield _event_message(event)
            out, metadata = _unwrap(result)
            ctx.check()
            self._report_load(context)
            yield agent_pb2.InvokeStreamResponse(result=agent_pb2.InvokeResponse(output=out, metadata=metadata))
        except GeneratorExit:
            # The caller went away while the stream was suspended at a yield: stop the handler.
            failure = errors.CallEnded(False)
            raise
        except BaseException as e:  # noqa: BLE001 - every failure becomes a status
            failure = e
        finally:
            if gen is not None:
                gen.close()
            self._end(ctx, failure)
        if failure is not None:
            context.abort_with_status(errors.to_status(failure, f"skill '{spec.id}'"))

    # --- helpers ----------------------------------------------------------------------------

    def _report_load(self, context) -> None:
        in_flight, utilization = self.calls.load()
        context.set_trailing_metadata([(orca.TRAILER_KEY, orca.load_report(utilization, self.calls.qps()))])

    def _begin(self, request, context) -> Tuple[SkillSpec, CallContext]:
        spec = self._skills.get(request.skill_id)
        if spec is None:
            known = ", ".join(sorted(self._skills))
            raise InvalidInput(
                "skill_id", f"'{request.skill_id}' (expected: one of {known})", reason="UNKNOWN_SKILL"
            )
        self.calls.enter()
        remaining = context.time_remaining()
        deadline = None if remaining is None or remaining > 1e8 else time.monotonic() + remaining
        caller = peer_identity(context.auth_context())
        ctx = CallContext(
            skill_id=spec.id,
            metadata=dict(request.metadata),
            idempotency_key=request.idempotency_key,
            caller=caller.kind_and_name if caller else None,
            deadline=deadline,
        )
        if not context.add_callback(ctx._end):
            ctx._end()  # the call is already over
        return spec, ctx

    def _call(self, spec: SkillSpec, ctx: CallContext, request):
        ctx.check()
        return spec.handler(ctx, list(request.input))

    def _end(self, ctx: CallContext, failure: Optional[BaseException]) -> None:
        ended = isinstance(failure, errors.CallEnded)
        if ended:
            log.info("skill '%s' stopped: %s", ctx.skill_id, failure)
        ctx._end()
        self.calls.exit(cancelled=ended)


def yield_from_events(gen, on_chunk) -> Any:
    """Runs a streaming handler to completion for a unary call; returns its return value."""
    while True:
        try:
            event = next(gen)
        except StopIteration as stop:
            return stop.value
        if isinstance(event, Chunk):
            on_chunk(to_parts(event.parts))
        elif not isinstance(event, Progress):
            on_chunk(to_parts(event))


def _event_message(event) -> agent_pb2.InvokeStreamResponse:
    if isinstance(event, Progress):
        details = None
        if event.details:
            details = struct_pb2.Struct()
            details.update(event.details)
        return agent_pb2.InvokeStreamResponse(
            status=agent_pb2.StatusUpdate(message=event.message, progress=event.progress, details=details)
        )
    parts = event.parts if isinstance(event, Chunk) else event
    return agent_pb2.InvokeStreamResponse(chunk=agent_pb2.OutputChunk(parts=to_parts(parts)))


def _unwrap(result) -> Tuple[List[common_pb2.Part], Dict[str, str]]:
    if isinstance(result, Result):
        return to_parts(result.output), {str(k): str(v) for k, v in result.metadata.items()}
    return to_parts(result), {}
