"""`sdr.controls`: the SaaS DR control library for assess_risk (scope saas) and
check_compliance.

assess_risk: the controls per SaaS application and criticality, custom and built-in counts,
then the controls, High criticality first (the API reports no pass/fail result, so nothing
ranks by failure). check_compliance: the controls a framework covers (see `matching`: by the
application it names and words of the control names), an overview without a framework, and
a finding listing what exists when nothing matches.
"""

from __future__ import annotations

from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_sdr.aggregators.library import CONTROLS_TIER, Library, read_library
from qualys_sdr.aggregators.matching import Selection, application_name, select
from qualys_sdr.aggregators.summary import (
    Tally,
    control_record,
    no_results_finding,
    tally,
)

__all__ = ["AGGREGATORS", "TIERS", "saas_controls"]

MODULE = "SaaS DR"


def _names(part: Tally) -> str:
    return ", ".join(application_name(c) for c, _ in part.applications())


def _result(
    ctx: AggregatorContext,
    library: Library,
    part: Tally,
    findings: list[Finding],
    actions: list[Action],
    stats: dict[str, int | float | str],
) -> AggregatorResult:
    limit = int(ctx.params.get("limit") or 25)
    detail = bool(ctx.params.get("detail"))
    head = part.application_rows()
    controls = [control_record(c, detail) for c in part.ordered()]
    stats |= part.stats()
    if library.failed:
        stats["saas_failed_listings"] = ", ".join(library.failed)
    return AggregatorResult(
        records=[*head, *controls][:limit],
        total=len(head) + len(controls),
        truncated=len(head) + len(controls) > limit,
        more=f"raise limit (now {limit}) to see all {len(controls)} controls"
        if len(head) + len(controls) > limit
        else None,
        stats=stats,
        findings=[*findings, *library.failures],
        actions=actions,
        cached=library.cached,
    )


def _overview_headline(part: Tally, lead: str) -> Finding:
    if not part.controls:
        return Finding(text=f"{lead}: no SaaS DR controls (no SaaS application connected?)")
    apps = part.applications()
    return Finding(
        text=f"{lead}: {len(part.controls)} SaaS DR controls across {len(apps)} SaaS "
        f"application{'s' if len(apps) != 1 else ''} ({_names(part)}): "
        f"{part.levels_text()} criticality; {part.custom} custom, {part.built_in} built-in",
        severity="info",
    )


async def _assess(ctx: AggregatorContext, library: Library) -> AggregatorResult:
    part = tally(library.controls)
    headline = _overview_headline(part, "SaaS risk")
    return _result(ctx, library, part, [headline, no_results_finding()], part.review_actions(), {})


def _unmatched(text: str, library: Library) -> AggregatorResult:
    part = tally(library.controls)
    apps = part.applications()
    listed = "; ".join(
        f"{application_name(c)} ({len(p.controls)} controls, {p.custom} custom)" for c, p in apps
    )
    headline = Finding(
        text=f"No SaaS DR controls match '{text}': SaaSDR controls carry no framework or "
        f"benchmark field, and '{text}' names no SaaS application and no control's words. "
        f"Controls exist for: {listed or 'no application'}",
        severity="info",
    )
    actions = [
        Action(
            priority=3,
            title=f"Check the {application_name(c)} SaaS controls",
            why=f"'{text}' matches no SaaS DR control; {application_name(c)} has "
            f"{len(p.controls)}.",
            tool="check_compliance",
            arguments={"framework": application_name(c)},
        )
        for c, p in apps[:3]
        if c
    ]
    stats: dict[str, int | float | str] = {
        "saas_framework": "none matched",
        "saas_controls": len(part.controls),
        "saas_applications": len(apps),
    }
    if library.failed:
        stats["saas_failed_listings"] = ", ".join(library.failed)
    return AggregatorResult(
        stats=stats,
        findings=[headline, *library.failures],
        actions=actions,
        cached=library.cached,
    )


async def _compliance(ctx: AggregatorContext, library: Library) -> AggregatorResult:
    text = str(ctx.params.get("framework") or "").strip()
    if not text:
        part = tally(library.controls)
        headline = _overview_headline(part, "SaaS posture")
        stats: dict[str, int | float | str] = {"saas_framework": "all controls"}
        findings = [headline, no_results_finding()]
        return _result(ctx, library, part, findings, part.review_actions(), stats)
    selection = select(text, library.controls)
    if selection is None:
        return _unmatched(text, library)
    return _selected(ctx, library, selection)


def _selected(ctx: AggregatorContext, library: Library, selection: Selection) -> AggregatorResult:
    part = tally(selection.controls)
    headline = Finding(
        text=f"{selection.label}: {len(part.controls)} SaaS DR controls "
        f"({part.levels_text()} criticality; {part.custom} custom, {part.built_in} built-in)",
        severity="info",
    )
    findings = [headline, Finding(text=selection.basis, severity="info"), no_results_finding()]
    stats: dict[str, int | float | str] = {"saas_framework": selection.label}
    actions = [] if selection.everything else _assess_action(selection)
    return _result(ctx, library, part, findings, actions, stats)


def _assess_action(selection: Selection) -> list[Action]:
    return [
        Action(
            priority=4,
            title="See every SaaS DR control",
            why=f"check_compliance showed the {len(selection.controls)} controls of "
            f"{selection.label}; assess_risk counts the whole SaaS library.",
            tool="assess_risk",
            arguments={"scope": "saas"},
        )
    ]


async def saas_controls(ctx: AggregatorContext) -> AggregatorResult:
    """The SaaS DR control library, shaped for the tool being answered."""
    library = await read_library(ctx)
    if ctx.tool == "check_compliance":
        return await _compliance(ctx, library)
    return await _assess(ctx, library)


def _serves() -> tuple[Serves, ...]:
    return (
        Serves(tool="assess_risk", scopes=frozenset({"saas"})),
        Serves(tool="check_compliance"),
    )


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="sdr.controls",
        title="SaaS DR controls (SaaS applications, criticality, custom controls)",
        fn=saas_controls,
        serves=_serves(),
        module=MODULE,
        cache_tier=CONTROLS_TIER.name,
        cost="low",
    ),
)
TIERS: tuple[TierSpec, ...] = (CONTROLS_TIER,)
