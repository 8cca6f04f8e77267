"""TotalAI detections for the tools: what TotalAI's scans found on the AI models.

- assess_risk (scope ai): how many tests ran and failed (count API), the failing detections
  most severe first, the models affected with the share of attack prompts that succeeded,
  OWASP LLM Top 10 categories, jailbreaks.
- investigate (an `ai_model` target, which the `totalai.model` recogniser makes of model
  names and AI topics): the same for one model (modelQql `model.name`) or one topic
  (detectionQql on the OWASP category or `isJailBreak`).
- security_overview (scope ai): detections first seen in the period (count API; the most
  severe new failures unless `quick`).

Each call fans out to a few count and search requests. One failing keeps the others: the
result says which part failed and why; only when every part fails does the first error
propagate, so the engine reports the source's status (not_licensed, unavailable, ...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from qualys_core.errors import QualysError
from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Finding,
    Serves,
    TierSpec,
)
from qualys_totalai.aggregators.summary import (
    by_severity,
    level,
    model_findings,
    models_affected,
    owasp_counts,
    ranked,
    record,
    severity_text,
    top,
    worst_model_actions,
)
from qualys_totalai.api.detections import (
    Detection,
    count_detections,
    qql_and,
    quote,
    search_detections,
)
from qualys_totalai.recognise import KIND

__all__ = ["AGGREGATORS", "DETECTIONS_TIER", "TIERS", "detections", "intent_filters"]

DETECTIONS_TIER = TierSpec(
    "totalai_detections", 300, 256, "TotalAI detection counts and searches per filter"
)
FAILING = "finding.result:FAIL"
JAILBREAK = "finding.isJailBreak:true"
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
_MAX_FETCH = 500  # failing detections read per call: counts and models come from these
_NEW_SHOWN = 10
T = TypeVar("T")


class _Parts:
    """Runs a call's requests together; remembers which failed, and why."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, QualysError]] = []
        self.fetched = False

    async def run(self, **parts: Awaitable[Any]) -> dict[str, Any]:
        names = list(parts)
        outcomes = await asyncio.gather(*parts.values(), return_exceptions=True)
        done: dict[str, Any] = {}
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, QualysError):
                self.errors.append((name, outcome))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                done[name] = outcome
        if not done and self.errors:
            raise self.errors[0][1]
        return done

    def findings(self) -> list[Finding]:
        """One line per API that failed (the search, or one or more counts)."""
        failed: dict[str, QualysError] = {}
        for name, error in self.errors:
            failed.setdefault("search" if name == "search" else "count", error)
        return [
            Finding(
                text=f"TotalAI detection {api} failed ({error.source_status}: {error}); "
                "the rest of this answer comes from the requests that answered",
                severity="medium",
            )
            for api, error in failed.items()
        ]


async def _count(
    ctx: AggregatorContext, parts: _Parts, model_qql: str | None, detection_qql: str | None
) -> int:
    async def fetch() -> int:
        parts.fetched = True
        return await count_detections(ctx.client, model_qql=model_qql, detection_qql=detection_qql)

    key = ("count", model_qql, detection_qql)
    return await ctx.cache.get_or_fetch(DETECTIONS_TIER.name, key, fetch)


async def _search(
    ctx: AggregatorContext,
    parts: _Parts,
    model_qql: str | None,
    detection_qql: str | None,
    limit: int,
) -> tuple[list[Detection], int]:
    async def fetch() -> tuple[list[Detection], int]:
        parts.fetched = True
        found, total = await search_detections(
            ctx.client, model_qql=model_qql, detection_qql=detection_qql, limit=limit
        )
        return found, total if total is not None else len(found)

    key = ("search", model_qql, detection_qql, limit)
    return await ctx.cache.get_or_fetch(DETECTIONS_TIER.name, key, fetch)


def intent_filters(attributes: dict[str, str]) -> tuple[str | None, str | None]:
    """(modelQql, detectionQql) for an `ai_model` intent's attributes."""
    model = attributes.get("model")
    topic = attributes.get("topic")
    model_qql = f"model.name:{quote(model)}" if model else None
    if topic == "jailbreak":
        return model_qql, JAILBREAK
    if topic:
        return model_qql, f"finding.owaspTopTen:{quote(topic)}"
    return model_qql, None


def _limit(ctx: AggregatorContext) -> int:
    return int(ctx.params.get("limit") or 25)


