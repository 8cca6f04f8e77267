"""The account-level calls the posture aggregators share: each account of the call's providers
(from the cached connector lists; an account is a connector's account id), its cached control
evaluations, counts and failing resources, and running one coroutine per account so that a
failing provider or account is reported while the others answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from qualys_core.plugins import AggregatorContext, AggregatorResult, Finding, TierSpec
from qualys_core.plugins.records import Severity
from qualys_totalcloud.aggregators.fanout import (
    FanOut,
    cached_connectors,
    fan_out,
    provider_name,
    providers_of,
)
from qualys_totalcloud.api.posture import (
    ControlEvaluation,
    ResourceEvaluation,
    control_resources,
    count_evaluations,
    list_evaluations,
)

__all__ = [
    "FAIL",
    "POSTURE_TIER",
    "Account",
    "Estate",
    "account_label",
    "cached_control_resources",
    "cached_count",
    "cached_evaluations",
    "criticality_rank",
    "each_account",
    "failure_report",
    "service_filter",
    "severity_of",
    "unknown_account",
]

T = TypeVar("T")

POSTURE_TIER = TierSpec(
    "totalcloud_posture",
    600,
    1024,
    "TotalCloud control evaluations, counts and failing resources per account and filter",
)
FAIL = "result:FAIL"
CRITICALITY = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
_SEVERITY: tuple[Severity, ...] = ("critical", "high", "medium", "low", "medium")
# TotalCloud's own spelling of common services (as its Posture view shows them), so that
# `service=s3` or `service=virtual machine` filters as Qualys expects; other names go as given.
_SERVICES = {
    name.lower(): name
    for name in (
        "S3", "EC2", "IAM", "VPC", "EBS", "RDS", "Lambda", "KMS", "CloudTrail", "ELB", "EKS",
        "Virtual Machine", "Storage Account", "Network Security Group", "SQL Server", "Web App",
        "Key Vault", "Compute Engine", "Cloud Storage", "VPC Network", "Cloud SQL", "Compute",
        "Object Storage", "Networking",
    )
}  # fmt: skip


@dataclass(frozen=True)
class Account:
    """One cloud account TotalCloud reads, as its connector names it."""

    provider: str  # lower case
    account_id: str
    alias: str | None = None


def criticality_rank(criticality: str | None) -> int:
    """0 for CRITICAL ... 3 for LOW, 4 for anything else."""
    text = (criticality or "").upper()
    return CRITICALITY.index(text) if text in CRITICALITY else len(CRITICALITY)


def severity_of(criticality: str | None) -> Severity:
    return _SEVERITY[criticality_rank(criticality)]


def service_filter(service: str | None) -> str | None:
    """`service:<S>` in TotalCloud's spelling; a name with spaces is quoted, as QQL wants."""
    if not service:
        return None
    name = _SERVICES.get(service.strip().lower(), service.strip())
    return f'service:"{name}"' if " " in name else f"service:{name}"


def account_label(account: Account) -> str:
    alias = f" ({account.alias})" if account.alias and account.alias != account.account_id else ""
    return f"{provider_name(account.provider)} account {account.account_id}{alias}"


async def _accounts_of(ctx: AggregatorContext, provider: str) -> list[Account]:
    found: dict[str, Account] = {}
    for connector in await cached_connectors(ctx, provider):
        if connector.account_id and connector.account_id not in found:
            alias = connector.raw.get("accountAlias") or connector.name
            found[connector.account_id] = Account(provider, connector.account_id, alias)
    return list(found.values())


async def _cached(
    ctx: AggregatorContext, key: tuple[Any, ...], fetch: Callable[[], Awaitable[T]]
) -> T:
    return await ctx.cache.get_or_fetch(POSTURE_TIER.name, key, fetch)


async def cached_evaluations(
    ctx: AggregatorContext, account: Account, filter: str | None
) -> list[ControlEvaluation]:
    """The account's control evaluations matching `filter` (every one when None)."""

    async def fetch() -> list[ControlEvaluation]:
        rows, _ = await list_evaluations(
            ctx.client, account.provider, account.account_id, filter=filter
        )
        return rows

    return await _cached(ctx, ("evaluations", account.provider, account.account_id, filter), fetch)


