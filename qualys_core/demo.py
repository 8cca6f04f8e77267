"""`qualys-mcp demo`: a short guided tour of the tools on the embedded synthetic tenant.

The tour asks the questions an analyst starts a day with, keeps the ones some installed plugin
answers, and adds one question for every installed aggregator the script did not reach, so a
third-party plugin shows up in the tour too. It always runs on the simulator, never on a real
subscription, even when credentials are set: a demo must not spend anyone's API quota.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualys_core.app import App
from qualys_core.engine.dispatch import select_aggregators
from qualys_core.engine.intent import classify
from qualys_core.engine.render import render_markdown
from qualys_core.plugins.manager import PluginHost
from qualys_core.plugins.records import Aggregator
from qualys_core.settings import Settings

__all__ = ["TOUR", "TourStop", "plan_tour", "run_tour"]


@dataclass(frozen=True)
class TourStop:
    """One question of the tour: the tool call and why an analyst would ask it."""

    question: str
    tool: str
    params: Mapping[str, Any] = field(default_factory=dict)


TOUR: tuple[TourStop, ...] = (
    TourStop(
        "What changed this week, and what needs me first?",
        "security_overview",
        {"period": "week", "quick": True},
    ),
    TourStop(
        "Are we exposed to the PAN-OS GlobalProtect flaw (CVE-2024-3400)?",
        "investigate",
        {"target": "CVE-2024-3400"},
    ),
    TourStop(
        "Which assets are exposed to ransomware-linked vulnerabilities?",
        "investigate",
        {"target": "ransomware"},
    ),
    TourStop("How risky are our virtual machines?", "assess_risk", {"scope": "vms"}),
    TourStop("How risky is our cloud estate?", "assess_risk", {"scope": "cloud"}),
    TourStop("Which AI models are vulnerable or misbehaving?", "assess_risk", {"scope": "ai"}),
    TourStop("Which SaaS apps are misconfigured?", "assess_risk", {"scope": "saas"}),
    TourStop("Where do we stand on PCI DSS?", "check_compliance", {"framework": "PCI DSS"}),
    TourStop("What should we patch first?", "plan_remediation", {"scope": "patches"}),
)


def _served(host: PluginHost, stop: TourStop) -> list[Aggregator]:
    intent = None
    if stop.tool == "investigate":
        intent = classify(str(stop.params.get("target", "")), host.recognisers)
    return select_aggregators(host.aggregators, stop.tool, dict(stop.params), intent)


def plan_tour(host: PluginHost, script: Sequence[TourStop] = TOUR) -> list[TourStop]:
    """The stops some installed plugin answers, plus one per aggregator the script missed."""
    stops: list[TourStop] = []
    reached: set[str] = set()
    for stop in script:
        served = _served(host, stop)
        if served:
            stops.append(stop)
            reached.update(agg.name for agg in served)
    for aggregator in host.aggregators:
        if aggregator.name in reached or not aggregator.serves:
            continue
        serves = aggregator.serves[0]
        params: dict[str, Any] = {}
        if serves.scopes:
            params["scope"] = sorted(serves.scopes)[0]
        if serves.tool == "investigate":
            # An aggregator for a particular intent is only reached through a target of it.
            params["target"] = "CVE-2021-44228"
        stop = TourStop(f"What does the {aggregator.plugin} plugin add?", serves.tool, params)
        served = _served(host, stop)
        if served:
            stops.append(stop)
            reached.update(agg.name for agg in served)
    return stops


def _demo_settings() -> Settings:
    # Explicit None beats the environment: the tour never touches a real subscription.
    return Settings(pod=None, username=None, password=None, base_url=None, gateway_url=None)


async def run_tour(
    write: Callable[[str], None], *, host: PluginHost | None = None, app: App | None = None
) -> int:
    """Print the tour to `write`; returns the number of questions answered."""
    own = app is None
    if app is None:
        app = App(_demo_settings(), host=host)
    try:
        assert app.simulator is not None, "the tour runs on the embedded simulator only"
        tenant = app.simulator.tenant
        write(
            f"# qualys-mcp demo: {tenant.subscription_name}\n\n"
            f"A synthetic Qualys tenant of {len(tenant.hosts):,} assets served by the embedded "
            "simulator. Nothing here is real data; no Qualys API was called.\n"
        )
        plugins = ", ".join(p.name for p in app.host.plugins) or "none"
        write(f"Installed plugins: {plugins}\n")
        for error in [*app.host.load_errors, *app.simulator_errors]:
            write(f"Plugin problem (left out): {error}\n")
        stops = plan_tour(app.host)
        if not stops:
            if app.host.plugins:
                why = (
                    f"The installed plugins ({plugins}) answer none of the tools yet, so there "
                    "is nothing to tour."
                )
            else:
                why = (
                    "No installed plugin answers any tool yet, so there is nothing to tour. "
                    "Install a product plugin, e.g. `pip install qualys-mcp-vmdr`, and run "
                    "`qualys-mcp demo` again."
                )
            write(f"\n{why} Here is what a tool says meanwhile:\n")
            stops = [TOUR[1]]
        for number, stop in enumerate(stops, 1):
            arguments = " ".join(f"--{k} {v}" for k, v in stop.params.items())
            write(
                f"\n## {number}. {stop.question}\n\n"
                f"`qualys-mcp call {stop.tool} {arguments}`".rstrip()
                + "\n\n"
            )
            envelope = await app.engine.call(stop.tool, stop.params)
            write(render_markdown(envelope, budget=4000) + "\n")
        write(
            "\nNext: connect an MCP client (see the README), or run `qualys-mcp call TOOL "
            "--param value` with your own questions. Set QUALYS_POD, QUALYS_USERNAME and "
            "QUALYS_PASSWORD to use your subscription.\n"
        )
        return len(stops)
    finally:
        if own:
            await app.aclose()
