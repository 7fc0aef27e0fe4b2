"""What an agent author writes: skills (handlers with their card entries) and what a handler sees
of its call (``CallContext``).

A handler is ``handler(ctx, input_parts)``. A plain function returns its output; a generator
function streams: it yields ``Progress(...)`` and ``Chunk(...)`` events and ``return``s its output.
Output is anything ``parts.to_parts`` takes, or ``Result(output, metadata)``. InvokeStream sends the
events and then a result holding the returned output; Invoke returns the chunks' parts followed by
the returned output.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from .errors import CallEnded
from .parts import Part


@dataclasses.dataclass
class Progress:
    """A status/progress update of a streaming skill; progress in [0, 1], 0 when unknown."""

    message: str
    progress: float = 0.0
    details: Optional[Dict[str, Any]] = None


@dataclasses.dataclass
class Chunk:
    """A piece of output sent before the call ends."""

    parts: Any


@dataclasses.dataclass
class Result:
    """A skill's output with result metadata (for example the model used)."""

    output: Any
    metadata: Dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class SkillSpec:
    """A skill: its card entry and its handler."""

    id: str
    handler: Callable[..., Any]
    name: str = ""
    description: str = ""
    tags: Sequence[str] = ()
    input_modes: Sequence[str] = ("text/plain",)
    output_modes: Sequence[str] = ("text/plain",)
    examples: Sequence[str] = ()


class CallContext:
    """What a handler knows of its call: the skill, metadata, idempotency key, the caller's
    identity, the deadline, and whether the caller has cancelled.

    Long-running handlers should wait with ``ctx.sleep(seconds)`` (or call ``ctx.check()`` between
    steps): both raise ``CallEnded`` as soon as the call is cancelled or its deadline passes, so the
    work stops when nobody waits for it any more.
    """

    def __init__(
        self,
        skill_id: str,
        metadata: Dict[str, str],
        idempotency_key: str,
        caller: Optional[str],
        deadline: Optional[float],
    ):
        self.skill_id = skill_id
        self.metadata = metadata
        self.idempotency_key = idempotency_key
        self.caller = caller
        self._deadline = deadline  # time.monotonic() value, or None
        self._ended = threading.Event()

    def time_remaining(self) -> Optional[float]:
        """Seconds until the call's deadline (never negative), or None without a deadline."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - time.monotonic())

    @property
    def cancelled(self) -> bool:
        """True once the caller cancelled the call or its deadline passed."""
        return self._ended.is_set() or self.time_remaining() == 0.0

    def check(self) -> None:
        """Raises CallEnded when the call is over."""
        if self.cancelled:
            raise CallEnded(self._deadline_passed())

    def sleep(self, seconds: float) -> None:
        """Waits ``seconds``; raises CallEnded at once if the call ends meanwhile."""
        end = time.monotonic() + seconds
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            remaining = self.time_remaining()
            wait = left if remaining is None else min(left, remaining + 0.001)
            self._ended.wait(wait)

    def _deadline_passed(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _end(self) -> None:
        self._ended.set()
