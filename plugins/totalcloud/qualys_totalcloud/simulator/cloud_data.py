"""The simulated cloud estate: accounts and their connectors, AWS organization connectors,
resources, and how each control evaluates on each resource.

Everything derives from the shared tenant: the accounts are the ones its cloud hosts live in,
and every cloud host is a VM resource (its `CloudInfo.instance_id` is the resource id), so a
VMDR detection's CLOUD_RESOURCE_ID leads to the same resource's posture. Other resources
(buckets, security groups, users...) are drawn per account from seeded streams, and a control's
result on a resource is a pure function of (seed, control, resource): the same in every
process, computed when first asked for and kept per account.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from qualys_core.simulator import Host, Tenant, stable_random
from qualys_totalcloud.simulator.cloud_catalog import (
    CONTROLS,
    PROVIDERS,
    RESOURCE_KINDS,
    VM_TYPES,
    Control,
)

__all__ = [
    "CloudAccount",
    "CloudEstate",
    "CloudResource",
    "ControlEvaluation",
    "OrgConnector",
    "ResourceResult",
    "estate",
    "extend_tenant",
]

_KEY = "totalcloud"
_ENVIRONMENTS = ("prod", "shared", "dev", "stage", "sandbox")


def stable_uuid(*parts: object) -> str:
    """A UUID drawn from a seeded stream: the same parts, the same id."""
    return str(uuid.UUID(int=stable_random("uuid", *parts).getrandbits(128), version=4))


@dataclass(frozen=True, slots=True)
class CloudAccount:
    """One cloud account (AWS account, Azure subscription, GCP project, OCI tenancy) and the
    TotalCloud connector that reads it. `state` uses the connector states qualysdk filters on
    (SUCCESS, PENDING, REGIONS_DISCOVERED, ERROR)."""

    provider: str
    account_id: str
    alias: str
    connector_id: str
    connector_name: str
    state: str
    error: str | None
    created: datetime
    last_synced: datetime
    next_sync: datetime
    polling_hours: int
    regions: tuple[str, ...]
    org_connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrgConnector:
    """An AWS organization connector: it discovers member accounts and keeps their connectors.
    Healthy when `state` is FINISHED_SUCCESS (catalogue §10, T11)."""

    id: int
    name: str
    uuid: str
    state: str
    last_synced: datetime
    next_sync: datetime
    run_frequency_hours: int
    prefix: str
    last_error: str | None
    capabilities: tuple[str, ...]
    accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CloudResource:
    """One resource TotalCloud inventories; `host` is the tenant host behind a VM resource."""

    provider: str
    account_id: str
    resource_type: str
    resource_id: str
    uuid: str
    name: str
    region: str
    created: datetime
    evaluated_on: datetime
    connector_id: str
    host: Host | None = None


@dataclass(frozen=True, slots=True)
class ResourceResult:
    """One control's verdict on one resource."""

    resource: CloudResource
    result: str  # "PASS" | "FAIL"
    first_evaluated: datetime
    last_evaluated: datetime


@dataclass(frozen=True, slots=True)
class ControlEvaluation:
    """One control across one account's resources of its type (the account evaluation row)."""

    control: Control
    account: CloudAccount
    results: tuple[ResourceResult, ...]

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.result == "FAIL")

    @property
    def passed(self) -> int:
        return len(self.results) - self.failed

    @property
    def result(self) -> str:
        return "FAIL" if self.failed else "PASS"


