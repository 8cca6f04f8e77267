"""assess_risk's views of the CSAM inventory: the riskiest assets with the estate's TruRisk
bands, end-of-life OS, hardware and software, stale assets, and assets per tag.

Each view makes a bounded number of CSAM calls: counts where a number answers the question,
searches capped at `FETCH_CAP` assets where a ranking needs records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins import Action, AggregatorContext, AggregatorResult, Finding
from qualys_vmdr.aggregators.csam_context import (
    CsamCalls,
    asset_row,
    by_criticality,
    by_risk,
    days_since,
    gather_all,
    gather_pair,
    limit_of,
    plural,
    scope_filters,
    software_rows,
    tag_phrase,
)
from qualys_vmdr.api.csam import (
    DEFAULT_FIELDS,
    Asset,
    Filter,
    TagInfo,
    criticality_above,
    hardware_lifecycle_filter,
    os_lifecycle_filter,
    tag_filter,
    trurisk_above,
    updated_before,
)

__all__ = ["eol_assets", "risky_assets", "stale_assets", "tag_breakdown"]

FETCH_CAP = 500  # most assets one view pages through to rank them
SOFTWARE_SWEEP = 200  # assets whose software eol_assets checks
MAX_TAGS = 24  # tags tag_breakdown counts
HIGH_FOR = 8  # of those, the largest whose high-TruRisk assets it counts
_BAND_STEPS = (900, 849, 699, 499)  # GREATER values: above 900, critical, high+, medium+
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


async def _band_counts(csam: CsamCalls, scope: list[Filter]) -> dict[int | None, int]:
    """Scope size (key None) and assets above each TruRisk step: five count calls."""
    steps: list[int | None] = [None, *_BAND_STEPS]
    counts = await gather_all(
        [csam.count(scope + ([trurisk_above(s)] if s is not None else [])) for s in steps]
    )
    return dict(zip(steps, counts, strict=True))


async def _ranked(
    csam: CsamCalls,
    scope: list[Filter],
    limit: int,
    steps: Sequence[Filter | None],
    key: Callable[[Asset], tuple[int, ...]],
) -> tuple[list[Asset], bool]:
    """The top `limit` assets by `key`, searching the narrowest step holding `limit` of them."""
    assets: list[Asset] = []
    more = False
    for step in steps:
        page = await csam.search(scope + ([step] if step else []), limit=FETCH_CAP)
        # A band leaves the assets below it out of the ranking: more rows exist, or may.
        assets, more = list(page.assets), page.more or step is not None
        if len(assets) >= limit:
            break
    return sorted(assets, key=key)[:limit], more or len(assets) > limit


async def risky_assets(ctx: AggregatorContext) -> AggregatorResult:
    """The riskiest assets by TruRisk (or criticality), with the estate's TruRisk bands."""
    csam, scope, limit, tag = CsamCalls(ctx), scope_filters(ctx), limit_of(ctx), tag_phrase(ctx)
    counts: dict[int | None, int] | None = None
    problem = None
    try:
        counts = await _band_counts(csam, scope)
    except QualysError as exc:  # the ranking still answers; the counts are reported missing
        problem = exc
    steps: list[Filter | None]
    if ctx.params.get("sort_by") == "severity":
        order = "criticality, then TruRisk"
        steps = [criticality_above(n) for n in (4, 3, 2)] + [None]
        top, cut = await _ranked(csam, scope, limit, steps, by_criticality)
    else:
        # qds and last_seen have no meaning for an asset; TruRisk is its score.
        order = "TruRisk"
        if counts is None:
            steps = [trurisk_above(699), None]
        else:
            # The narrowest band that holds `limit` assets: one search ranks them exactly.
            wide = [s for s in _BAND_STEPS if counts[s] >= limit]
            steps = [trurisk_above(wide[0]) if wide else None]
        top, cut = await _ranked(csam, scope, limit, steps, by_risk)
    records = [asset_row(a, now=ctx.now, detail=bool(ctx.params.get("detail"))) for a in top]
    findings: list[Finding] = []
    stats: dict[str, int | float | str] = {"sorted_by": order}
    if counts is not None:
        size = counts[None]
        stats |= {
            "assets": size,
            "trurisk_over_900": counts[900],
            "trurisk_critical": counts[849],
            "trurisk_high": counts[699] - counts[849],
            "trurisk_medium": counts[499] - counts[699],
            "trurisk_low": size - counts[499],
        }
        if counts[900]:
            text = f"{counts[900]:,} assets{tag} have TruRisk above 900"
            findings.append(Finding(text=text, severity="critical"))
        if counts[699]:
            text = f"{counts[699]:,} of {size:,} assets{tag} have TruRisk 700 or more"
            findings.append(Finding(text=text, severity="high"))
    else:
        over = sum(1 for a in top if (a.trurisk or 0) > 900)
        if over:
            text = f"{over} of the {len(top)} riskiest assets{tag} have TruRisk above 900"
            findings.append(Finding(text=text, severity="critical"))
        findings.append(Finding(text=f"TruRisk band counts unavailable: {problem}", severity="low"))
    if top and not findings:
        text = f"No asset{tag} has TruRisk 700 or more; the highest is {top[0].trurisk}"
        findings.append(Finding(text=text, severity="info"))
    actions = []
    if top and (top[0].trurisk or 0) >= 700:
        actions.append(
            Action(
                priority=2,
                title=f"Investigate {top[0].label}",
                why=f"Highest TruRisk{tag}: {top[0].trurisk}",
                tool="investigate",
                arguments={"target": f"asset:{top[0].asset_id}"},
            )
        )
    total = counts[None] if counts is not None else None
    cut = cut if total is None else total > len(records)
    return AggregatorResult(
        records=records,
        total=total,
        truncated=cut,
        more=f"raise limit (now {limit}) or narrow with tag" if cut else None,
        stats=stats,
        findings=findings,
        actions=actions,
        cached=not csam.fetched,
    )


