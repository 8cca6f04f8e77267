"""What the simulated host list and host detection APIs share: host selection and HOST parts.

Host-level filters (IDs, ``ips``, asset groups, asset tags, ``os_pattern``, scan dates) pick
hosts in ascending host ID, the order both APIs page in; the element builders write the HOST
children both documents carry, with the names of Qualys' DTDs (catalogue §6d, §7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network, ip_address

from qualys_core.simulator import Host, ParameterError, SimRequest, Tenant, element, iso
from qualys_vmdr.simulator.fo_common import (
    IdSet,
    choice,
    date_param,
    flag,
    id_set,
    in_ranges,
    merge_ranges,
)

__all__ = [
    "YIELD_EVERY",
    "HostFilter",
    "HostSelection",
    "Show",
    "auth_scan",
    "cloud_elements",
    "dns_data",
    "hosts_in",
    "identity",
    "page_size",
    "scan_stamp",
    "tags_element",
]

# Hosts handed over between two yields to the event loop, so that one long stream does not
# starve concurrent calls (a partitioned pull runs several at once).
YIELD_EVERY = 32
_CLOUD_NAMES = {"AWS": "AWS", "AZURE": "Azure", "GCP": "GCP", "OCI": "OCI"}
_CLOUD_SERVICES = {"AWS": "EC2", "AZURE": "VM", "GCP": "Compute Engine", "OCI": "Compute"}


def hosts_in(
    tenant: Tenant, ids: IdSet | None, id_min: int | None, id_max: int | None
) -> Iterator[Host]:
    """The tenant's hosts within `ids` and [`id_min`, `id_max`], ascending by host ID, found by
    bisection so that one ID-range chunk of a large tenant costs only its own hosts."""
    floor = id_min if id_min is not None else 0
    spans: list[tuple[int, int | None]]
    if ids is None:
        spans = [(floor, id_max)]
    else:
        spans = [
            (max(low, floor), high if id_max is None else min(high, id_max))
            for low, high in ids.ranges
        ]
    for low, ceiling in spans:
        if ceiling is not None and low > ceiling:
            continue
        for host in tenant.hosts_from(low):
            if ceiling is not None and host.host_id > ceiling:
                break
            yield host


def _ip_ranges(request: SimRequest, name: str) -> tuple[tuple[int, int], ...] | None:
    """IPv4 addresses, ``a-b`` ranges and CIDR blocks, as the host filters take them."""
    raw = request.param(name)
    if raw is None:
        return None
    ranges: list[tuple[int, int]] = []
    try:
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            if "/" in item:
                network = IPv4Network(item, strict=False)
                ranges.append((int(network.network_address), int(network.broadcast_address)))
            elif "-" in item:
                first, last = item.split("-", 1)
                ranges.append((int(IPv4Address(first.strip())), int(IPv4Address(last.strip()))))
            else:
                address = int(IPv4Address(item))
                ranges.append((address, address))
    except ValueError:
        raise ParameterError(name, raw) from None
    if not ranges or any(low > high for low, high in ranges):
        raise ParameterError(name, raw)
    return merge_ranges(ranges)


class HostFilter:
    """The host-level filters the host list and host detection APIs share: ``ips``, asset
    groups, asset tags, ``os_pattern`` and the VM scan dates."""

    def __init__(self, request: SimRequest) -> None:
        tenant = request.tenant
        self._ips = _ip_ranges(request, "ips")
        self._groups = _groups(request, tenant)
        self._include, self._include_all, self._exclude, self._exclude_all = _tag_filter(request)
        pattern = request.param("os_pattern")
        try:
            self._os = re.compile(pattern) if pattern is not None else None
        except re.error:
            raise ParameterError("os_pattern", pattern or "") from None
        self._scan_since = date_param(request, "vm_scan_since")
        self._no_scan_since = date_param(request, "no_vm_scan_since")

    def matches(self, host: Host) -> bool:
        if self._ips is not None and not in_ranges(self._ips, int(ip_address(host.ip))):
            return False
        if self._groups is not None and self._groups.isdisjoint(host.asset_groups):
            return False
        if self._include is not None:
            hit = (
                self._include.issubset(host.tags)
                if self._include_all
                else not self._include.isdisjoint(host.tags)
            )
            if not hit:
                return False
        if self._exclude is not None:
            hit = (
                self._exclude.issubset(host.tags)
                if self._exclude_all
                else not self._exclude.isdisjoint(host.tags)
            )
            if hit:
                return False
        if self._os is not None and not self._os.search(host.os):
            return False
        if self._scan_since is not None and host.last_scanned < self._scan_since:
            return False
        return self._no_scan_since is None or host.last_scanned < self._no_scan_since


def _groups(request: SimRequest, tenant: Tenant) -> frozenset[int] | None:
    """Asset group IDs selected by ``ag_ids`` and ``ag_titles``; an unknown group is an error,
    as the guide says a valid asset group is required."""
    ids = id_set(request, "ag_ids")
    titles = request.list_param("ag_titles")
    if ids is None and not titles:
        return None
    known = {group.id for group in tenant.asset_groups}
    by_title = {group.title.lower(): group.id for group in tenant.asset_groups}
    chosen: set[int] = set()
    if ids is not None:
        for low, high in ids.ranges:
            if high - low > 100_000:
                raise ParameterError("ag_ids", request.param("ag_ids") or "")
            for group_id in range(low, high + 1):
                if group_id not in known:
                    raise ParameterError("ag_ids", str(group_id))
                chosen.add(group_id)
    for title in titles:
        titled = by_title.get(title.lower())
        if titled is None:
            raise ParameterError("ag_titles", title)
        chosen.add(titled)
    return frozenset(chosen)


_TagSets = tuple[frozenset[int] | None, bool, frozenset[int] | None, bool]


def _tag_filter(request: SimRequest) -> _TagSets:
    """(include, include needs all, exclude, exclude needs all) from the asset tag filters.

    Only with ``use_tags=1``, as the guide has it. A tag name the tenant does not know selects
    no host (id -1), so "any" ignores it and "all" then matches nothing."""
    if not flag(request, "use_tags"):
        return None, False, None, False
    by = choice(request, "tag_set_by", ("id", "name"), "id")
    include_all = choice(request, "tag_include_selector", ("any", "all"), "any") == "all"
    exclude_all = choice(request, "tag_exclude_selector", ("any", "all"), "any") == "all"
    include = _tag_ids(request, "tag_set_include", by)
    exclude = _tag_ids(request, "tag_set_exclude", by)
    if include is None and exclude is None:
        raise ParameterError("tag_set_include", "", "is required with use_tags=1, got")
    return include, include_all, exclude, exclude_all


def _tag_ids(request: SimRequest, name: str, by: str) -> frozenset[int] | None:
    values = request.list_param(name)
    if not values:
        return None
    if by == "id":
        try:
            return frozenset(int(value) for value in values)
        except ValueError:
            raise ParameterError(name, request.param(name) or "") from None
    found = (request.tenant.tag_named(value) for value in values)
    return frozenset(tag.id if tag is not None else -1 for tag in found)


class Show:
    """The output switches both host APIs share."""

    def __init__(self, request: SimRequest) -> None:
        self.asset_id = flag(request, "show_asset_id")
        self.tags = flag(request, "show_tags")
        self.trurisk = flag(request, "show_trurisk")


class HostSelection:
    """The hosts a request's host-level parameters select (``ids``, ``id_min``, ``id_max`` and
    `HostFilter`), parsed once; each call walks them afresh, ascending by host ID."""

    def __init__(self, request: SimRequest) -> None:
        self._tenant = request.tenant
        self._ids = id_set(request, "ids")
        self._id_min = request.int_param("id_min")
        self._id_max = request.int_param("id_max")
        self._filter = HostFilter(request)

    def __call__(self) -> Iterator[Host]:
        hosts = hosts_in(self._tenant, self._ids, self._id_min, self._id_max)
        return (host for host in hosts if self._filter.matches(host))


def page_size(hosts: Iterable[Host], limit: int) -> int:
    """How many hosts the page can hold at most, for the latency model's per-record cost."""
    count = 0
    for _ in hosts:
        count += 1
        if limit and count == limit:
            break
    return count