@dataclass
class CloudEstate:
    """The tenant's whole cloud estate; lookups by provider, account, resource and control."""

    seed: int
    now: datetime
    accounts: tuple[CloudAccount, ...]
    org_connectors: tuple[OrgConnector, ...]
    resources: Mapping[str, tuple[CloudResource, ...]]  # by account id
    controls: Mapping[str, tuple[Control, ...]]  # by provider
    _evaluations: dict[str, tuple[ControlEvaluation, ...]] = field(default_factory=dict)
    _by_resource_id: dict[str, CloudResource] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._accounts = {(a.provider, a.account_id): a for a in self.accounts}
        for found in self.resources.values():
            for resource in found:
                self._by_resource_id[resource.resource_id] = resource
        self._controls = {(c.provider, c.cid): c for cs in self.controls.values() for c in cs}

    def accounts_of(self, provider: str) -> tuple[CloudAccount, ...]:
        wanted = provider.upper()
        return tuple(a for a in self.accounts if a.provider == wanted)

    def account(self, provider: str, account_id: str) -> CloudAccount | None:
        return self._accounts.get((provider.upper(), account_id))

    def account_resources(self, account: CloudAccount) -> tuple[CloudResource, ...]:
        return self.resources.get(account.account_id, ())

    def resources_of_type(self, provider: str, resource_type: str) -> list[CloudResource]:
        """Every resource of this type across the provider's accounts, account by account."""
        wanted = resource_type.upper()
        return [
            resource
            for account in self.accounts_of(provider)
            for resource in self.account_resources(account)
            if resource.resource_type == wanted
        ]

    def resource(self, resource_id: str) -> CloudResource | None:
        return self._by_resource_id.get(resource_id)

    def control(self, provider: str, cid: int) -> Control | None:
        return self._controls.get((provider.upper(), cid))

    def evaluations(self, account: CloudAccount) -> tuple[ControlEvaluation, ...]:
        """The account's control evaluations: controls with at least one resource of their
        type in the account, in control-id order."""
        found = self._evaluations.get(account.account_id)
        if found is None:
            resources = self.account_resources(account)
            rows = []
            for control in self.controls.get(account.provider, ()):
                results = tuple(
                    self._judge(control, r)
                    for r in resources
                    if r.resource_type == control.resource_type
                )
                if results:
                    rows.append(ControlEvaluation(control, account, results))
            found = self._evaluations[account.account_id] = tuple(rows)
        return found

    def evaluation(self, account: CloudAccount, cid: int) -> ControlEvaluation | None:
        return next((e for e in self.evaluations(account) if e.control.cid == cid), None)

    def failing_controls_of(self, resource: CloudResource) -> list[Control]:
        """The controls this resource fails."""
        return [
            control
            for control in self.controls.get(resource.provider, ())
            if control.resource_type == resource.resource_type
            and self._judge(control, resource).result == "FAIL"
        ]

    def _judge(self, control: Control, resource: CloudResource) -> ResourceResult:
        rng = stable_random(self.seed, "cloud-eval", control.cid, resource.resource_id)
        rate = control.fail_rate
        if control.exposure and resource.host is not None and resource.host.internet_facing:
            rate = min(0.95, rate * 6)
        failed = rng.random() < rate
        first = max(resource.created, self.now - timedelta(days=rng.randrange(1, 180)))
        last = self.now - timedelta(hours=rng.randrange(1, 24), minutes=rng.randrange(60))
        return ResourceResult(resource, "FAIL" if failed else "PASS", first, max(first, last))


def _accounts(tenant: Tenant) -> dict[tuple[str, str], list[Host]]:
    found: dict[tuple[str, str], list[Host]] = {}
    for host in tenant.hosts:
        if host.cloud is not None:
            found.setdefault((host.cloud.provider, host.cloud.account_id), []).append(host)
    return found


def _resource_name(provider: str, resource_type: str, alias: str, n: int, rng: Any) -> str:
    tail = f"{rng.getrandbits(24):06x}"
    names = {
        "IAM_USER": f"{rng.choice(('svc', 'ci', 'ops', 'dev', 'audit'))}-user-{n:02d}",
        "BUCKET": f"{alias}-{rng.choice(('logs', 'backups', 'assets', 'data', 'exports'))}-{tail}",
        "VPC_SECURITY_GROUP": f"sg-0{rng.getrandbits(64):016x}",
        "EBS": f"vol-0{rng.getrandbits(64):016x}",
        "RDS": f"{alias}-db-{n:02d}",
        "LAMBDA": f"{alias}-{rng.choice(('ingest', 'resize', 'notify', 'sync'))}-{n:02d}",
    }
    return names.get(resource_type, f"{alias}-{resource_type.lower().replace('_', '-')}-{n:02d}")


