"""Dispatch: pick the aggregators a call needs and run them concurrently under timeouts.

Each source runs in its own task with its own timeout; the whole call runs under a deadline
after which unfinished sources are cancelled (which cancels their Qualys requests) and marked
`timeout`. A failing, unlicensed or crashing source becomes a named outcome; it never hides
what the other sources returned.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins.records import (
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Intent,
)

__all__ = ["Outcome", "ProgressFn", "run_sources", "select_aggregators"]

log = logging.getLogger("qualys_core.engine")

_DEPTHS = {"quick": 0, "standard": 1, "deep": 2}


@dataclass
class Outcome:
    """How one aggregator fared: a status from the envelope's list, and its result if any."""

    aggregator: Aggregator
    status: str
    result: AggregatorResult | None = None
    message: str | None = None
    hint: str | None = None
    duration: float = 0.0


ProgressFn = Callable[[Outcome, int, int], Awaitable[None]]


def select_aggregators(
    aggregators: Sequence[Aggregator],
    tool: str,
    params: Mapping[str, Any],
    intent: Intent | None = None,
) -> list[Aggregator]:
    """The aggregators that serve this tool, scope, intent, depth and action."""
    scope = params.get("scope") or "all"
    depth = _DEPTHS.get(str(params.get("depth") or "deep"), 2)
    action = params.get("action")
    quick = bool(params.get("quick"))
    chosen = []
    for aggregator in aggregators:
        if quick and aggregator.cost == "high":
            continue
        for serves in aggregator.serves:
            if serves.tool != tool:
                continue
            if scope != "all" and serves.scopes and scope not in serves.scopes:
                continue
            if serves.intents and (intent is None or intent.kind not in serves.intents):
                continue
            if _DEPTHS[serves.depth] > depth:
                continue
            if serves.actions and action not in serves.actions:
                continue
            chosen.append(aggregator)
            break
    return chosen


async def _run_one(aggregator: Aggregator, context: AggregatorContext, seconds: float) -> Outcome:
    started = time.perf_counter()
    try:
        result: object = await asyncio.wait_for(aggregator.fn(context), seconds)
    except QualysError as exc:
        return Outcome(
            aggregator,
            exc.source_status,
            message=str(exc),
            hint=exc.hint,
            duration=time.perf_counter() - started,
        )
    except TimeoutError:
        return Outcome(
            aggregator,
            "timeout",
            message=f"no answer within {seconds:g}s",
            hint="Retry, or narrow the request (limit, days, scope).",
            duration=time.perf_counter() - started,
        )
    except Exception as exc:  # a plugin bug must not take the other sources down
        log.warning("aggregator %s failed", aggregator.name, exc_info=True)
        return Outcome(
            aggregator,
            "unavailable",
            message=f"the aggregator failed: {type(exc).__name__}: {exc}",
            hint=f"This is a defect in the plugin {aggregator.plugin!r}; please report it.",
            duration=time.perf_counter() - started,
        )
    if not isinstance(result, AggregatorResult):
        return Outcome(
            aggregator,
            "bad_response",
            message=f"the aggregator returned {type(result).__name__}, not AggregatorResult",
            hint=f"This is a defect in the plugin {aggregator.plugin!r}; please report it.",
            duration=time.perf_counter() - started,
        )
    empty = not result.records and not result.findings and not result.total
    return Outcome(
        aggregator,
        "empty" if empty else "ok",
        result=result,
        duration=time.perf_counter() - started,
    )


async def run_sources(
    aggregators: Sequence[Aggregator],
    make_context: Callable[[Aggregator], AggregatorContext],
    *,
    deadline: float,
    source_timeout: float,
    concurrency: int = 8,
    progress: ProgressFn | None = None,
) -> list[Outcome]:
    """Run every aggregator concurrently; outcomes come back in the aggregators' order."""
    gate = asyncio.Semaphore(concurrency)
    total = len(aggregators)
    done = 0

    async def guarded(aggregator: Aggregator) -> Outcome:
        async with gate:
            timeout = min(aggregator.timeout or source_timeout, deadline)
            return await _run_one(aggregator, make_context(aggregator), timeout)

    tasks = {asyncio.ensure_future(guarded(a)): a for a in aggregators}
    outcomes: dict[str, Outcome] = {}
    started = time.perf_counter()
    try:
        pending = set(tasks)
        while pending:
            remaining = deadline - (time.perf_counter() - started)
            if remaining <= 0:
                break
            finished, pending = await asyncio.wait(
                pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            for task in finished:
                outcome = task.result()
                outcomes[outcome.aggregator.name] = outcome
                done += 1
                if progress is not None:
                    try:
                        await progress(outcome, done, total)
                    except Exception:  # a client that cannot take progress loses nothing else
                        log.debug("progress notification failed", exc_info=True)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for aggregator in aggregators:
        if aggregator.name not in outcomes:
            outcomes[aggregator.name] = Outcome(
                aggregator,
                "timeout",
                message=f"did not finish within the call's {deadline:g}s deadline",
                hint="The other sources' results are shown; retry this one with a narrower "
                "request, or use depth=deep for a longer deadline.",
                duration=deadline,
            )
    return [outcomes[a.name] for a in aggregators]
