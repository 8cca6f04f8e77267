"""check_compliance for the cloud: how the accounts' TotalCloud evaluations stand against a
framework (a CIS benchmark, a mandate such as PCI DSS, or every control when none is named).

The framework text is matched against what TotalCloud has: its mandates (each mapped to
controls) and the policies in its control library (each provider's CIS benchmark and best
practices). Per provider, in parallel: the control library and the connectors (accounts),
then every account's evaluations. A control fails in an account when its evaluation there
fails, and fails for a provider or the whole answer when it fails in any account; pass rates
are the share of evaluated controls not failing. One provider (or account) failing is
reported and the others answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
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
from qualys_totalcloud.aggregators.fanout import (
    FanOut,
    cached_connectors,
    fan_out,
    provider_name,
    providers_of,
)
from qualys_totalcloud.aggregators.posture_calls import Account, cached_evaluations
from qualys_totalcloud.api.controls import (
    ControlMetadata,
    Key,
    Mandate,
    Selection,
    list_control_metadata,
    list_mandates,
    match,
    policy_index,
)
from qualys_totalcloud.api.posture import ControlEvaluation

__all__ = ["AGGREGATORS", "COMPLIANCE_TIER", "TIERS", "cloud_compliance"]

T = TypeVar("T")

COMPLIANCE_TIER = TierSpec(
    "totalcloud_compliance",
    600,
    256,
    "TotalCloud control library and mandates (check_compliance)",
)
_RANK = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1}
_SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
_SHOWN = 3

# ---------------------------------------------------------------------------- fetching


async def _cached(
    ctx: AggregatorContext, key: tuple[str, ...], fetch: Callable[[], Awaitable[T]]
) -> T:
    return await ctx.cache.get_or_fetch(COMPLIANCE_TIER.name, key, fetch)


@dataclass
class _Library:
    controls: list[ControlMetadata]
    accounts: list[str]


async def _library(ctx: AggregatorContext, provider: str) -> _Library:
    controls, connectors = await asyncio.gather(
        _cached(ctx, ("metadata", provider), lambda: list_control_metadata(ctx.client, provider)),
        cached_connectors(ctx, provider),
    )
    accounts = list(dict.fromkeys(c.account_id for c in connectors if c.account_id))
    return _Library(controls, accounts)


async def _mandates(ctx: AggregatorContext) -> list[Mandate] | QualysError:
    async def fetch() -> list[Mandate]:
        found, _ = await list_mandates(ctx.client)
        return found

    try:
        return await _cached(ctx, ("mandates",), fetch)
    except QualysError as error:
        return error


async def _evaluations(
    ctx: AggregatorContext, provider: str, account: str
) -> list[ControlEvaluation]:
    # The very cached call totalcloud.posture makes, so assess_risk and check_compliance on
    # the same account share one read.
    return await cached_evaluations(ctx, Account(provider, account), None)


# ---------------------------------------------------------------------------- tallying


def _failing(row: ControlEvaluation) -> bool:
    return row.result == "FAIL" if row.result else row.failed > 0


@dataclass
class _Control:
    provider: str
    cid: int
    name: str | None
    service: str | None
    criticality: str | None
    failing_in: list[str] = field(default_factory=list)
    evaluated_in: int = 0
    failed_resources: int = 0

    @property
    def weight(self) -> int:
        return _RANK.get((self.criticality or "").upper(), 0)

    def rank(self) -> tuple[int, int, int, str, int]:
        worst = (-self.weight, -len(self.failing_in), -self.failed_resources)
        return (*worst, self.provider, self.cid)

    def record(self, detail: bool) -> dict[str, Any]:
        return {
            "kind": "control",
            "provider": provider_name(self.provider),
            "cid": self.cid,
            "name": self.name,
            "service": self.service,
            "criticality": self.criticality,
            "accounts_failing": len(self.failing_in),
            "accounts_evaluated": self.evaluated_in,
            "failed_resources": self.failed_resources,
            "failing_in": self.failing_in if detail else self.failing_in[:_SHOWN],
        }


@dataclass
class _Tally:
    """One selection's standing: per account counts and per control outcome."""

    accounts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    controls: dict[Key, _Control] = field(default_factory=dict)

    def add(self, provider: str, account: str, rows: Iterable[ControlEvaluation]) -> None:
        evaluated = failing = 0
        for row in rows:
            if row.control_id is None:
                continue
            evaluated += 1
            control = self.controls.get((provider, row.control_id))
            if control is None:
                control = self.controls[(provider, row.control_id)] = _Control(
                    provider, row.control_id, row.control_name, row.service, row.criticality
                )
            control.evaluated_in += 1
            if _failing(row):
                failing += 1
                control.failing_in.append(account)
                control.failed_resources += row.failed
        if evaluated:
            self.accounts[(provider, account)] = (evaluated, failing)

    def failing(self) -> list[_Control]:
        return sorted((c for c in self.controls.values() if c.failing_in), key=_Control.rank)


