"""The py-echo agent: three small skills on the meshwork_agent SDK."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from meshwork_agent import Agent, CallContext, InvalidInput, Progress, as_dict, data, kind, texts

NAME = "py-echo"
VERSION = "0.1.0"
DEFAULT_PORT = 7021

MAX_STEPS = 1000
MAX_DELAY_MS = 60_000

_WORD = re.compile(r"\S+")


def echo(ctx: CallContext, parts: List[Any]):
    """Returns its input unchanged."""
    if not parts:
        raise InvalidInput("input", "[] (expected: at least one part)")
    return parts


def count_words(values: List[str]) -> Dict[str, Any]:
    """Word counts of texts: ``{"words": total, "per_part": [..]}``."""
    per_part = [len(_WORD.findall(v)) for v in values]
    return {"words": sum(per_part), "per_part": per_part}


def wordcount(ctx: CallContext, parts: List[Any]):
    """Counts the words (whitespace-separated) of the text parts; returns a data part
    {"words": total, "per_part": [count of each text part]}."""
    values = texts(parts)
    if not values:
        raise InvalidInput("input", "no text part (expected: at least one text part)")
    return data(count_words(values))


def slow_params(parts: List[Any]) -> Dict[str, int]:
    """The steps and delay of py.slow from its input: a data part {"steps", "delay_ms"} or a text
    part holding the number of steps; defaults 10 steps of 200 ms."""
    steps, delay_ms = 10, 200
    violations = []
    for i, part in enumerate(parts):
        if kind(part) == "data":
            values = as_dict(part)
            for key in values:
                if key not in ("steps", "delay_ms"):
                    violations.append((f"input[{i}].data.{key}", "unknown field (expected: steps, delay_ms)"))
            steps = _int_field(values, "steps", steps, 1, MAX_STEPS, f"input[{i}].data.steps", violations)
            delay_ms = _int_field(values, "delay_ms", delay_ms, 0, MAX_DELAY_MS, f"input[{i}].data.delay_ms", violations)
        elif kind(part) == "text" and part.text.strip():
            try:
                steps = int(part.text.strip())
                if not 1 <= steps <= MAX_STEPS:
                    raise ValueError
            except ValueError:
                violations.append((f"input[{i}].text", f"'{part.text}' (expected: a number of steps 1..{MAX_STEPS})"))
    if violations:
        raise InvalidInput(violations)
    return {"steps": steps, "delay_ms": delay_ms}


def _int_field(values, key, default, lo, hi, field, violations):
    if key not in values:
        return default
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not lo <= value <= hi:
        violations.append((field, f"{value!r} (expected: an integer {lo}..{hi})"))
        return default
    return int(value)


def slow(ctx: CallContext, parts: List[Any]):
    """Works for steps x delay_ms, streaming a progress update per step; stops as soon as the
    caller cancels or the deadline passes. Input: {"steps": 1..1000, "delay_ms": 0..60000} or a
    text number of steps (default 10 steps of 200 ms)."""
    params = slow_params(parts)
    steps = params["steps"]
    for step in range(1, steps + 1):
        ctx.sleep(params["delay_ms"] / 1000)
        yield Progress(f"step {step}/{steps}", step / steps, {"step": step})
    return data({"steps": steps, "done": True})


def create_agent() -> Agent:
    agent = Agent(NAME, version=VERSION, description="Sample Python agent: echo, word count, a slow streaming task.",
                  labels={"language": "python"}, default_port=DEFAULT_PORT)
    agent.skill("py.echo", name="Echo", tags=("sample",), input_modes=("text/plain", "application/json"),
                output_modes=("text/plain", "application/json"), examples=("hello",))(echo)
    agent.skill("py.wordcount", name="Word count", tags=("sample", "text"),
                output_modes=("application/json",), examples=("the quick brown fox",))(wordcount)
    agent.skill("py.slow", name="Slow task", tags=("sample", "streaming"),
                input_modes=("application/json", "text/plain"), output_modes=("application/json",),
                examples=('{"steps": 5, "delay_ms": 100}',))(slow)
    return agent
