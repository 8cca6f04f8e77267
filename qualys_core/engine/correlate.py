"""Correlations: cross-source insights that run when every source they need answered.

A correlation that fails or is too slow is logged and left out, with a note; it never loses
the sources' own results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from qualys_core.engine.dispatch import Outcome
from qualys_core.plugins.records import (
    Correlation,
    CorrelationContext,
    CorrelationFinding,
    Intent,
)

__all__ = ["run_correlations"]

log = logging.getLogger("qualys_core.engine")


async def run_correlations(
    correlations: Sequence[Correlation],
    outcomes: Sequence[Outcome],
    *,
    tool: str,
    params: Mapping[str, Any],
    intent: Intent | None,
    seconds: float = 10.0,
) -> tuple[list[tuple[Correlation, CorrelationFinding]], list[str]]:
    """(correlation, finding) pairs, and notes about correlations that could not run."""
    ok = {o.aggregator.name: o.result for o in outcomes if o.status == "ok" and o.result}
    findings: list[tuple[Correlation, CorrelationFinding]] = []
    notes: list[str] = []
    runnable = [
        c
        for c in correlations
        if (not c.tools or tool in c.tools) and all(need in ok for need in c.needs)
    ]
    context = CorrelationContext(
        tool=tool,
        params=params,
        results={name: result for name, result in ok.items() if result is not None},
        intent=intent,
    )

    async def one(correlation: Correlation) -> list[CorrelationFinding]:
        return await asyncio.wait_for(correlation.fn(context), seconds)

    results = await asyncio.gather(*(one(c) for c in runnable), return_exceptions=True)
    for correlation, result in zip(runnable, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.warning("correlation %s failed: %r", correlation.name, result)
            notes.append(f"Correlation '{correlation.title}' could not run: {result!r}")
            continue
        findings.extend((correlation, finding) for finding in result)
    return findings, notes
