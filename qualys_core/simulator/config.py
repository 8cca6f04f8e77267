"""How a simulated subscription behaves: API limits, latency, faults and licensing.

Everything is data, so a test or benchmark states the behaviour it needs in one constructor
call, and the defaults are what a new user's demo should feel like: generous limits, no faults,
no latency.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "DEFAULT_LIMITS",
    "FaultKind",
    "FaultRule",
    "LatencySpec",
    "LimitSpec",
    "SimConfig",
]

FaultKind = Literal["error", "hang", "malformed", "truncated", "unlicensed", "empty"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "error",
    "hang",
    "malformed",
    "truncated",
    "unlicensed",
    "empty",
)


@dataclass(frozen=True)
class LimitSpec:
    """Qualys' per-API controls for one family of endpoints.

    `headers` says whether responses carry the X-RateLimit-* and X-Concurrency-Limit-* headers
    (Qualys sends none on /pm, catalogue §3.4). A limit of 0 means unlimited.
    """

    rate_limit: int = 2000
    window_seconds: int = 3600
    concurrency: int = 10
    headers: bool = True


@dataclass(frozen=True)
class LatencySpec:
    """Simulated service time: `fixed` seconds per call plus `per_record` per record returned."""

    fixed: float = 0.0
    per_record: float = 0.0

    def seconds(self, records: int) -> float:
        return self.fixed + self.per_record * max(0, records)


@dataclass(frozen=True)
class FaultRule:
    """Make matching calls fail in one way.

    `match` is a glob tested against the route name (``vmdr.kb``), the module (``vmdr``) and the
    request path (``/api/2.0/fo/knowledge_base/*``). `rate` is the share of matching calls that
    fail (decided by the simulator's seeded random source, so runs repeat); `count`, when set,
    stops the rule after that many faults, which is how a test says "fail once, then recover".
    """

    match: str
    kind: FaultKind
    rate: float = 1.0
    count: int | None = None
    status: int = 503
    hang_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind {self.kind!r}; allowed: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate {self.rate!r} must be between 0 and 1")

    def matches(self, *, name: str, module: str, path: str) -> bool:
        return any(fnmatch.fnmatchcase(value, self.match) for value in (name, module, path))


DEFAULT_LIMITS: Mapping[str, LimitSpec] = MappingProxyType(
    {
        # API server: every FO and QPS API is limited separately (Qualys "per API" controls).
        "api": LimitSpec(),
        "gateway": LimitSpec(),
        # Gateway families are named by their first path segment. PM sends no limit headers.
        "pm": LimitSpec(rate_limit=0, concurrency=0, headers=False),
    }
)


@dataclass
class SimConfig:
    """The behaviour of one simulated subscription.

    `limits` maps a limit family to its spec: ``"api"`` for every API-server endpoint (each
    endpoint counted separately, as Qualys does), a gateway family name such as ``"rest"``
    (CSAM), ``"csapi"`` or ``"pm"``, or a route name for one endpoint; the most specific wins
    (route name, then family, then host kind), and keys not given keep `DEFAULT_LIMITS` (no
    limit headers on PM, Qualys' sample limits elsewhere). `latency` maps an endpoint
    class (each route names one; ``"default"`` otherwise) to its service time.
    """

    seed: int = 7
    token_ttl_seconds: float = 4 * 3600
    limits: dict[str, LimitSpec] = field(default_factory=dict)
    latency: dict[str, LatencySpec] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    unlicensed: frozenset[str] = frozenset()
    require_requested_with: bool = True

    def limit_for(self, *, name: str, family: str, host: str) -> LimitSpec:
        for key in (name, family, host):
            spec = self.limits.get(key) or DEFAULT_LIMITS.get(key)
            if spec is not None:
                return spec
        return LimitSpec()

    def latency_for(self, endpoint_class: str) -> LatencySpec:
        return self.latency.get(endpoint_class) or self.latency.get("default") or LatencySpec()