_EOL_SEARCHES = (
    ("OS EOL", "eol_os", os_lifecycle_filter("EOL")),
    ("OS EOS", "eos_os", os_lifecycle_filter("EOS")),
    ("hardware EOL", "eol_hardware", hardware_lifecycle_filter("EOL")),
    ("hardware EOS", "eos_hardware", hardware_lifecycle_filter("EOS")),
)


async def eol_assets(ctx: AggregatorContext) -> AggregatorResult:
    """Assets on end-of-life or end-of-support OS, hardware or software."""
    csam, scope, limit, tag = CsamCalls(ctx), scope_filters(ctx), limit_of(ctx), tag_phrase(ctx)
    fields = (*DEFAULT_FIELDS, "softwareListData")
    pages, (counts, sweep) = await gather_pair(
        gather_all(
            [csam.search([*scope, f], limit=limit, fields=fields) for *_, f in _EOL_SEARCHES]
        ),
        gather_pair(
            gather_all([csam.count([*scope, f]) for *_, f in _EOL_SEARCHES]),
            csam.search(scope, limit=SOFTWARE_SWEEP, fields=fields),
        ),
    )
    reasons: dict[int, list[str]] = {}
    assets: dict[int, Asset] = {}
    for (reason, *_), page in zip(_EOL_SEARCHES, pages, strict=True):
        for asset in page.assets:
            assets.setdefault(asset.asset_id, asset)
            reasons.setdefault(asset.asset_id, []).append(reason)
    on_eol_software = [a for a in sweep.assets if a.eol_software]
    for asset in on_eol_software:
        assets.setdefault(asset.asset_id, asset)
        reasons.setdefault(asset.asset_id, []).append("software EOL/EOS")
    ranked = sorted(assets.values(), key=by_risk)
    detail = bool(ctx.params.get("detail"))
    records = [
        asset_row(a, now=ctx.now, detail=detail)
        | {"reasons": reasons[a.asset_id], "eol_software": software_rows(a.eol_software)}
        for a in ranked
    ]
    stats: dict[str, int | float | str] = {
        key: n for (_, key, _), n in zip(_EOL_SEARCHES, counts, strict=True)
    }
    stats |= {"software_checked": len(sweep.assets), "eol_software_assets": len(on_eol_software)}
    findings = []
    for label, os_n, hw_n in (
        ("end-of-life", counts[0], counts[2]),
        ("end-of-support", counts[1], counts[3]),
    ):
        if os_n:
            findings.append(
                Finding(text=f"{os_n:,} assets{tag} run an {label} OS", severity="high")
            )
        if hw_n:
            findings.append(
                Finding(text=f"{hw_n:,} assets{tag} are on {label} hardware", severity="medium")
            )
    if on_eol_software:
        checked = f"the first {len(sweep.assets)}" if sweep.more else f"all {len(sweep.assets)}"
        products = sorted({s.name for a in on_eol_software for s in a.eol_software})
        text = (
            f"{len(on_eol_software)} of {checked} assets{tag} checked run end-of-life software "
            f"({', '.join(products[:4])}{', ...' if len(products) > 4 else ''})"
        )
        findings.append(Finding(text=text, severity="medium"))
    if not findings:
        findings.append(
            Finding(
                text=f"No asset{tag} runs end-of-life OS, hardware or software", severity="info"
            )
        )
    cut = any(p.more for p in pages) or sweep.more
    return AggregatorResult(
        records=records,
        total=None if cut else len(records),
        truncated=cut,
        more=f"raise limit (now {limit}) or narrow with tag" if cut else None,
        stats=stats,
        findings=findings,
        cached=not csam.fetched,
    )