_AZURE_KINDS = {
    "STORAGE_ACCOUNT": "Microsoft.Storage/storageAccounts",
    "NETWORK_SECURITY_GROUP": "Microsoft.Network/networkSecurityGroups",
    "SQL_SERVER": "Microsoft.Sql/servers",
    "WEB_APP": "Microsoft.Web/sites",
    "SECRETS": "Microsoft.KeyVault/vaults/secrets",
}


def _resource_id(provider: str, account_id: str, name: str, resource_type: str) -> str:
    if provider == "AWS":
        if resource_type == "IAM_USER":
            return f"arn:aws:iam::{account_id}:user/{name}"
        if resource_type == "BUCKET":
            return f"arn:aws:s3:::{name}"
        return name
    if provider == "AZURE":
        kind = _AZURE_KINDS.get(resource_type, resource_type.lower())
        group = f"rg-{name.split('-')[1]}"
        return f"/subscriptions/{account_id}/resourceGroups/{group}/providers/{kind}/{name}"
    if provider == "OCI":
        return f"ocid1.{resource_type.lower().replace('_', '')}.oc1..{name}"
    return f"projects/{account_id}/{resource_type.lower()}/{name}"


def _build_resources(
    seed: int, now: datetime, account: CloudAccount, hosts: Sequence[Host]
) -> tuple[CloudResource, ...]:
    rng = stable_random(seed, "cloud-resources", account.account_id)
    vm_type = VM_TYPES[account.provider]
    found: list[CloudResource] = []
    for host in hosts:
        assert host.cloud is not None
        found.append(
            CloudResource(
                account.provider, account.account_id, vm_type, host.cloud.instance_id,
                stable_uuid(seed, host.cloud.instance_id), host.name, host.cloud.region,
                max(account.created, host.first_found), account.last_synced,
                account.connector_id, host,
            )
        )  # fmt: skip
    for kind in RESOURCE_KINDS:
        if kind.provider != account.provider:
            continue
        for n in range(1, rng.randint(kind.low, kind.high) + 1):
            name = _resource_name(account.provider, kind.resource_type, account.alias, n, rng)
            rid = _resource_id(account.provider, account.account_id, name, kind.resource_type)
            found.append(
                CloudResource(
                    account.provider, account.account_id, kind.resource_type, rid,
                    stable_uuid(seed, rid), name, rng.choice(account.regions),
                    account.created + timedelta(days=rng.randrange(0, 300)),
                    account.last_synced, account.connector_id,
                )
            )  # fmt: skip
    return tuple(found)


def _account(
    seed: int,
    now: datetime,
    provider: str,
    account_id: str,
    index: int,
    count: int,
    hosts: Sequence[Host],
) -> CloudAccount:
    rng = stable_random(seed, "cloud-account", account_id)
    env = _ENVIRONMENTS[index % len(_ENVIRONMENTS)]
    if provider == "GCP":
        alias = account_id  # a GCP project id is already a readable name
    else:
        suffix = f"-{index + 1}" if index >= len(_ENVIRONMENTS) else ""
        alias = f"acme-{env}-{provider.lower()}{suffix}"
    regions = tuple(sorted({h.cloud.region for h in hosts if h.cloud is not None}))
    polling = rng.choice((4, 12, 24))
    last = now - timedelta(hours=rng.randrange(1, polling), minutes=rng.randrange(60))
    state, error = "SUCCESS", None
    # The last account of a provider with several is the unhealthy one: an AWS role that no
    # longer trusts Qualys, a GCP project still being discovered.
    if count > 1 and index == count - 1 and provider == "AWS":
        state = "ERROR"
        error = "Unable to assume role: the role's trust policy does not allow the Qualys account"
        last = now - timedelta(days=3, hours=rng.randrange(24))
    elif count > 1 and index == count - 1 and provider == "GCP":
        state = "PENDING"
    return CloudAccount(
        provider=provider,
        account_id=account_id,
        alias=alias,
        connector_id=stable_uuid(seed, "connector", account_id),
        connector_name=f"{alias}-connector",
        state=state,
        error=error,
        created=now - timedelta(days=rng.randrange(200, 900)),
        last_synced=last,
        next_sync=last + timedelta(hours=polling),
        polling_hours=polling,
        regions=regions,
    )