def _listing(ctx: AggregatorContext, failing: Sequence[Detection], total: int) -> dict[str, Any]:
    shown = ranked(failing)[: _limit(ctx)]
    cut = len(shown) < total
    return {
        "records": [record(d, bool(ctx.params.get("detail"))) for d in shown],
        "total": total,
        "truncated": cut,
        "more": "raise limit" if cut else None,
    }


def _failing_summary(
    found: Sequence[Detection], scope: str, tested: int | None, failing_total: int | None
) -> tuple[dict[str, int | float | str], list[Finding], list[Action]]:
    """Stats, findings and actions for a set of failing detections."""
    failing = [d for d in found if d.failed]
    severities = by_severity(failing)
    models = models_affected(failing)
    owasp = owasp_counts(failing)
    jailbreaks = sum(1 for d in failing if d.is_jailbreak)
    failing_count = failing_total if failing_total is not None else len(failing)
    stats: dict[str, int | float | str] = {
        "totalai_failing": failing_count,
        **{f"totalai_sev{s}": n for s, n in severities.items()},
        "totalai_jailbreaks": jailbreaks,
        "totalai_models_affected": len(models),
    }
    if tested is not None:
        stats["totalai_detections"] = tested
    if owasp:
        stats["totalai_by_owasp"] = top(owasp, 10)
    if len(failing) < failing_count:
        stats["totalai_counted_from"] = len(failing)
    worst = next((s for s, n in severities.items() if n), None)
    of = f" of {tested:,}" if tested is not None else ""
    headline = f"{failing_count:,}{of} TotalAI tests failing" + (f" {scope}" if scope else "")
    if models and not scope.startswith("on "):
        headline += f" on {len(models)} AI model{'s' if len(models) != 1 else ''}"
    counts = severity_text(severities)
    headline += (f": {counts}" if counts else "") + (
        f" ({jailbreaks} jailbreak{'s' if jailbreaks != 1 else ''})" if jailbreaks else ""
    )
    findings = [Finding(text=headline, severity=level(worst))]
    findings.extend(model_findings(models))
    if owasp:
        findings.append(Finding(text=f"OWASP LLM Top 10 categories failing: {top(owasp, 10)}"))
    return stats, findings, worst_model_actions(models, jailbreaks)


async def _assess(ctx: AggregatorContext, parts: _Parts, model_qql: str | None,
                  detection_qql: str | None, scope: str) -> AggregatorResult:  # fmt: skip
    failing_qql = qql_and(detection_qql, FAILING)
    done = await parts.run(
        tested=_count(ctx, parts, model_qql, detection_qql),
        failing_count=_count(ctx, parts, model_qql, failing_qql),
        search=_search(ctx, parts, model_qql, failing_qql, _MAX_FETCH),
    )
    tested: int | None = done.get("tested")
    failing_total: int | None = done.get("failing_count")
    found: list[Detection] = []
    if "search" in done:
        found, search_total = done["search"]
        failing_total = failing_total if failing_total is not None else search_total
    stats, findings, actions = _failing_summary(found, scope, tested, failing_total)
    if "search" not in done:
        # Only the counts answered: say what is known, without per-model detail.
        stats = {k: v for k, v in stats.items() if not k.startswith("totalai_sev")}
        stats.pop("totalai_jailbreaks", None)
        stats.pop("totalai_models_affected", None)
        of = f" of {tested:,}" if tested is not None else ""
        failing_text = f"{failing_total:,}" if failing_total is not None else "An unknown number"
        where = f" {scope}" if scope else ""
        findings = [
            Finding(text=f"{failing_text}{of} TotalAI tests failing{where}", severity="medium")
        ]
        actions = []
    listing = _listing(ctx, found, len(found) if failing_total is None else failing_total)
    if "search" not in done:
        listing.update(total=failing_total, truncated=False, more=None)
    return AggregatorResult(
        **listing,
        stats=stats,
        findings=findings + parts.findings(),
        actions=actions,
        cached=not parts.fetched,
    )


async def _investigate(ctx: AggregatorContext, parts: _Parts) -> AggregatorResult:
    intent = ctx.intent
    if intent is None or intent.kind != KIND:
        return AggregatorResult()
    model_qql, detection_qql = intent_filters(intent.attributes)
    label = intent.attributes.get("topic_label")
    model = intent.attributes.get("model")
    words = [f"on models matching '{model}'" if model else "", f"for {label}" if label else ""]
    scope = " ".join(word for word in words if word)
    result = await _assess(ctx, parts, model_qql, detection_qql, scope)
    if result.stats.get("totalai_detections") == 0:
        what = f"models matching '{model}'" if model else label or "this target"
        result.findings[0] = Finding(text=f"TotalAI has no detections for {what}")
    return result


