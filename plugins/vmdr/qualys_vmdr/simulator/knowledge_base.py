"""The simulated KnowledgeBase API, ``/api/{version}/fo/knowledge_base/vuln/`` (catalogue §8).

GET query or POST form on every API version. ``details`` picks Basic, All or None (QIDs only);
the filters are the guide's (``ids`` with ranges, ``id_min``/``id_max``, ``is_patchable``, the
published and last-modified dates) plus ``cve``, the CVE→QID filter qualys-mcp sends (§8a K3).
Entries follow the KB DTD: exploits under CORRELATION/EXPLOITS (§8c), threat intelligence as
THREAT_INTEL with an ``id`` attribute. VULN carries no QDS: no vendor guide or release note
shows one in the KB list (QDS is a detection score, §6), and qualysdk's KB model has none.
The list is never truncated: the guide gives the KB no ``truncation_limit``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime

from starlette.responses import Response

from qualys_core.simulator import (
    ContractCase,
    SimRequest,
    SimRoute,
    element,
    iso,
    xml_stream,
)
from qualys_core.simulator.kb import KnowledgeBase, Vuln
from qualys_vmdr.simulator.fo_common import IdSet, choice, date_param, flag, id_set, list_action

__all__ = ["routes"]

_DETAILS = ("Basic", "All", "None")
# Qualys' Real-Time Threat Indicator ids in the order its KB lists them. No public client maps
# ids to names (§8d), so these numbers are the simulator's; clients read the names.
_THREAT_NAMES = (
    "Zero_Day", "Exploit_Public", "Active_Attacks", "High_Lateral_Movement", "Easy_Exploit",
    "High_Data_Loss", "Denial_of_Service", "No_Patch", "Malware", "Exploit_Kit", "Wormable",
    "Predicted_High_Risk", "Privilege_Escalation", "Unauthenticated_Exploitation",
    "Remote_Code_Execution", "Ransomware", "Solorigate_Sunburst", "Cisa_Known_Exploited_Vulns",
)  # fmt: skip
_THREAT_IDS = {name: index for index, name in enumerate(_THREAT_NAMES, start=1)}
# Categories checked over the network (the simulator's detections give these a port); others
# are found by authenticated, local checks.
_REMOTE_CATEGORIES = frozenset(
    {"General remote services", "Web server", "Web Application", "CGI", "Mail services",
     "Database", "Firewall", "Cisco"}
)  # fmt: skip
_AUTH_TYPES = {"Windows": "Windows", "Linux": "Unix", "macOS": "Unix"}
_YIELD_EVERY = 64
_Window = tuple[datetime | None, datetime | None]


class _KbQuery:
    """The filters and output switches of one KB request, parsed before the answer starts."""

    def __init__(self, request: SimRequest) -> None:
        self.details = choice(request, "details", _DETAILS, "Basic")
        self.ids = id_set(request, "ids")
        self.id_min = request.int_param("id_min")
        self.id_max = request.int_param("id_max")
        self.patchable = flag(request, "is_patchable") if request.param("is_patchable") else None
        self.published = _window(request, "published_after", "published_before")
        self.modified = _window(request, "last_modified_after", "last_modified_before")
        # The KB is never edited by users here, so service changes are all the changes.
        self.by_service = _window(
            request, "last_modified_by_service_after", "last_modified_by_service_before"
        )
        self.cves = [cve.upper() for cve in request.list_param("cve")]
        self.show_disabled = flag(request, "show_disabled_flag")
        # Accepted and checked; the simulated KB has no module list, change log or PCI reasons.
        for name in ("show_supported_modules_info", "show_qid_change_log", "show_pci_reasons"):
            flag(request, name)

    def vulns(self, kb: KnowledgeBase) -> Iterator[Vuln]:
        """The matching entries, ascending by QID."""
        for vuln in self._pool(kb):
            if self.patchable is not None and vuln.patchable != self.patchable:
                continue
            if not (
                _in(vuln.published, self.published)
                and _in(vuln.last_modified, self.modified)
                and _in(vuln.last_modified, self.by_service)
            ):
                continue
            yield vuln

    def _pool(self, kb: KnowledgeBase) -> Iterator[Vuln]:
        if self.cves:
            # An unknown CVE selects nothing: an empty answer, not an error (§8a K3).
            found = {vuln.qid: vuln for cve in self.cves for vuln in kb.by_cve(cve)}
            for qid in sorted(found):
                if _qid_selected(qid, self.ids, self.id_min, self.id_max):
                    yield found[qid]
            return
        if self.ids is None:
            yield from kb.range(self.id_min, self.id_max)
            return
        for low, high in self.ids.ranges:
            start = low if self.id_min is None else max(low, self.id_min)
            stop = high if self.id_max is None else min(high, self.id_max)
            if start <= stop:
                yield from kb.range(start, stop)


def _qid_selected(qid: int, ids: IdSet | None, id_min: int | None, id_max: int | None) -> bool:
    return (
        (ids is None or qid in ids)
        and (id_min is None or qid >= id_min)
        and (id_max is None or qid <= id_max)
    )


def _window(request: SimRequest, after: str, before: str) -> _Window:
    return date_param(request, after), date_param(request, before)


def _in(moment: datetime, window: _Window) -> bool:
    """Inclusive at both ends: a date names its whole first moment (``published_after=
    2026-01-08`` includes an entry published at 2026-01-08T00:00:00Z)."""
    low, high = window
    return (low is None or moment >= low) and (high is None or moment <= high)


async def knowledge_base(request: SimRequest) -> Response:
    refused = list_action(request)
    if refused is not None:
        return refused
    query = _KbQuery(request)
    kb = request.tenant.kb
    request.count(sum(1 for _ in query.vulns(kb)))
    vendors = {item.product: item.vendor for item in request.tenant.software}
    return xml_stream(_parts(request, query, vendors), doctype="KNOWLEDGE_BASE_VULN_LIST_OUTPUT")


async def _parts(
    request: SimRequest, query: _KbQuery, vendors: Mapping[str, str]
) -> AsyncIterator[str]:
    yield "<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE>" + element(
        "DATETIME", iso(request.tenant.now), raw=True
    )
    sent = 0
    for vuln in query.vulns(request.tenant.kb):
        if not sent:
            yield "<VULN_LIST>"
        yield _vuln(vuln, query, vendors)
        sent += 1
        if sent % _YIELD_EVERY == 0:
            await asyncio.sleep(0)
    if sent:
        yield "</VULN_LIST>"
    yield "</RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>"


def _vuln(vuln: Vuln, query: _KbQuery, vendors: Mapping[str, str]) -> str:
    """One VULN, its elements in the order of the KB DTD.

    Basic: the identifying fields, affected software, references, CVSS v3.1 and discovery;
    All adds the texts, exploits, the PCI flag and threat intelligence. The simulated KB has
    no CVSS v2 scores, so CVSS is left out rather than made up."""
    if query.details == "None":
        return f"<VULN><QID>{vuln.qid}</QID></VULN>"
    full = query.details == "All"
    parts = [
        f"<VULN><QID>{vuln.qid}</QID>",
        element("VULN_TYPE", vuln.vuln_type, raw=True),
        element("SEVERITY_LEVEL", vuln.severity),
        element("TITLE", vuln.title),
        element("CATEGORY", vuln.category),
        element("LAST_SERVICE_MODIFICATION_DATETIME", iso(vuln.last_modified), raw=True),
        element("PUBLISHED_DATETIME", iso(vuln.published), raw=True),
        element("PATCHABLE", vuln.patchable),
    ]
    if vuln.software:
        parts.append(_listing("SOFTWARE_LIST", _software(vuln, vendors)))
    refs_of = vuln.vendor_refs
    if refs_of:
        # The simulated references have no advisory URLs; ID alone is what readers use.
        refs = (f"<VENDOR_REFERENCE>{element('ID', ref)}</VENDOR_REFERENCE>" for ref in refs_of)
        parts.append(_listing("VENDOR_REFERENCE_LIST", refs))
    if vuln.cves:
        parts.append(_listing("CVE_LIST", (_cve(cve) for cve in vuln.cves)))
    if full:
        parts += [
            element("DIAGNOSIS", vuln.diagnosis),
            element("CONSEQUENCE", vuln.consequence),
            element("SOLUTION", vuln.solution),
        ]
        if vuln.exploits:
            parts.append(_correlation(vuln))
    if vuln.cvss_base is not None:
        parts.append(_cvss_v3(vuln))
    if full:
        # PCI DSS fails a vulnerability with a CVSS base score of 4.0 or more.
        pci = (vuln.cvss_base or 0) >= 4.0 if vuln.cvss_base is not None else vuln.severity >= 3
        parts.append(element("PCI_FLAG", pci))
        if vuln.threat_intel:
            parts.append(_threats(vuln))
    parts.append(_discovery(vuln))
    if query.show_disabled:
        parts.append(element("IS_DISABLED", False))
    return "".join(parts) + "</VULN>"


def _listing(tag: str, items: Iterator[str]) -> str:
    return f"<{tag}>{''.join(items)}</{tag}>"


def _software(vuln: Vuln, vendors: Mapping[str, str]) -> Iterator[str]:
    for product in vuln.software:
        vendor = vendors.get(product)
        yield (
            "<SOFTWARE>"
            + element("PRODUCT", product)
            + (element("VENDOR", vendor) if vendor else "")
            + "</SOFTWARE>"
        )


def _cve(cve: str) -> str:
    return (
        "<CVE>"
        + element("ID", cve)
        + element("URL", f"https://nvd.nist.gov/vuln/detail/{cve}")
        + "</CVE>"
    )


def _correlation(vuln: Vuln) -> str:
    """Exploits grouped by source, as real KB XML nests them (catalogue §8c)."""
    sources: dict[str, list[str]] = {}
    for exploit in vuln.exploits:
        sources.setdefault(exploit.source, []).append(
            "<EXPLT>"
            + element("REF", exploit.ref)
            + element("DESC", exploit.description)
            + element("LINK", exploit.link)
            + "</EXPLT>"
        )
    groups = "".join(
        f"<EXPLT_SRC>{element('SRC_NAME', name)}<EXPLT_LIST>{''.join(items)}</EXPLT_LIST>"
        "</EXPLT_SRC>"
        for name, items in sources.items()
    )
    return f"<CORRELATION><EXPLOITS>{groups}</EXPLOITS></CORRELATION>"


def _cvss_v3(vuln: Vuln) -> str:
    parts = [element("BASE", vuln.cvss_base)]
    if vuln.cvss_temporal is not None:
        parts.append(element("TEMPORAL", vuln.cvss_temporal))
    if vuln.cvss_vector:
        parts.append(element("VECTOR_STRING", vuln.cvss_vector))
        version = vuln.cvss_vector.split("/", 1)[0].removeprefix("CVSS:")
        parts.append(element("CVSS3_VERSION", version, raw=True))
    return f"<CVSS_V3>{''.join(parts)}</CVSS_V3>"


def _threats(vuln: Vuln) -> str:
    items = "".join(
        element("THREAT_INTEL", name, id=_THREAT_IDS.get(name, 0)) for name in vuln.threat_intel
    )
    return f"<THREAT_INTELLIGENCE>{items}</THREAT_INTELLIGENCE>"


def _discovery(vuln: Vuln) -> str:
    remote = vuln.category in _REMOTE_CATEGORIES
    parts = [element("REMOTE", remote)]
    auth = sorted({_AUTH_TYPES[f] for f in vuln.os_families if f in _AUTH_TYPES})
    if not remote and auth:
        parts.append(_listing("AUTH_TYPE_LIST", (element("AUTH_TYPE", a, raw=True) for a in auth)))
    notes = []
    if vuln.patchable:
        notes.append("Patch Available")
    if vuln.exploits:
        notes.append("Exploit Available")
    if notes:
        parts.append(element("ADDITIONAL_INFO", ", ".join(notes)))
    return f"<DISCOVERY>{''.join(parts)}</DISCOVERY>"


_PATH = "/api/{version}/fo/knowledge_base/vuln/"
_VULN = "RESPONSE/VULN_LIST/VULN"
_ROOT = "KNOWLEDGE_BASE_VULN_LIST_OUTPUT"


def routes() -> list[SimRoute]:
    return [
        SimRoute(
            name="vmdr.kb",
            host="api",
            path=_PATH,
            methods=("GET", "POST"),
            handler=knowledge_base,
            module="vmdr",
            endpoint_class="kb",
            requested_with=True,
            contract=_CONTRACT,
        )
    ]


_CONTRACT = (
    ContractCase(
        "GET",
        "/api/2.0/fo/knowledge_base/vuln/",
        client="qualys-mcp api.py get_kb_batch (§8a K2)",
        params={"action": "list", "ids": "38906,731140,730297,374980", "details": "All"},
        root=_ROOT,
        xml_paths=(
            f"{_VULN}/QID",
            f"{_VULN}/SEVERITY_LEVEL",
            f"{_VULN}/CVE_LIST/CVE/ID",
            f"{_VULN}/SOLUTION",
            f"{_VULN}/CVSS_V3/BASE",
            f"{_VULN}/THREAT_INTELLIGENCE/THREAT_INTEL",
        ),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/knowledge_base/vuln/",
        client="qualys-mcp api.py get_cve_qids (§8a K3)",
        params={"action": "list", "details": "All", "cve": "CVE-2024-3400"},
        root=_ROOT,
        xml_paths=(
            f"{_VULN}/QID",
            f"{_VULN}/CORRELATION/EXPLOITS/EXPLT_SRC/EXPLT_LIST/EXPLT/LINK",
        ),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/knowledge_base/vuln/",
        client="qualys-mcp aggregators.py search_vulns_agg (§8a K4)",
        params={"action": "list", "details": "All", "published_after": "2026-01-08"},
        root=_ROOT,
        xml_paths=(f"{_VULN}/PUBLISHED_DATETIME", f"{_VULN}/DIAGNOSIS"),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/knowledge_base/vuln/",
        client="qualys-mcp api.py _probe_module('vmdr') (§8a K6)",
        params={"action": "list", "ids": "38906"},
        root=_ROOT,
        xml_paths=(f"{_VULN}/QID",),
    ),
    ContractCase(
        "POST",
        "/api/3.0/fo/knowledge_base/vuln/",
        client="qualysdk vmdr/query_kb.py query_kb (§8b)",
        form={
            "action": "list",
            "details": "Basic",
            "id_min": "38000",
            "id_max": "38999",
            "is_patchable": "1",
            "show_supported_modules_info": "1",
            "show_disabled_flag": "1",
        },
        root=_ROOT,
        xml_paths=(f"{_VULN}/PATCHABLE", f"{_VULN}/IS_DISABLED", f"{_VULN}/DISCOVERY/REMOTE"),
    ),
    ContractCase(
        "POST",
        "/api/4.0/fo/knowledge_base/vuln/",
        client="qualysetl knowledgebase_extract, full rebuild (§8b)",
        form={
            "action": "list",
            "details": "All",
            "show_disabled_flag": "1",
            "show_qid_change_log": "1",
            "show_supported_modules_info": "1",
            "show_pci_reasons": "1",
            "last_modified_after": "1970-01-01T00:00:00Z",
        },
        root=_ROOT,
        xml_paths=(f"{_VULN}/LAST_SERVICE_MODIFICATION_DATETIME", f"{_VULN}/PCI_FLAG"),
    ),
    ContractCase(
        "GET",
        "/api/2.0/fo/knowledge_base/vuln/",
        client="qualys-mcp-full knowledgebase.py get_qids, details=None (§8b)",
        params={"action": "list", "details": "None", "id_min": "90000", "id_max": "93000"},
        root=_ROOT,
        xml_paths=(f"{_VULN}/QID",),
    ),
)
