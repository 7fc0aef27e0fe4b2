"""Agent configuration from MESHWORK_* environment variables, with the same names, defaults and
duration syntax as the Java services (core's Settings/ServerConfig/TlsConfig), failing fast with a
message that names the variable.

=============================  ==========================================================
MESHWORK_REGISTRY              registry address, default ``localhost:7001``; ``none`` runs
                               stand-alone (no registration)
MESHWORK_HOST                  bind address, default ``127.0.0.1``
MESHWORK_PORT                  port, 0 picks a free one; default: the agent's own
MESHWORK_ADVERTISE_HOST        host put in the registry, default MESHWORK_HOST (127.0.0.1
                               when binding a wildcard address)
MESHWORK_IDENTITY              optional; if set, must be ``agent/<name>`` of this agent
MESHWORK_INSECURE              ``true``: plaintext, no identities (local development only)
MESHWORK_TRUST_DOMAIN          default ``meshwork.local``
MESHWORK_CERT_DIR              default ``$MESHWORK_DATA_DIR/certs``, else ``.data/certs``
MESHWORK_TLS_CERT/_KEY/_CA     explicit files, overriding the cert directory
MESHWORK_POLICY_FILE           authorization rules evaluated before the built-in ones
MESHWORK_LEASE_TTL             registry lease, default ``15s`` (renewed every third of it)
MESHWORK_GRACE_PERIOD          drain time on SIGTERM, default ``20s``
MESHWORK_MAX_CONCURRENCY       AgentService calls served at once, default 32
OTEL_*                         tracing (see tracing.py)
=============================  ==========================================================
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Mapping, Optional

DEFAULT_TRUST_DOMAIN = "meshwork.local"
DEFAULT_REGISTRY = "localhost:7001"

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class ConfigError(ValueError):
    """A setting has a bad value; the message names the variable and what was expected."""


def parse_duration(text: str) -> Optional[float]:
    """``500ms``, ``30s``, ``5m``, ``1h``, ``1d`` -> seconds; None if malformed."""
    m = _DURATION.match(text.strip())
    if not m:
        return None
    return int(m.group(1)) * _UNITS[m.group(2)]


def format_duration(seconds: float) -> str:
    """Seconds -> the syntax parse_duration reads (``1500ms``, ``15s``)."""
    ms = round(seconds * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """The PEM files of this process's identity and the mesh trust bundle."""

    cert: Path
    key: Path
    ca: Path


@dataclasses.dataclass(frozen=True)
class AgentConfig:
    """Everything an agent process reads from its environment."""

    name: str
    registry: Optional[str]
    host: str
    port: int
    advertise_host: str
    insecure: bool
    trust_domain: str
    tls: Optional[TlsFiles]
    policy_file: Optional[Path]
    lease_ttl: float
    grace_period: float
    max_concurrency: int

    @property
    def identity(self) -> str:
        """``agent/<name>``."""
        return f"agent/{self.name}"

    @staticmethod
    def from_env(name: str, default_port: int = 0, env: Optional[Mapping[str, str]] = None) -> "AgentConfig":
        """Reads the settings of agent ``name``.

        Raises ConfigError for a bad value, or a missing TLS file when TLS is on.
        """
        e = _Env(os.environ if env is None else env)
        identity = e.string("IDENTITY", "")
        if identity and identity != f"agent/{name}":
            raise ConfigError(f"MESHWORK_IDENTITY: '{identity}' (expected: agent/{name}, the identity of agent {name})")
        insecure = e.boolean("INSECURE", False)
        registry = e.string("REGISTRY", DEFAULT_REGISTRY)
        if registry.lower() in ("none", "off", "-"):
            registry = None
        host = e.string("HOST", "127.0.0.1")
        advertise = e.string("ADVERTISE_HOST", "")
        if not advertise:
            advertise = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]", "") else host
        trust_domain = e.string("TRUST_DOMAIN", DEFAULT_TRUST_DOMAIN)
        tls = None
        if not insecure:
            cert_dir = _cert_dir(e)
            tls = TlsFiles(
                cert=Path(e.string("TLS_CERT", str(cert_dir / "agent" / f"{name}.crt"))),
                key=Path(e.string("TLS_KEY", str(cert_dir / "agent" / f"{name}.key"))),
                ca=Path(e.string("TLS_CA", str(cert_dir / "ca.crt"))),
            )
            for setting, path in (("TLS_CERT", tls.cert), ("TLS_KEY", tls.key), ("TLS_CA", tls.ca)):
                if not (path.is_file() and os.access(path, os.R_OK)):
                    raise ConfigError(
                        f"MESHWORK_{setting}: '{path}' is not a readable file (run `meshctl certs "
                        f"issue agent/{name}`, or set MESHWORK_INSECURE=true for plaintext dev mode)"
                    )
        policy = e.string("POLICY_FILE", "")
        return AgentConfig(
            name=name,
            registry=registry,
            host=host,
            port=e.integer("PORT", default_port, 0, 65535),
            advertise_host=advertise,
            insecure=insecure,
            trust_domain=trust_domain,
            tls=tls,
            policy_file=Path(policy) if policy else None,
            lease_ttl=e.duration("LEASE_TTL", 15.0, 1.0, 600.0),
            grace_period=e.duration("GRACE_PERIOD", 20.0, 0.0, 3600.0),
            max_concurrency=e.integer("MAX_CONCURRENCY", 32, 1, 10000),
        )


def _cert_dir(e: "_Env") -> Path:
    explicit = e.string("CERT_DIR", "")
    if explicit:
        return Path(explicit)
    return Path(e.string("DATA_DIR", ".data")) / "certs"


class _Env:
    def __init__(self, env: Mapping[str, str]):
        self._env = env

    def string(self, name: str, default: str) -> str:
        value = self._env.get("MESHWORK_" + name, "")
        return value if value != "" else default

    def _bad(self, name: str, value: str, expected: str) -> ConfigError:
        return ConfigError(f"MESHWORK_{name}: '{value}' (expected: {expected})")

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.string(name, "")
        if raw == "":
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:
            raise self._bad(name, raw, f"integer {lo}..{hi}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.string(name, "")
        if raw == "":
            return default
        value = raw.strip().lower()
        if value in ("true", "yes", "1"):
            return True
        if value in ("false", "no", "0"):
            return False
        raise self._bad(name, raw, "true or false")

    def duration(self, name: str, default: float, lo: float, hi: float) -> float:
        raw = self.string(name, "")
        if raw == "":
            return default
        value = parse_duration(raw)
        if value is None or not lo <= value <= hi:
            raise self._bad(
                name, raw, f"duration like 30s, {format_duration(lo)}..{format_duration(hi)}"
            )
        return value
