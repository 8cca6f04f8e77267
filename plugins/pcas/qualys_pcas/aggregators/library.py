"""`pcas.library` for check_compliance: what Qualys' Policy Audit library offers.

- `framework`: which library policies cover it (count, newest first, the technologies each
  covers), which library technologies have a policy under it and which have none. The plugin
  sees the library, not the customer's estate (that needs CSAM, another plugin), so coverage
  is the library's, narrowed to one technology by `platform`.
- `platform` alone: that technology's policies under every label, with the labels of each.
- neither: the library's labels with their policy counts, and the library's total.

An unknown framework or platform is a finding listing what the library has, not an error.
Importing a library policy is a write (`POST /pcas/v1/library/policy/import`): the plugin only
suggests it. Every library call is cached for an hour (`pcas_library`); a call that fails is
reported as a finding and the rest still answers; when no policy list answers, the source
fails with the first error (the overview still answers with its labels).

Records are for analysts and for readers such as a future Policy Compliance correlation
("failing framework controls with a library policy available but not deployed"), which reads
`ctx.results["pcas.library"].records`: `POLICY_RECORD_FIELDS` and `LABEL_RECORD_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_pcas.aggregators import views
from qualys_pcas.aggregators.calls import LIBRARY_TIER, LibraryCalls, fan_out
from qualys_pcas.api.library import Label, LibraryPolicy, Technology
from qualys_pcas.api.matching import match_framework, match_technology

__all__ = [
    "AGGREGATORS",
    "AGGREGATOR_NAME",
    "LABEL_RECORD_FIELDS",
    "POLICY_RECORD_FIELDS",
    "TIERS",
    "library",
]

AGGREGATOR_NAME = "pcas.library"
#: A policy record (`kind="policy"`): the library policy id (what the import API takes), its
#: title, the label names and technology names this call established for it (under a
#: framework: that framework's label and the technologies it covers there; for a platform
#: alone: every label and that technology), its version and last update (YYYY-MM-DD).
#: `detail=true` adds `sections`, `controls` and `section_headings` to the first five.
POLICY_RECORD_FIELDS = (
    "kind",
    "policy_id",
    "title",
    "labels",
    "technologies",
    "version",
    "updated",
)
#: A label record (`kind="label"`, the overview and the unknown-framework answer): the label's
#: name, id and policy count (None when its list did not answer or was not asked for).
LABEL_RECORD_FIELDS = ("kind", "label", "label_id", "policies")
_DETAILED = 5


def _result(
    ctx: AggregatorContext,
    calls: LibraryCalls,
    rows: list[dict[str, Any]],
    stats: dict[str, int | float | str],
    findings: list[Finding],
    actions: Sequence[Action] = (),
) -> AggregatorResult:
    limit = int(ctx.params.get("limit") or 25)
    truncated = len(rows) > limit
    return AggregatorResult(
        records=rows[:limit],
        total=len(rows),
        truncated=truncated,
        more="raise limit" if truncated else None,
        stats=stats,
        findings=findings,
        actions=list(actions),
        cached=not calls.fetched,
    )


async def _with_details(
    ctx: AggregatorContext, calls: LibraryCalls, rows: list[dict[str, Any]]
) -> None:
    """`detail=true`: the sections and controls of the first few policies, in place."""
    if not ctx.params.get("detail"):
        return
    found = await fan_out([r["policy_id"] for r in rows[:_DETAILED]], calls.detail)
    for row in rows[:_DETAILED]:
        detail = found.results.get(row["policy_id"])
        if detail is not None:
            row["sections"] = len(detail.sections)
            row["controls"] = detail.control_count
            row["section_headings"] = [s.heading for s in detail.sections if s.heading]


async def _overview(
    ctx: AggregatorContext, calls: LibraryCalls, labels: list[Label]
) -> AggregatorResult:
    whole = await fan_out([0], lambda _: calls.policies())
    per_label = await fan_out([lab.label_id for lab in labels], calls.policies)
    counts = {lid: len(found) for lid, found in per_label.results.items()}
    rows = sorted(
        (views.label_record(lab, counts.get(lab.label_id)) for lab in labels),
        key=lambda r: (-(r["policies"] if r["policies"] is not None else -1), r["label"]),
    )
    stats: dict[str, int | float | str] = {"labels": len(labels)}
    if 0 in whole.results:
        total = len(whole.results[0])
        stats["library_policies"] = total
        top = ", ".join(f"{r['label']} {r['policies']:,}" for r in rows[:4] if r["policies"])
        headline = f"The Policy Audit library holds {total:,} policies under {len(labels)} labels"
        headline += f" ({top})" if top else ""
    else:
        headline = f"The Policy Audit library has {len(labels)} labels; its policies did not answer"
    names = {lab.label_id: lab.name for lab in labels}
    if per_label.errors:
        stats["failed_labels"] = ", ".join(names[k] for k in per_label.errors)
    findings = [Finding(text=headline, severity="info")]
    findings += views.failure_findings("the library's policy list", whole.errors.values())
    findings += views.failure_findings(
        "the policy list of label",
        per_label.errors.values(),
        [names[k] for k in per_label.errors],
    )
    return _result(ctx, calls, rows, stats, findings)


def _unknown_framework(
    ctx: AggregatorContext, calls: LibraryCalls, framework: str, labels: list[Label]
) -> AggregatorResult:
    rows = [views.label_record(lab, None) for lab in labels]
    actions = (
        [
            Action(
                priority=3,
                title=f"Ask again with one of the library's frameworks, e.g. {labels[0].name}",
                why="check_compliance matches the framework against the library's labels.",
                tool="check_compliance",
                arguments={"framework": labels[0].name},
            )
        ]
        if labels
        else []
    )
    findings = views.unknown_framework_findings(framework, labels)
    return _result(ctx, calls, rows, {"framework_unknown": framework}, findings, actions)


async def _framework(
    ctx: AggregatorContext, calls: LibraryCalls, label: Label, platform: str | None
) -> AggregatorResult:
    lid = label.label_id
    techs = await fan_out([None, lid], calls.technologies)
    base = await fan_out([lid], lambda _: calls.policies(lid))
    everything: list[Technology] = techs.results.get(None, [])
    mine: list[Technology] = techs.results.get(lid, [])
    per_tech = await fan_out([t.technology_id for t in mine], lambda t: calls.policies(lid, t))
    if base.errors and not per_tech.results:
        raise next(iter(base.errors.values()))
    tech_name = {t.technology_id: t.name for t in mine}
    seen: dict[int, LibraryPolicy] = {p.policy_id: p for p in base.results.get(lid, [])}
    covering: dict[int, list[str]] = {}
    for tid, found in per_tech.results.items():
        for policy in found:
            seen.setdefault(policy.policy_id, policy)
            covering.setdefault(policy.policy_id, []).append(tech_name[tid])
    failures = views.failure_findings("the technology list", techs.errors.values())
    failures += views.failure_findings(f"the {label.name} policy list", base.errors.values())
    failures += views.failure_findings(
        f"the {label.name} policy list of",
        per_tech.errors.values(),
        [tech_name[k] for k in per_tech.errors],
    )
    stats: dict[str, int | float | str] = {"framework": label.name, "label_id": lid}
    if per_tech.errors:
        stats["failed_technologies"] = ", ".join(tech_name[k] for k in per_tech.errors)
    rows = [
        views.policy_record(p, [label.name], covering.get(p.policy_id, []))
        for p in views.by_newest(seen.values())
    ]
    if platform:
        tech = match_technology(platform, everything or mine)
        if tech is None:
            findings = views.unknown_platform_findings(platform, everything or mine)
            return _result(
                ctx, calls, [], stats | {"platform_unknown": platform}, findings + failures
            )
        rows = [r for r in rows if tech.name in r["technologies"]]
        await _with_details(ctx, calls, rows)
        stats |= {"platform": tech.name, "policies": len(rows)}
        actions = [views.import_action(rows[0])] if rows else []
        findings = [views.platform_headline(tech, label, rows)]
        return _result(ctx, calls, rows, stats, findings + failures, actions)
    await _with_details(ctx, calls, rows)
    counts = sorted(
        ((sum(1 for r in rows if name in r["technologies"]), name) for name in tech_name.values()),
        key=lambda c: (-c[0], c[1]),
    )
    stats |= {"policies": len(rows), "technologies_covered": len(mine)}
    covered = set(tech_name)
    uncovered = [t.name for t in everything if t.technology_id not in covered]
    of_all = f" of {len(everything)}" if everything else ""
    gaps = f" ({len(uncovered)} without one)" if uncovered else ""
    # The headline carries the gap's severity so that it stays the summary's first line.
    findings = [
        Finding(
            text=f"{label.name}: {len(rows):,} library policies cover {len(mine)}{of_all} "
            f"library technologies{gaps}",
            severity="low" if uncovered else "info",
        )
    ]
    if uncovered:
        findings.append(
            Finding(
                text=f"{len(uncovered)} library technologies have no {label.name} policy: "
                + views.names(uncovered, 8),
                severity="low",
            )
        )
    if counts:
        top = ", ".join(f"{name} ({n})" for n, name in counts[:5])
        findings.append(Finding(text=f"Most {label.name} policies: {top}", severity="info"))
    if everything:
        stats |= {
            "library_technologies": len(everything),
            "technologies_without_policy": len(uncovered),
        }
    actions = views.framework_actions(label, rows, counts)
    return _result(ctx, calls, rows, stats, findings + failures, actions)


async def _platform(
    ctx: AggregatorContext, calls: LibraryCalls, labels: list[Label], platform: str
) -> AggregatorResult:
    everything = await calls.technologies()
    tech = match_technology(platform, everything)
    if tech is None:
        findings = views.unknown_platform_findings(platform, everything)
        return _result(ctx, calls, [], {"platform_unknown": platform}, findings)
    tid = tech.technology_id
    base = await fan_out([tid], lambda _: calls.policies(None, tid))
    per_label = await fan_out(
        [lab.label_id for lab in labels], lambda lid: calls.policies(lid, tid)
    )
    if base.errors and not per_label.results:
        raise next(iter(base.errors.values()))
    label_name = {lab.label_id: lab.name for lab in labels}
    seen: dict[int, LibraryPolicy] = {p.policy_id: p for p in base.results.get(tid, [])}
    carrying: dict[int, list[str]] = {}
    for lid in (lab.label_id for lab in labels):
        for policy in per_label.results.get(lid, []):
            seen.setdefault(policy.policy_id, policy)
            carrying.setdefault(policy.policy_id, []).append(label_name[lid])
    rows = [
        views.policy_record(p, carrying.get(p.policy_id, []), [tech.name])
        for p in views.by_newest(seen.values())
    ]
    await _with_details(ctx, calls, rows)
    used = [lab.name for lab in labels if any(lab.name in r["labels"] for r in rows)]
    stats: dict[str, int | float | str] = {
        "platform": tech.name,
        "policies": len(rows),
        "labels_with_policies": len(used),
    }
    if per_label.errors:
        stats["failed_labels"] = ", ".join(label_name[k] for k in per_label.errors)
    findings = [views.platform_headline(tech, None, rows)]
    if used:
        per = ", ".join(f"{name} {sum(1 for r in rows if name in r['labels'])}" for name in used)
        findings.append(
            Finding(text=f"{tech.name} library policies by label: {per}", severity="info")
        )
    findings += views.failure_findings(f"the policy list of {tech.name}", base.errors.values())
    findings += views.failure_findings(
        f"the {tech.name} policy list of label",
        per_label.errors.values(),
        [label_name[k] for k in per_label.errors],
    )
    actions = [views.import_action(rows[0])] if rows else []
    return _result(ctx, calls, rows, stats, findings, actions)


async def library(ctx: AggregatorContext) -> AggregatorResult:
    """The Policy Audit library for check_compliance: see the module's description."""
    calls = LibraryCalls(ctx)
    labels = await calls.labels()
    framework: str | None = ctx.params.get("framework")
    platform: str | None = ctx.params.get("platform")
    if framework:
        label = match_framework(framework, labels)
        if label is None:
            return _unknown_framework(ctx, calls, framework, labels)
        return await _framework(ctx, calls, label, platform)
    if platform:
        return await _platform(ctx, calls, labels, platform)
    return await _overview(ctx, calls, labels)


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name=AGGREGATOR_NAME,
        title="Policy Audit library coverage",
        fn=library,
        serves=(Serves(tool="check_compliance"),),
        module="Policy Audit",
        cache_tier=LIBRARY_TIER.name,
        cost="medium",
    ),
)
TIERS: tuple[TierSpec, ...] = (LIBRARY_TIER,)
