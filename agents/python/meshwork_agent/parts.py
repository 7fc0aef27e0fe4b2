"""Helpers for payloads (``repeated meshwork.common.v1.Part``): build parts from Python values and
read them back."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from google.protobuf import json_format, struct_pb2
from meshwork.common.v1 import common_pb2

Part = common_pb2.Part


def text(value: str) -> Part:
    """A text part."""
    return Part(text=value)


def data(value: Dict[str, Any]) -> Part:
    """A structured data part (a JSON-like dict)."""
    s = struct_pb2.Struct()
    s.update(value)
    return Part(data=s)


def file(content: bytes, name: str = "", media_type: str = "application/octet-stream") -> Part:
    """A file part."""
    return Part(file=common_pb2.FilePart(name=name, media_type=media_type, content=content))


def texts(parts: Iterable[Part]) -> List[str]:
    """The texts of the text parts."""
    return [p.text for p in parts if p.WhichOneof("kind") == "text"]


def as_dict(part: Part) -> Optional[Dict[str, Any]]:
    """The dict of a data part, else None."""
    if part.WhichOneof("kind") != "data":
        return None
    return json_format.MessageToDict(part.data)


def kind(part: Part) -> Optional[str]:
    """``text``, ``data``, ``file`` or None for an empty part."""
    return part.WhichOneof("kind")


def to_parts(value: Any) -> List[Part]:
    """Normalizes a skill's output: None, a Part, a str (text), a dict (data), bytes (file), or a
    list/tuple of those."""
    if value is None:
        return []
    if isinstance(value, Part):
        return [value]
    if isinstance(value, str):
        return [text(value)]
    if isinstance(value, dict):
        return [data(value)]
    if isinstance(value, (bytes, bytearray)):
        return [file(bytes(value))]
    if isinstance(value, (list, tuple)):
        out: List[Part] = []
        for item in value:
            out.extend(to_parts(item))
        return out
    raise TypeError(f"cannot turn {type(value).__name__} into output parts")