def _org_connectors(
    seed: int, now: datetime, aws: Sequence[CloudAccount]
) -> tuple[OrgConnector, ...]:
    if not aws:
        return ()
    rng = stable_random(seed, "aws-org")
    members = tuple(a.account_id for a in aws[:-1]) if len(aws) > 1 else (aws[0].account_id,)
    last = now - timedelta(hours=rng.randrange(1, 20))
    found = [
        OrgConnector(
            id=7, name="acme-aws-organization", uuid=stable_uuid(seed, "org", 7),
            state="FINISHED_SUCCESS", last_synced=last, next_sync=last + timedelta(hours=24),
            run_frequency_hours=24, prefix="acme-org-", last_error=None,
            capabilities=("CSA", "AI", "CI"), accounts=members,
        )
    ]  # fmt: skip
    if len(aws) > 1:
        failed = now - timedelta(days=2, hours=rng.randrange(24))
        found.append(
            OrgConnector(
                id=9, name="acme-acquired-org", uuid=stable_uuid(seed, "org", 9),
                state="FINISHED_ERROR", last_synced=failed, next_sync=failed + timedelta(hours=24),
                run_frequency_hours=24, prefix="acq-",
                last_error="AccessDenied: organizations:ListAccounts is not allowed for the role",
                capabilities=("CSA",), accounts=(aws[-1].account_id,),
            )
        )  # fmt: skip
    return tuple(found)


def build_estate(tenant: Tenant) -> CloudEstate:
    seed, now = tenant.seed, tenant.now
    by_account = _accounts(tenant)
    accounts: list[CloudAccount] = []
    for provider in PROVIDERS:
        ids = sorted(account_id for (p, account_id) in by_account if p == provider)
        for index, account_id in enumerate(ids):
            hosts = by_account[(provider, account_id)]
            accounts.append(_account(seed, now, provider, account_id, index, len(ids), hosts))
    aws = [a for a in accounts if a.provider == "AWS"]
    orgs = _org_connectors(seed, now, aws)
    member_of = {account_id: org.id for org in orgs for account_id in org.accounts}
    accounts = [
        _with_org(a, member_of.get(a.account_id)) if a.provider == "AWS" else a for a in accounts
    ]
    resources = {
        a.account_id: _build_resources(seed, now, a, by_account[(a.provider, a.account_id)])
        for a in accounts
    }
    controls = {p: tuple(c for c in CONTROLS if c.provider == p) for p in PROVIDERS}
    return CloudEstate(seed, now, tuple(accounts), orgs, resources, controls)


def _with_org(account: CloudAccount, org_id: int | None) -> CloudAccount:
    return replace(account, org_connector_id=org_id)


def extend_tenant(tenant: Tenant) -> None:
    tenant.extensions.setdefault(_KEY, {})["cloud"] = build_estate(tenant)


def estate(tenant: Tenant) -> CloudEstate:
    """The tenant's cloud estate (built on first use when the tenant hook did not run)."""
    slot = tenant.extensions.setdefault(_KEY, {})
    found = slot.get("cloud")
    if found is None:
        found = slot["cloud"] = build_estate(tenant)
    assert isinstance(found, CloudEstate)
    return found