async def cached_count(ctx: AggregatorContext, account: Account, filter: str | None) -> int:
    """How many of the account's control evaluations match `filter` (one short call)."""

    async def fetch() -> int:
        return await count_evaluations(
            ctx.client, account.provider, account.account_id, filter=filter
        )

    return await _cached(ctx, ("count", account.provider, account.account_id, filter), fetch)


async def cached_control_resources(
    ctx: AggregatorContext, account: Account, control_id: int, limit: int
) -> list[ResourceEvaluation]:
    """The resources failing `control_id` in the account (at most `limit`)."""

    async def fetch() -> list[ResourceEvaluation]:
        found, _ = await control_resources(
            ctx.client, account.provider, account.account_id, control_id, filter=FAIL, limit=limit
        )
        return found

    key = ("resources", account.provider, account.account_id, control_id, FAIL, limit)
    return await _cached(ctx, key, fetch)


@dataclass
class ProviderPart(Generic[T]):
    """One provider's accounts and what each answered (or its error)."""

    accounts: list[Account]
    done: FanOut[Account, T]


@dataclass
class Estate(Generic[T]):
    """What every account answered, the providers or accounts that failed, and every account
    the answering providers have (for a finding when `account_id` matched none)."""

    done: FanOut[str, ProviderPart[T]]
    answers: list[tuple[Account, T]] = field(default_factory=list)
    known: list[Account] = field(default_factory=list)


async def each_account(ctx: AggregatorContext, run: Callable[[Account], Awaitable[T]]) -> Estate[T]:
    """`run(account)` on every account of the call's providers (narrowed by `account_id`):
    the providers concurrently, and each provider's accounts concurrently. A failing provider
    or account is kept in `done`; when no account answered, the first error is raised."""
    wanted = ctx.params.get("account_id")

    async def provider(p: str) -> ProviderPart[T]:
        accounts = await _accounts_of(ctx, p)
        chosen = [a for a in accounts if not wanted or a.account_id == wanted]
        return ProviderPart(accounts, await fan_out(chosen, run))

    done = await fan_out(providers_of(ctx), provider)
    found = Estate(done)
    errors = list(done.errors.values())
    for part in done.results.values():
        found.answers += part.done.results.items()
        found.known += part.accounts
        errors += part.done.errors.values()
    if errors and not found.answers:
        # Providers without accounts answered nothing: every account there was failed.
        raise errors[0]
    return found


def failure_report(estate: Estate[Any]) -> tuple[list[Finding], dict[str, int | float | str]]:
    """A finding per failed provider or account, and stats naming them."""
    done = estate.done
    findings = done.failure_findings(provider_name)
    failed: list[str] = []
    for part in done.results.values():
        findings += part.done.failure_findings(account_label)
        failed += [a.account_id for a in part.done.errors]
    stats: dict[str, int | float | str] = {}
    if done.errors:
        stats["failed_providers"] = ", ".join(provider_name(p) for p in done.errors)
    if failed:
        stats["failed_accounts"] = ", ".join(failed)
    return findings, stats


def unknown_account(ctx: AggregatorContext, known: Sequence[Account]) -> AggregatorResult:
    """The answer when `account_id` is none of the accounts TotalCloud reads: which ones are
    (named in the finding, and listed as `known_account` records)."""
    names = ", ".join(account_label(a) for a in known[:12]) or "none"
    more = f" and {len(known) - 12} more" if len(known) > 12 else ""
    where = provider_name(str(ctx.params["provider"])) if ctx.params.get("provider") else "any"
    text = (
        f"TotalCloud reads no {where} cloud account {ctx.params.get('account_id')}; the "
        f"accounts it reads are: {names}{more}"
    )
    return AggregatorResult(
        records=[
            {
                "kind": "known_account",
                "provider": a.provider,
                "account_id": a.account_id,
                "alias": a.alias,
            }
            for a in known
        ],
        findings=[Finding(text=text, severity="medium")],
        stats={"accounts": 0, "accounts_known": len(known)},
    )