def dns_data(host: Host) -> str:
    hostname, _, domain = host.dns.partition(".")
    return (
        "<DNS_DATA>"
        + element("HOSTNAME", hostname)
        + (element("DOMAIN", domain) if domain else "")
        + element("FQDN", host.dns)
        + "</DNS_DATA>"
    )


def cloud_elements(host: Host) -> str:
    if host.cloud is None:
        return ""
    provider = host.cloud.provider.upper()
    return (
        element("CLOUD_PROVIDER", _CLOUD_NAMES.get(provider, provider))
        + element("CLOUD_SERVICE", _CLOUD_SERVICES.get(provider, "VM"))
        + element("CLOUD_RESOURCE_ID", host.cloud.instance_id)
    )


def tags_element(host: Host, tenant: Tenant) -> str:
    tags = "".join(
        "<TAG>" + element("TAG_ID", tag_id) + element("NAME", tenant.tag(tag_id).name) + "</TAG>"
        for tag_id in host.tags
    )
    return f"<TAGS>{tags}</TAGS>"


def identity(host: Host, show: Show) -> str:
    return (
        element("ID", host.host_id)
        + (element("ASSET_ID", host.asset_id) if show.asset_id else "")
        + element("IP", host.ip, raw=True)
        + (element("IPV6", host.ipv6, raw=True) if host.ipv6 else "")
        + element("TRACKING_METHOD", host.tracking_method, raw=True)
    )


def scan_stamp(tag: str, host: Host) -> str:
    return element(tag, iso(host.last_scanned), raw=True)


def auth_scan(host: Host) -> str:
    # Cloud Agent data is collected with the host's own privileges; the simulator counts an
    # agent host's last scan as its last authenticated VM scan.
    return scan_stamp("LAST_VM_AUTH_SCANNED_DATE", host) if host.agent else ""