def _rate(passing: int, total: int) -> float:
    return round(100.0 * passing / total, 1) if total else 100.0


def _counts(controls: int, failing: int) -> dict[str, Any]:
    return {
        "controls": controls,
        "failing": failing,
        "pass_rate": _rate(controls - failing, controls),
    }


def _provider_records(tally: _Tally, providers: Sequence[str]) -> list[dict[str, Any]]:
    records = []
    for provider in providers:
        accounts = [(a, n) for (p, a), n in tally.accounts.items() if p == provider]
        if not accounts:
            continue
        controls = [c for (p, _), c in tally.controls.items() if p == provider]
        failing = sum(1 for c in controls if c.failing_in)
        by_account = sorted(
            ({"account_id": a, "controls": n, "failing": f, "pass_rate": _rate(n - f, n)}
             for a, (n, f) in accounts),
            key=lambda row: (row["pass_rate"], row["account_id"]),
        )  # fmt: skip
        records.append(
            {"kind": "provider", "provider": provider_name(provider), "accounts": len(accounts)}
            | _counts(len(controls), failing)
            | {"by_account": by_account}
        )
    return records


# ---------------------------------------------------------------------------- the aggregator


def _unmatched(text: str, available: list[str], failures: list[Finding]) -> AggregatorResult:
    listed = "; ".join(available) or "none (no control library or mandates answered)"
    others = [n for n in available if "CIS" not in n.split()]
    actions = [
        Action(
            priority=3,
            title=f"Check the cloud against {name}",
            why=f"'{text}' is not a framework TotalCloud evaluates; {name} is.",
            tool="check_compliance",
            arguments={"framework": name},
        )
        for name in (["CIS", *others][:_SHOWN] if available else [])
    ]
    headline = f"TotalCloud has no cloud framework matching '{text}'; it has: {listed}"
    return AggregatorResult(
        stats={"cloud_framework": "none matched", "cloud_frameworks_available": len(available)},
        findings=[Finding(text=headline, severity="info"), *failures],
        actions=actions,
    )


def _headline(selection: Selection, tally: _Tally, failing: list[_Control]) -> Finding:
    evaluated, accounts = len(tally.controls), len(tally.accounts)
    if not evaluated:
        return Finding(
            text=f"{selection.label} in the cloud: no evaluated controls in any account "
            "(no connectors, or no resources the framework's controls check)"
        )
    top = (failing[0].criticality or "").upper() if failing else ""
    label = selection.label if selection.everything else f"{selection.label} in the cloud"
    return Finding(
        text=f"{label}: {len(failing)} of {evaluated} controls failing "
        f"across {accounts} account{'s' if accounts != 1 else ''}",
        severity=_SEVERITY.get(top, "medium") if failing else "info",
    )


def _critical(failing: list[_Control]) -> list[Finding]:
    worst = [c for c in failing if c.weight == _RANK["CRITICAL"]][:_SHOWN]
    return [
        Finding(
            text=f"CRITICAL control failing: {c.name} ({provider_name(c.provider)} CID {c.cid}, "
            f"{c.service}) in {len(c.failing_in)} of {c.evaluated_in} accounts, "
            f"{c.failed_resources} resources",
            severity="critical",
        )
        for c in worst
    ]


def _action(control: _Control) -> Action:
    account = control.failing_in[0]
    return Action(
        priority={4: 1, 3: 2}.get(control.weight, 3),
        title=f"See the resources failing '{control.name}' in {account}",
        why=f"{control.criticality} control CID {control.cid} fails in "
        f"{len(control.failing_in)} {provider_name(control.provider)} account(s); assess_risk "
        "lists the failing resources of that account and service.",
        tool="assess_risk",
        arguments={
            "scope": "cloud",
            "provider": control.provider,
            "account_id": account,
            "service": control.service,
        },
    )


