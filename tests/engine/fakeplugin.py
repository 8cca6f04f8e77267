"""A test plugin with aggregators that exercise the engine: overlap, failure, licensing, delay.

Aggregators call the Qualys client like real ones, so the tests see the whole path; the
transport behind the client is an httpx mock that `qualys_mock` builds.
"""

from __future__ import annotations

import asyncio

import httpx

from qualys_core.errors import Unavailable
from qualys_core.plugins import (
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Correlation,
    CorrelationContext,
    CorrelationFinding,
    Finding,
    Intent,
    PromptSpec,
    Recogniser,
    Serves,
    hookimpl,
)

FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln"


def qualys_mock() -> tuple[httpx.MockTransport, httpx.MockTransport]:
    """(api, gateway) transports: KB XML on the API server, JSON and a 404 module on the gateway."""

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/2.0/fo/knowledge_base/vuln/"):
            return httpx.Response(
                200,
                text="<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST><VULN><QID>38739</QID>"
                "<SEVERITY_LEVEL>5</SEVERITY_LEVEL><TITLE>Test vuln</TITLE></VULN></VULN_LIST>"
                "</RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>",
            )
        return httpx.Response(404)

    async def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth":
            return httpx.Response(201, text=FAKE_JWT)
        if request.url.path == "/slow":
            await asyncio.sleep(30)
        if request.url.path == "/rest/2.0/count/am/asset":
            return httpx.Response(200, json={"responseCode": "SUCCESS", "count": 2000})
        return httpx.Response(404, json={"message": "Not Found"})

    return httpx.MockTransport(api), httpx.MockTransport(gateway)


class Barrier:
    """Both overlap aggregators must be running at once, or neither finishes."""

    def __init__(self) -> None:
        self.arrived = 0
        self.event = asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived >= 2:
            self.event.set()
        await asyncio.wait_for(self.event.wait(), 5)


class FakePlugin:
    def __init__(self) -> None:
        self.barrier = Barrier()
        self.cancelled = asyncio.Event()

    async def kb(self, ctx: AggregatorContext) -> AggregatorResult:
        root = await ctx.client.api.xml(
            "GET",
            "/api/2.0/fo/knowledge_base/vuln/",
            params={"action": "list", "ids": "38739"},
            semaphore=ctx.client.kb_semaphore,
        )
        assert root is not None
        vulns = [
            {"qid": int(v.findtext("QID") or 0), "title": v.findtext("TITLE")}
            for v in root.iter("VULN")
        ]
        target = ctx.intent.normalized if ctx.intent else "?"
        return AggregatorResult(
            records=vulns,
            total=len(vulns),
            findings=[Finding(text=f"{target} is a severity 5 vulnerability", severity="critical")],
            actions=[Action(priority=1, title="Patch QID 38739", why="severity 5, exploited")],
        )

    async def assets(self, ctx: AggregatorContext) -> AggregatorResult:
        body = await ctx.client.gateway.json("POST", "/rest/2.0/count/am/asset", json_body={})
        await self.barrier.wait()
        many = [{"asset": f"host{i}", "risk": 1000 - i} for i in range(60)]
        return AggregatorResult(records=many, total=body["count"], stats={"assets": body["count"]})

    async def overlap(self, ctx: AggregatorContext) -> AggregatorResult:
        await self.barrier.wait()
        return AggregatorResult(records=[{"overlap": True}], total=1)

    async def broken(self, ctx: AggregatorContext) -> AggregatorResult:
        raise Unavailable("Qualys failed 4 times", http_status=503, path="/x")

    async def unlicensed(self, ctx: AggregatorContext) -> AggregatorResult:
        await ctx.client.gateway.json("GET", "/tai/api/1.0/detection/count", module="TotalAI")
        return AggregatorResult()

    async def slow(self, ctx: AggregatorContext) -> AggregatorResult:
        try:
            await ctx.client.gateway.json("GET", "/slow")
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        return AggregatorResult()

    async def correlate(self, ctx: CorrelationContext) -> list[CorrelationFinding]:
        qids = [r["qid"] for r in ctx.results["fake.kb"].records]
        return [
            CorrelationFinding(
                title=f"QID {qids[0]} sits on {ctx.results['fake.assets'].total} assets",
                severity="high",
                items=[{"qid": q} for q in qids],
            )
        ]

    @hookimpl
    def qualys_register_aggregators(self) -> list[Aggregator]:
        investigate = Serves(tool="investigate", intents=frozenset({"cve", "qid"}))
        return [
            Aggregator(
                name="fake.kb", title="Fake KB", fn=self.kb, serves=(investigate,), module="VMDR"
            ),
            Aggregator(
                name="fake.assets",
                title="Fake assets",
                fn=self.assets,
                serves=(investigate, Serves(tool="assess_risk", scopes=frozenset({"assets"}))),
                module="CSAM",
            ),
            Aggregator(
                name="fake.overlap",
                title="Fake overlap",
                fn=self.overlap,
                serves=(investigate, Serves(tool="assess_risk", scopes=frozenset({"assets"}))),
                module="VMDR",
            ),
            Aggregator(
                name="fake.broken",
                title="Fake broken",
                fn=self.broken,
                serves=(Serves(tool="assess_risk"),),
                module="VMDR",
            ),
            Aggregator(
                name="fake.unlicensed",
                title="Fake TotalAI",
                fn=self.unlicensed,
                serves=(Serves(tool="assess_risk", scopes=frozenset({"ai"})),),
                module="TotalAI",
            ),
            Aggregator(
                name="fake.slow",
                title="Fake slow",
                fn=self.slow,
                serves=(Serves(tool="security_overview"),),
                module="VMDR",
            ),
            Aggregator(
                name="fake.fast",
                title="Fake fast",
                fn=self.overlap_free,
                serves=(Serves(tool="security_overview"),),
                module="VMDR",
            ),
        ]

    async def overlap_free(self, ctx: AggregatorContext) -> AggregatorResult:
        return AggregatorResult(
            records=[{"scanner": "scanner-1", "status": "online"}],
            findings=[Finding(text="All scanners online", severity="info")],
        )

    @hookimpl
    def qualys_register_correlations(self) -> list[Correlation]:
        return [
            Correlation(
                name="fake.qid_on_assets",
                title="QID on assets",
                needs=("fake.kb", "fake.assets"),
                fn=self.correlate,
            )
        ]

    @hookimpl
    def qualys_register_recognisers(self) -> list[Recogniser]:
        def model_name(target: str) -> Intent | None:
            if target.lower().startswith("gpt-"):
                return Intent(kind="ai_model", value=target, normalized=target.lower())
            return None

        return [Recogniser(name="fake.ai_model", kind="ai_model", fn=model_name, priority=90)]

    @hookimpl
    def qualys_server_instructions(self) -> str:
        return "The fake plugin answers investigate for CVEs and QIDs."

    @hookimpl
    def qualys_register_prompts(self) -> list[PromptSpec]:
        def fake_prompt(host: str) -> str:
            return f"Investigate {host} with the fake plugin."

        return [PromptSpec(name="fake_host_review", description="Review a host", fn=fake_prompt)]


class BrokenPlugin:
    @hookimpl
    def qualys_register_aggregators(self) -> list[Aggregator]:
        raise RuntimeError("this plugin is broken on purpose")