async def stale_assets(ctx: AggregatorContext) -> AggregatorResult:
    """Assets neither updated nor scanned in `days`: agents that stopped checking in, hosts
    the scanners missed. The first `limit` of them (in asset id order), oldest first."""
    csam, limit, tag = CsamCalls(ctx), limit_of(ctx), tag_phrase(ctx)
    days = int(ctx.params.get("days") or 30)
    filters = [*scope_filters(ctx), updated_before(ctx.now - timedelta(days=days))]
    page, total = await gather_pair(csam.search(filters, limit=limit), csam.count(filters))
    oldest = sorted(page.assets, key=lambda a: (a.last_modified or _NEVER, a.asset_id))
    detail = bool(ctx.params.get("detail"))
    records = [
        asset_row(a, now=ctx.now, detail=detail)
        | {"days_since_update": days_since(a.last_modified, ctx.now)}
        for a in oldest
    ]
    findings, actions = [], []
    if total:
        text = f"{total:,} assets{tag} have not been updated or scanned in {days} days"
        findings.append(Finding(text=text, severity="medium"))
        risky = [a for a in page.assets if (a.trurisk or 0) >= 700]
        if risky:
            text = (
                f"{plural(len(risky), 'stale asset')}{tag} with TruRisk 700 or more, "
                f"e.g. {risky[0].label}"
            )
            findings.append(Finding(text=text, severity="high"))
        actions.append(
            Action(
                priority=2,
                title="Restore scan coverage of stale assets",
                why=f"{total:,} assets have reported nothing for {days} days: check their cloud "
                "agents' check-ins and the scanners' target lists, or purge retired hosts.",
            )
        )
    else:
        findings.append(
            Finding(text=f"Every asset{tag} was updated in the last {days} days", severity="info")
        )
    return AggregatorResult(
        records=records,
        total=total,
        truncated=total > len(records),
        stats={"stale_assets": total, "stale_days": days},
        findings=findings,
        actions=actions,
        cached=not csam.fetched,
    )


def _tag_candidates(tags: Sequence[TagInfo], wanted: str | None) -> list[TagInfo]:
    """The tags to count: the leaves, or the children of (or just) the tag asked for."""
    parents = {t.parent_id for t in tags if t.parent_id is not None}
    if not wanted:
        return [t for t in tags if t.id not in parents]
    named = next((t for t in tags if t.name.casefold() == wanted.casefold()), None)
    if named is None:
        return [TagInfo(id=0, name=wanted)]
    children = [t for t in tags if t.parent_id == named.id]
    return children or [named]


async def tag_breakdown(ctx: AggregatorContext) -> AggregatorResult:
    """Assets and high-TruRisk assets per tag: the leaf tags, or one tag's children (`tag`)."""
    csam = CsamCalls(ctx)
    listing = await csam.tags()
    names = {t.id: t.name for t in listing.tags}
    candidates = _tag_candidates(listing.tags, ctx.params.get("tag"))
    counted = candidates[:MAX_TAGS]
    sizes = await gather_all([csam.count([tag_filter(t.name)]) for t in counted])
    ranked = sorted(zip(counted, sizes, strict=True), key=lambda pair: (-pair[1], pair[0].name))
    top = [(t, n) for t, n in ranked[:HIGH_FOR] if n]
    highs = await gather_all([csam.count([tag_filter(t.name), trurisk_above(699)]) for t, _ in top])
    high_of = {t.id: h for (t, _), h in zip(top, highs, strict=True)}
    records: list[dict[str, Any]] = []
    for tag, size in ranked:
        high = high_of.get(tag.id)
        records.append(
            {
                "tag": tag.name,
                "parent": names.get(tag.parent_id) if tag.parent_id is not None else None,
                "assets": size,
                "high_trurisk": high,
                "high_share": round(100 * high / size, 1) if high is not None and size else None,
            }
        )
    findings = []
    for record in sorted(records, key=lambda r: -(r["high_trurisk"] or 0))[:3]:
        if record["high_trurisk"]:
            high, size = record["high_trurisk"], record["assets"]
            text = f"{record['tag']}: {high:,} of {size:,} assets have TruRisk 700 or more"
            findings.append(Finding(text=text, severity="high"))
    if ranked and not findings:
        findings.append(
            Finding(
                text=f"Largest tag: {ranked[0][0].name} ({ranked[0][1]:,} assets)", severity="info"
            )
        )
    cut = len(candidates) > len(counted) or listing.more
    return AggregatorResult(
        records=records,
        total=None if listing.more else len(candidates),
        truncated=cut,
        more="pass tag=<a parent tag> to break down one family" if cut else None,
        stats={"tags_counted": len(counted), "tags_listed": len(listing.tags)},
        findings=findings,
        cached=not csam.fetched,
    )