def _frameworks(
    rows: dict[tuple[str, str], list[ControlEvaluation]],
    mandates: Sequence[Mandate],
    library: dict[str, dict[str, set[Key]]],
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Overall posture: each mandate's and CIS benchmark's failing share, weakest first."""
    selections = [Selection(m.name, keys=frozenset((c.provider, c.cid) for c in m.controls))
                  for m in mandates]  # fmt: skip
    for by_policy in library.values():
        selections += [
            Selection(policy, keys=frozenset(keys), policies=frozenset({policy}))
            for policy, keys in by_policy.items()
            if "CIS" in policy.split()
        ]
    summary = []
    for selection in selections:
        tally = _Tally()
        for (provider, account), found in rows.items():
            tally.add(provider, account, (r for r in found if selection.covers(r)))
        if tally.controls:
            counts = _counts(len(tally.controls), len(tally.failing()))
            summary.append({"kind": "framework", "framework": selection.label} | counts)
    if not summary:
        return [], []
    summary.sort(key=lambda r: (r["pass_rate"], r["framework"]))
    weakest = ", ".join(
        f"{r['framework']} ({r['failing']} of {r['controls']} failing)" for r in summary[:_SHOWN]
    )
    return summary, [Finding(text=f"Weakest cloud frameworks: {weakest}", severity="low")]


def _label(provider: str) -> str:
    return f"TotalCloud {provider_name(provider)}"


async def _read(
    ctx: AggregatorContext, libraries: dict[str, _Library], wanted: list[str]
) -> tuple[dict[tuple[str, str], list[ControlEvaluation]], list[Finding], list[str]]:
    """Every account's evaluations of the wanted providers, failures as findings, and the
    providers that did not answer."""

    async def provider(p: str) -> FanOut[str, list[ControlEvaluation]]:
        return await fan_out(libraries[p].accounts, lambda a: _evaluations(ctx, p, a))

    read = await fan_out(wanted, provider)
    failures = read.failure_findings(_label)
    rows: dict[tuple[str, str], list[ControlEvaluation]] = {}
    for p, accounts in read.results.items():
        failures += accounts.failure_findings(partial(_account_label, p))
        rows.update(((p, a), found) for a, found in accounts.results.items())
    return rows, failures, list(read.errors)


def _account_label(provider: str, account: str) -> str:
    return f"{provider_name(provider)} account {account}"


def _mandates_failed(error: QualysError) -> Finding:
    return Finding(
        text=f"TotalCloud mandates: no answer ({error.source_status}: {error}); only CIS "
        "benchmarks and other policies are matched",
        severity="medium",
    )


async def cloud_compliance(ctx: AggregatorContext) -> AggregatorResult:
    """Cloud posture against the framework the call names (or every control)."""
    text = str(ctx.params.get("framework") or "").strip()
    limit = int(ctx.params.get("limit") or 25)
    providers = providers_of(ctx)
    libraries, mandates = await asyncio.gather(
        fan_out(providers, lambda p: _library(ctx, p), raise_if_all_fail=False), _mandates(ctx)
    )
    if not libraries.results:
        raise next(iter(libraries.errors.values()))
    failures = libraries.failure_findings(_label)
    if isinstance(mandates, QualysError):
        failures.append(_mandates_failed(mandates))
        mandates = []
    library = {p: policy_index(lib.controls) for p, lib in libraries.results.items()}
    overall = Selection("Cloud posture (all controls)", everything=True)
    selection = match(text, mandates, library) if text else overall
    if selection is None:
        available = [m.name for m in mandates] + sorted({p for b in library.values() for p in b})
        return _unmatched(text, available, failures)
    wanted = [p for p in libraries.results if selection.wants(p)]
    rows, read_failures, failed = await _read(ctx, libraries.results, wanted)
    tally = _Tally()
    for (provider, account), found in rows.items():
        tally.add(provider, account, (r for r in found if selection.covers(r)))
    failing = tally.failing()
    summary, weakest = _frameworks(rows, mandates, library) if not text else ([], [])
    head = [*_provider_records(tally, providers), *summary]
    controls = [c.record(bool(ctx.params.get("detail"))) for c in failing]
    room = max(0, limit - len(head))
    evaluated = len(tally.controls)
    stats: dict[str, int | float | str] = {
        "cloud_framework": selection.label,
        "cloud_controls_evaluated": evaluated,
        "cloud_controls_failing": len(failing),
        "cloud_control_pass_rate": _rate(evaluated - len(failing), evaluated),
        "cloud_accounts": len(tally.accounts),
    }
    if selection.names:
        stats["cloud_frameworks_matched"] = "; ".join(selection.names)
    if libraries.errors or failed:
        stats["cloud_failed_providers"] = ", ".join(
            map(provider_name, [*libraries.errors, *failed])
        )
    headline = _headline(selection, tally, failing)
    return AggregatorResult(
        records=[*head, *controls[:room]],
        total=len(head) + len(controls),
        truncated=len(controls) > room,
        more=f"raise limit (now {limit}) to see all {len(controls)} failing controls"
        if len(controls) > room
        else None,
        stats=stats,
        findings=[headline, *_critical(failing), *weakest, *failures, *read_failures],
        actions=[_action(c) for c in failing[:_SHOWN]],
    )


AGGREGATORS: tuple[Aggregator, ...] = (
    Aggregator(
        name="totalcloud.cloud_compliance",
        title="TotalCloud cloud compliance (CIS benchmarks and mandates)",
        fn=cloud_compliance,
        serves=(Serves(tool="check_compliance"),),
        module="TotalCloud",
        cache_tier=COMPLIANCE_TIER.name,
        cost="medium",
    ),
)
TIERS: tuple[TierSpec, ...] = (COMPLIANCE_TIER,)
