"""Helpers shared by the unit tests (tests/) and the cross-language conformance suite
(conformance/): mesh certificates from the real meshctl, mTLS channels, polling."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

import grpc
import pytest

ROOT = Path(__file__).resolve().parents[3]
MESHCTL_JAR = Path(os.environ.get("MESHCTL_JAR", ROOT / "cli" / "target" / "meshctl.jar"))


def meshctl(*args: str) -> None:
    if not MESHCTL_JAR.is_file():
        pytest.fail(f"{MESHCTL_JAR} is missing: build it with `mvn -B -q -pl cli -am install -DskipTests`")
    java = shutil.which("java") or "java"
    end = time.monotonic() + 90
    while True:  # the jar may be being rebuilt by a concurrent Maven run: retry for a while
        proc = subprocess.run([java, "-jar", str(MESHCTL_JAR), *args], capture_output=True, text=True, timeout=120)
        if proc.returncode == 0 or time.monotonic() > end:
            break
        time.sleep(3)
    if proc.returncode == 0:
        return
    pytest.fail(f"meshctl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def channel(certs: Path, port: int, identity: str = "client/dev", target_host: str = "localhost") -> grpc.Channel:
    kind, name = identity.split("/")
    creds = grpc.ssl_channel_credentials(
        root_certificates=(certs / "ca.crt").read_bytes(),
        private_key=(certs / kind / f"{name}.key").read_bytes(),
        certificate_chain=(certs / kind / f"{name}.crt").read_bytes(),
    )
    return grpc.secure_channel(f"{target_host}:{port}", creds)


