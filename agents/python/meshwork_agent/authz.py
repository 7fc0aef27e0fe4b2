"""Mesh identities (SPIFFE ids ``spiffe://<trust-domain>/<kind>/<name>``) and the authorization
policy over them, with the rule semantics and file format of the Java core's AuthorizationPolicy:
rules are evaluated in order, the first whose method and identity patterns match decides, and a call
no rule matches is denied.

Method patterns: ``*``, ``pkg.Service/*``, ``pkg.Service/Method``. Identity patterns: ``*`` (any
mesh identity), ``<kind>/*``, ``<kind>/<name>``. A policy file has one rule per line,
``allow|deny <method> <identity>[,<identity>...]``; ``#`` starts a comment. Its rules are evaluated
before the built-in ones.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from .config import ConfigError

KINDS = ("registry", "orchestrator", "gateway", "agent", "client")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_SPIFFE = re.compile(r"^spiffe://([a-z0-9.-]+)/([a-z]+)/([^/]+)$")


@dataclasses.dataclass(frozen=True)
class Identity:
    """A mesh workload identity."""

    trust_domain: str
    kind: str
    name: str

    @property
    def kind_and_name(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def spiffe_id(self) -> str:
        return f"spiffe://{self.trust_domain}/{self.kind}/{self.name}"

    def __str__(self) -> str:
        return self.spiffe_id

    @staticmethod
    def parse(spiffe_id: str) -> Optional["Identity"]:
        """The identity of a SPIFFE id, or None when it is not a mesh identity."""
        m = _SPIFFE.match(spiffe_id)
        if not m or m.group(2) not in KINDS or not _LABEL.match(m.group(3)):
            return None
        return Identity(m.group(1), m.group(2), m.group(3))


def peer_identity(auth_context) -> Optional[Identity]:
    """The caller's identity from a gRPC auth context (its certificate's URI SAN), if any."""
    for key in ("peer_spiffe_id", "peer_uri", "x509_subject_alternative_name"):
        for raw in auth_context.get(key, ()):
            value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            identity = Identity.parse(value)
            if identity is not None:
                return identity
    return None


@dataclasses.dataclass(frozen=True)
class Rule:
    """One rule: ``allow`` or ``deny`` callers matching any identity pattern the method pattern."""

    allow: bool
    method: str
    identities: Tuple[str, ...]

    def __post_init__(self):
        if self.method != "*" and "/" not in self.method:
            raise ValueError(f"method: '{self.method}' (expected: *, pkg.Service/* or pkg.Service/Method)")
        if not self.identities:
            raise ValueError("identities: [] (expected: at least one pattern)")
        for pattern in self.identities:
            if pattern != "*" and pattern.find("/") <= 0:
                raise ValueError(f"identity: '{pattern}' (expected: *, <kind>/* or <kind>/<name>)")

    def matches(self, full_method: str, caller: Identity) -> bool:
        return self._matches_method(full_method) and any(
            _matches_identity(p, caller) for p in self.identities
        )

    def _matches_method(self, full_method: str) -> bool:
        if self.method == "*":
            return True
        if self.method.endswith("/*"):
            return full_method.startswith(self.method[:-1])
        return self.method == full_method


def _matches_identity(pattern: str, caller: Identity) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        return pattern[:-2] == caller.kind
    return pattern == caller.kind_and_name


ALWAYS = (
    Rule(True, "grpc.health.v1.Health/*", ("*",)),
    Rule(True, "grpc.reflection.v1.ServerReflection/*", ("*",)),
    Rule(True, "grpc.reflection.v1alpha.ServerReflection/*", ("*",)),
)

# Who may call an agent by default: the orchestrator, other agents (agent-to-agent calls through the
# mesh) and client identities (grpcurl, meshctl). Registries and gateways may not.
AGENT_DEFAULTS = (
    Rule(True, "meshwork.agent.v1.AgentService/*", ("orchestrator/*", "agent/*", "client/*")),
)


class Policy:
    """An ordered list of rules."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: List[Rule] = list(rules)

    @staticmethod
    def agent_default(policy_file: Optional[Path] = None) -> "Policy":
        overrides = parse_policy_file(policy_file) if policy_file else []
        return Policy([*overrides, *ALWAYS, *AGENT_DEFAULTS])

    def allows(self, full_method: str, caller: Identity) -> bool:
        for rule in self.rules:
            if rule.matches(full_method, caller):
                return rule.allow
        return False


def parse_policy_file(path: Path) -> Sequence[Rule]:
    """Reads a rules file; raises ConfigError naming the file and line of a malformed rule."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"MESHWORK_POLICY_FILE: '{path}': {e}") from None
    rules = []
    for number, line in enumerate(lines, 1):
        line = re.sub(r"#.*", "", line).strip()
        if not line:
            continue
        where = f"{path}:{number}: "
        parts = line.split()
        if len(parts) != 3:
            raise ConfigError(where + f"'{line}' (expected: allow|deny <method> <identity>[,<identity>...])")
        effect = parts[0].lower()
        if effect not in ("allow", "deny"):
            raise ConfigError(where + f"effect '{parts[0]}' (expected: allow or deny)")
        try:
            rules.append(Rule(effect == "allow", parts[1], tuple(parts[2].split(","))))
        except ValueError as e:
            raise ConfigError(where + str(e)) from None
    return rules
