"""Fixtures of the cross-language conformance suite: mesh certificates from meshctl and a fake
registry over mTLS (the same as the unit tests')."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["OTEL_TRACES_EXPORTER"] = "none"

import pytest

from support import meshctl


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("certs")
    meshctl("certs", "init", "--dir", str(d), "--user", "dev")
    return d
