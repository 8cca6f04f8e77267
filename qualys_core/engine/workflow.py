"""The workflow engine: one tool call from raw arguments to a finished envelope.

validate → (investigate) classify the target → select the installed plugins' aggregators →
run them concurrently under per-source timeouts and a call deadline → correlate → assemble.
`cache_status` is answered by the core itself from the cache registry.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from qualys_core.engine.assemble import assemble, no_plugin_envelope
from qualys_core.engine.correlate import run_correlations
from qualys_core.engine.dispatch import Outcome, run_sources, select_aggregators
from qualys_core.engine.envelope import DataBlock, Envelope, Summary
from qualys_core.engine.intent import classify
from qualys_core.http.client import QualysClient
from qualys_core.plugins.manager import PluginHost
from qualys_core.plugins.records import Aggregator, AggregatorContext, Intent, utc_now
from qualys_core.tools import ToolInputError, validate_params

__all__ = ["SERVING_PRODUCTS", "Engine"]

log = logging.getLogger("qualys_core.engine")
audit_log = logging.getLogger("qualys_core.audit")

# Which product plugins answer each tool and scope: what a tool says when none is installed.
SERVING_PRODUCTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "investigate": {
        "all": ("vmdr", "totalcloud", "totalai"),
        "vulns": ("vmdr",),
        "threats": ("vmdr",),
        "assets": ("vmdr",),
        "edr": ("edr",),
        "fim": ("fim",),
    },
    "assess_risk": {
        "all": ("vmdr", "totalcloud", "totalai", "sdr"),
        "vms": ("vmdr",),
        "assets": ("vmdr",),
        "cloud": ("totalcloud",),
        "containers": ("totalcloud",),
        "web": ("was",),
        "certs": ("certview",),
        "saas": ("sdr",),
        "ai": ("totalai",),
    },
    "check_compliance": {"all": ("vmdr", "pcas", "sdr", "totalcloud")},
    "plan_remediation": {"all": ("vmdr",)},
    "security_overview": {"all": ("vmdr", "totalcloud")},
    "reports": {"all": ("vmdr",)},
}

Progress = Callable[[Outcome, int, int], Awaitable[None]]


class Engine:
    """Runs tool calls against the installed plugins and one Qualys client."""

    def __init__(
        self,
        *,
        host: PluginHost,
        client: QualysClient,
        demo: bool = False,
        allow_writes: bool = False,
        deadline: float = 55.0,
        deep_deadline: float = 240.0,
        source_timeout: float = 45.0,
        concurrency: int = 8,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.host = host
        self.client = client
        self.demo = demo
        self.allow_writes = allow_writes
        self.deadline = deadline
        self.deep_deadline = deep_deadline
        self.source_timeout = source_timeout
        self.concurrency = concurrency
        self.clock = clock
        for spec in host.cache_tiers:
            client.cache.register(spec)

    def check_writes(self, tool: str, params: Mapping[str, Any]) -> None:
        if self.allow_writes:
            return
        if tool == "reports" and params.get("action") in ("generate", "delete"):
            raise ToolInputError(
                f"action: '{params['action']}' changes your Qualys subscription and this server "
                "is read-only; start it with --allow-writes (or QUALYS_MCP_ALLOW_WRITES=1) to "
                "allow it, or use one of list, templates, status, download"
            )
        if tool == "cache_status" and params.get("clear"):
            raise ToolInputError(
                "clear: clearing the caches needs the server started with --allow-writes "
                "(or QUALYS_MCP_ALLOW_WRITES=1); without clear, cache_status only reports"
            )

    async def call(
        self, tool: str, arguments: Mapping[str, Any], *, progress: Progress | None = None
    ) -> Envelope:
        """Run one tool call; raises ToolInputError for arguments the analyst must fix."""
        started = time.perf_counter()
        params: dict[str, Any] = dict(arguments)
        envelope: Envelope | None = None
        try:
            params = validate_params(tool, arguments).model_dump()
            self.check_writes(tool, params)
            if tool == "cache_status":
                envelope = self._cache_status(params)
            else:
                envelope = await self._workflow(tool, params, progress)
            return envelope
        finally:
            self._audit(tool, params, started, envelope)

    async def _workflow(
        self, tool: str, params: dict[str, Any], progress: Progress | None
    ) -> Envelope:
        intent: Intent | None = None
        if tool == "investigate":
            intent = classify(params["target"], self.host.recognisers)
        chosen = select_aggregators(self.host.aggregators, tool, params, intent)
        if not chosen:
            scope = str(params.get("scope") or "all")
            products = SERVING_PRODUCTS.get(tool, {})
            envelope = no_plugin_envelope(
                tool, scope, products.get(scope) or products.get("all", ()), demo=self.demo
            )
            if intent is not None:
                envelope.summary.stats["intent"] = intent.kind
            return envelope

        def context(aggregator: Aggregator) -> AggregatorContext:
            return AggregatorContext(
                client=self.client,
                cache=self.client.cache.for_plugin(aggregator.plugin),
                settings=self.client.settings,
                tool=tool,
                params=params,
                intent=intent,
                now=now,
            )

        now = self.clock()
        deadline = self.deep_deadline if params.get("depth") == "deep" else self.deadline
        outcomes = await run_sources(
            chosen,
            context,
            deadline=deadline,
            source_timeout=self.source_timeout,
            concurrency=self.concurrency,
            progress=progress,
        )
        findings, notes = await run_correlations(
            self.host.correlations, outcomes, tool=tool, params=params, intent=intent
        )
        envelope = assemble(tool, params, outcomes, findings, demo=self.demo, notes=notes)
        if intent is not None:
            envelope.summary.stats["intent"] = intent.kind
        return envelope

    def _cache_status(self, params: Mapping[str, Any]) -> Envelope:
        registry = self.client.cache
        tier = params.get("tier")
        if tier is not None and tier not in registry.names:
            raise ToolInputError(
                f"tier: '{tier}' is not a cache tier; use one of {', '.join(registry.names)}"
            )
        cleared: list[str] = []
        if params.get("clear"):
            cleared = registry.clear(tier)
        stats = [s for s in registry.stats() if tier is None or s.name == tier]
        hits = sum(s.hits for s in stats)
        lookups = hits + sum(s.misses for s in stats)
        rate = f"{hits / lookups:.0%}" if lookups else "n/a"
        entries = sum(s.size for s in stats)
        headline = (
            f"Cleared {len(cleared)} cache tier(s)"
            if cleared
            else f"{entries} cached entries in {len(stats)} tiers, hit rate {rate}"
        )
        return Envelope(
            tool="cache_status",
            demo=self.demo,
            summary=Summary(
                headline=headline,
                risk_level="info",
                stats={"entries": sum(s.size for s in stats), "hit_rate": rate},
            ),
            data={
                "cache.tiers": DataBlock(
                    title="Cache tiers",
                    records=[s.model_dump() for s in stats],
                    returned=len(stats),
                    total=len(stats),
                )
            },
        )

    def _audit(
        self, tool: str, params: Mapping[str, Any], started: float, envelope: Envelope | None
    ) -> None:
        if not audit_log.handlers:
            return
        line = {
            "ts": time.time(),
            "tool": tool,
            "params": {k: v for k, v in params.items() if v is not None},
            "duration_ms": round((time.perf_counter() - started) * 1000),
            "sources": {s.name: s.status for s in envelope.sources} if envelope else {},
            "ok": envelope is not None,
        }
        audit_log.info(json.dumps(line, default=str, sort_keys=True))
