"""Cache warm-up (only with `qualys-mcp serve --warm`): what the first calls need most.

The first security_overview, assess_risk or plan_remediation call pulls every open severity
4-5 detection and the KnowledgeBase entries of the top QIDs. Warm-up does exactly those pulls,
under the same cache keys, so the first call is a cache hit; on an estate too large for the
call budget it pulls a bounded sample instead and warms only the KnowledgeBase entries of the
QIDs that sample shows. Every Qualys call it makes counts against `MAX_CALLS`.
"""

from __future__ import annotations

import logging
import math

from qualys_core.plugins import AggregatorContext, WarmupTask
from qualys_vmdr.aggregators.exposure import inventory, query_for
from qualys_vmdr.api.detections import iter_host_detections
from qualys_vmdr.api.hosts import host_ids
from qualys_vmdr.api.kb import kb_entries

__all__ = ["MAX_CALLS", "WARMUP", "warm_vmdr"]

log = logging.getLogger("qualys_vmdr.warmup")

MAX_CALLS = 20
_PAGE_HOSTS = 1000  # the detection API's default truncation_limit
_KB_BATCH = 50


# Counts every API-server call of the client, so calls other tools make meanwhile count too:
# the budget errs on the side of warming less.
def _calls(ctx: AggregatorContext) -> int:
    return ctx.client.api.calls


async def warm_vmdr(ctx: AggregatorContext) -> None:
    started = _calls(ctx)
    hosts = await host_ids(ctx.client)
    # inventory(): one host-ID listing, then at least one detection page per partition.
    needed = 1 + max(1, math.ceil(len(hosts) / _PAGE_HOSTS)) + 4
    qds: dict[int, int] = {}
    if needed <= MAX_CALLS - (_calls(ctx) - started) - 1:
        summary = await inventory(ctx)
        qds = {qid: stats.max_qds for qid, stats in summary.qids.items()}
    else:
        pages = max(1, (MAX_CALLS - (_calls(ctx) - started)) // 2)
        query = query_for(ctx, severities=(4, 5))
        async for host in iter_host_detections(ctx.client, query, max_pages=pages):
            for detection in host.detections:
                qds[detection.qid] = max(qds.get(detection.qid, 0), detection.qds or 0)
    left = MAX_CALLS - (_calls(ctx) - started)
    if left > 0 and qds:
        top = sorted(qds, key=lambda qid: -qds[qid])[: left * _KB_BATCH]
        await kb_entries(ctx.client, ctx.cache, top)
    log.info("VMDR warm-up: %d QIDs summarised, %d Qualys calls", len(qds), _calls(ctx) - started)


WARMUP: tuple[WarmupTask, ...] = (
    WarmupTask(name="vmdr.open_criticals", fn=warm_vmdr, max_calls=MAX_CALLS),
)
