"""The tenant's SaaSDR control library for the aggregators: the built-in and the custom
controls, read as two listings (`isCustom=false`, `isCustom=true`) in parallel and cached.

The list filter, not a record field, says which controls are custom: no vendor source shows
`isCustom` on a control, while the filter is what qualys-mcp sends (catalogue §21 R1). One
listing failing is reported and the other still answers; when both fail, the first error is
raised so the engine reports the source's status (not_licensed, unavailable, ...).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from qualys_core.errors import QualysError
from qualys_core.plugins import AggregatorContext, Finding, TierSpec
from qualys_sdr.api.controls import ControlListing, SaasControl, list_controls

__all__ = ["CONTROLS_TIER", "LISTINGS", "Library", "read_library"]

CONTROLS_TIER = TierSpec(
    "sdr_controls", 600, 16, "SaaS DR control library: built-in and custom controls"
)
LISTINGS = {"built-in": False, "custom": True}


@dataclass
class Library:
    """The controls read (each with `is_custom` set by the listing it came from), the
    listings that failed, with a finding each, and whether every listing came from cache."""

    controls: list[SaasControl]
    failed: list[str] = field(default_factory=list)
    failures: list[Finding] = field(default_factory=list)
    cached: bool = True


async def _listing(ctx: AggregatorContext, custom: bool) -> tuple[ControlListing, bool]:
    fetched = False

    async def fetch() -> ControlListing:
        nonlocal fetched
        fetched = True
        return await list_controls(ctx.client, is_custom=custom)

    key = ("controls", "custom" if custom else "built-in")
    listing = await ctx.cache.get_or_fetch(CONTROLS_TIER.name, key, fetch)
    return listing, not fetched


async def read_library(ctx: AggregatorContext) -> Library:
    names = list(LISTINGS)
    answers = await asyncio.gather(
        *(_listing(ctx, LISTINGS[name]) for name in names), return_exceptions=True
    )
    library = Library(controls=[])
    errors: list[QualysError] = []
    for name, answer in zip(names, answers, strict=True):
        if isinstance(answer, QualysError):
            errors.append(answer)
            library.failed.append(name)
            library.failures.append(
                Finding(
                    text=f"SaaS DR {name} controls: no answer ({answer.source_status}: "
                    f"{answer}); the counts below leave them out",
                    severity="medium",
                )
            )
            continue
        if isinstance(answer, BaseException):
            raise answer
        listing, cached = answer
        library.cached = library.cached and cached
        custom = LISTINGS[name]
        library.controls += [c.model_copy(update={"is_custom": custom}) for c in listing.controls]
    if len(errors) == len(names):
        raise errors[0]
    return library
