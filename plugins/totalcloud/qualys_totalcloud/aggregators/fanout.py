"""What every cloud aggregator shares: which providers a call covers, the cached connector
list per provider, and running one coroutine per provider (or account) so that one failing
part is reported while the others still answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from qualys_core.cache import TierSpec
from qualys_core.errors import QualysError
from qualys_core.plugins import AggregatorContext, Finding
from qualys_totalcloud.api.connectors import PROVIDERS, Connector, list_connectors

__all__ = [
    "CONNECTORS_TIER",
    "FanOut",
    "cached_connectors",
    "fan_out",
    "providers_of",
]

K = TypeVar("K")
T = TypeVar("T")

CONNECTORS_TIER = TierSpec(
    "totalcloud_connectors", 300, 64, "TotalCloud connectors (cloud accounts) per provider"
)
_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "GCP", "oci": "OCI"}


def providers_of(ctx: AggregatorContext) -> tuple[str, ...]:
    """The providers this call covers: the `provider` parameter, else all four."""
    wanted = ctx.params.get("provider")
    return (str(wanted).lower(),) if wanted else PROVIDERS


def provider_name(provider: str) -> str:
    return _NAMES.get(provider.lower(), provider)


async def cached_connectors(ctx: AggregatorContext, provider: str) -> list[Connector]:
    """Every connector of `provider`, cached for five minutes and fetched once at a time."""

    async def fetch() -> list[Connector]:
        found, _ = await list_connectors(ctx.client, provider)
        return found

    return await ctx.cache.get_or_fetch(CONNECTORS_TIER.name, ("connectors", provider), fetch)


@dataclass
class FanOut(Generic[K, T]):
    """The parts that answered, and the error of each part that did not."""

    results: dict[K, T] = field(default_factory=dict)
    errors: dict[K, QualysError] = field(default_factory=dict)

    def failure_findings(self, label: Callable[[K], str]) -> list[Finding]:
        return [
            Finding(
                text=f"{label(key)}: no answer ({error.source_status}: {error}); the other "
                "parts are shown without it",
                severity="medium",
            )
            for key, error in self.errors.items()
        ]

    def failure_stats(self) -> dict[str, int | float | str]:
        if not self.errors:
            return {}
        return {"failed_parts": ", ".join(str(k) for k in self.errors)}


async def fan_out(
    keys: Iterable[K], run: Callable[[K], Awaitable[T]], *, raise_if_all_fail: bool = True
) -> FanOut[K, T]:
    """`run(key)` for every key concurrently; Qualys errors are collected per key.

    When every key failed (and there was at least one), the first error is raised so the
    engine reports the source's status (not licensed, unavailable...) rather than "empty".
    Errors that are not QualysError (bugs) propagate.
    """
    ordered: Sequence[K] = list(keys)
    outcomes = await asyncio.gather(*(run(key) for key in ordered), return_exceptions=True)
    done: FanOut[K, T] = FanOut()
    for key, outcome in zip(ordered, outcomes, strict=True):
        if isinstance(outcome, QualysError):
            done.errors[key] = outcome
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            done.results[key] = outcome
    if raise_if_all_fail and ordered and not done.results:
        raise next(iter(done.errors.values()))
    return done