def _since(now: datetime, days: int) -> str:
    start = now.replace(second=0, microsecond=0) - timedelta(days=days)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _overview(ctx: AggregatorContext, parts: _Parts) -> AggregatorResult:
    period = str(ctx.params.get("period") or "week")
    days = PERIOD_DAYS.get(period, 7)
    new = f"finding.firstDetected>={quote(_since(ctx.now, days))}"
    new_failing = qql_and(new, FAILING)
    requests: dict[str, Awaitable[Any]] = {
        "new": _count(ctx, parts, None, new),
        "new_failing": _count(ctx, parts, None, new_failing),
        "new_severe": _count(ctx, parts, None, qql_and(new_failing, "finding.severity>=4")),
    }
    if not ctx.params.get("quick"):
        requests["search"] = _search(ctx, parts, None, new_failing, min(_limit(ctx), _NEW_SHOWN))
    done = await parts.run(**requests)
    found: list[Detection] = done["search"][0] if "search" in done else []
    failing: int | None = done.get("new_failing")
    severe: int | None = done.get("new_severe")
    stats: dict[str, int | float | str] = {"totalai_period_days": days}
    for name in ("new", "new_failing", "new_severe"):
        if name in done:
            stats[f"totalai_{name}"] = done[name]
    when = {"today": "today", "week": "this week", "month": "this month"}.get(period, period)
    parts_text = []
    if "new" in done:
        parts_text.append(f"{done['new']:,} new TotalAI detections {when}")
    if failing is not None:
        parts_text.append(f"{failing:,} failing")
    if severe is not None:
        parts_text.append(f"{severe:,} of severity 4-5")
    headline = ", ".join(parts_text) if parts_text else f"TotalAI detections {when}"
    findings = [Finding(text=headline, severity="high" if severe else "info")]
    findings.extend(
        Finding(
            text=f"New failing test on {d.model_name}: {d.name} (severity {d.severity}"
            f"{', jailbreak' if d.is_jailbreak else ''})",
            severity=level(d.severity),
        )
        for d in ranked(found)[:3]
    )
    actions = []
    if failing:
        actions.append(
            Action(
                priority=2 if severe else 3,
                title="Assess AI model risk",
                why=f"{failing} TotalAI tests started failing {when}.",
                tool="assess_risk",
                arguments={"scope": "ai"},
            )
        )
    shown = ranked(found)[: _limit(ctx)]
    total = failing if failing is not None else len(found)
    return AggregatorResult(
        records=[record(d, bool(ctx.params.get("detail"))) for d in shown],
        total=total if "search" in done else None,
        truncated="search" in done and len(shown) < (total or 0),
        more="assess_risk(scope='ai') lists them all" if len(shown) < (total or 0) else None,
        stats=stats,
        findings=findings + parts.findings(),
        actions=actions,
        cached=not parts.fetched,
    )


async def detections(ctx: AggregatorContext) -> AggregatorResult:
    """TotalAI detections for assess_risk, investigate and security_overview."""
    parts = _Parts()
    if ctx.tool == "investigate":
        return await _investigate(ctx, parts)
    if ctx.tool == "security_overview":
        return await _overview(ctx, parts)
    return await _assess(ctx, parts, None, None, "")


AGGREGATORS: list[Aggregator] = [
    Aggregator(
        name="totalai.detections",
        title="TotalAI AI model detections",
        fn=detections,
        serves=(
            Serves(tool="assess_risk", scopes=frozenset({"ai"})),
            Serves(tool="security_overview", scopes=frozenset({"ai"})),
            Serves(
                tool="investigate",
                scopes=frozenset({"vulns", "threats"}),
                # Not free_text: AI-related text never arrives as free text, since the
                # `totalai.model` recogniser claims it first.
                intents=frozenset({KIND}),
                depth="quick",
            ),
        ),
        module="TotalAI",
        cache_tier=DETECTIONS_TIER.name,
        cost="low",
    )
]
TIERS: list[TierSpec] = [DETECTIONS_TIER]
