"""The KnowledgeBase client: QID entries in cached batches, CVE to QID lookups, streamed lists.

The KB API answers 409 when called concurrently beyond the subscription's allowance, so every
KB request holds `client.kb_semaphore`; entries are cached per QID in the core "kb" tier, and
only QIDs missing from it are requested, at most 50 to a call (as qualys-mcp batches them).
Exploits are read where the real KB puts them, `CORRELATION/EXPLOITS/EXPLT_SRC/EXPLT_LIST/EXPLT`
(qualys-api.md §8c: qualys-mcp's `EXPLOIT_LIST/EXPLOIT` path never matches real data).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Hashable, Iterable, Mapping
from datetime import date
from functools import partial
from xml.etree.ElementTree import Element

from pydantic import BaseModel, Field

from qualys_core.cache import PluginCache
from qualys_core.http.client import QualysClient
from qualys_core.singleflight import SingleFlight
from qualys_vmdr.api.fo import (
    child_bool,
    child_float,
    child_int,
    child_text,
    clean_text,
    closing,
    format_id_ranges,
    gather_or_cancel,
    parse_id_ranges,
)

__all__ = [
    "BATCH_SIZE",
    "KB_PATH",
    "KB_TIER",
    "Exploit",
    "KbEntry",
    "cve_qids",
    "iter_kb",
    "kb_entries",
    "parse_vuln",
]

KB_PATH = "/api/2.0/fo/knowledge_base/vuln/"
KB_TIER = "kb"
BATCH_SIZE = 50
MODULE = "VMDR"

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")


class Exploit(BaseModel):
    """One public exploit reference of a QID (`EXPLT`), with the source that lists it."""

    source: str
    ref: str | None = None
    description: str | None = None
    link: str | None = None


class KbEntry(BaseModel):
    """One KnowledgeBase entry (a QID), prose reduced to plain text of at most 600 characters."""

    qid: int
    title: str
    severity: int
    vuln_type: str | None = None
    category: str | None = None
    published: str | None = None
    last_modified: str | None = None
    patchable: bool = False
    cves: list[str] = Field(default_factory=list)
    vendor_refs: list[str] = Field(default_factory=list)
    cvss_v2_base: float | None = None
    cvss_v3_base: float | None = None
    cvss_v3_temporal: float | None = None
    cvss_v3_vector: str | None = None
    threat_intel: list[str] = Field(default_factory=list)
    exploits: list[Exploit] = Field(default_factory=list)
    malware: list[str] = Field(default_factory=list)
    diagnosis: str = ""
    consequence: str = ""
    solution: str = ""

    @property
    def has_exploit(self) -> bool:
        return bool(self.exploits)


def _exploits(vuln: Element) -> list[Exploit]:
    found = []
    for source in vuln.iterfind("CORRELATION/EXPLOITS/EXPLT_SRC"):
        name = child_text(source, "SRC_NAME") or "unknown"
        for exploit in source.iterfind("EXPLT_LIST/EXPLT"):
            description = child_text(exploit, "DESC")
            found.append(
                Exploit(
                    source=name,
                    ref=child_text(exploit, "REF"),
                    description=clean_text(description) if description else None,
                    link=child_text(exploit, "LINK"),
                )
            )
    return found


def parse_vuln(element: Element) -> KbEntry:
    """A `VULN` element of the KB list as a `KbEntry`; ValueError when it has no QID."""
    qid = child_int(element, "QID")
    if qid is None:
        raise ValueError("KB VULN element without a numeric QID")
    return KbEntry(
        qid=qid,
        title=clean_text(child_text(element, "TITLE")),
        severity=child_int(element, "SEVERITY_LEVEL") or 0,
        vuln_type=child_text(element, "VULN_TYPE"),
        category=child_text(element, "CATEGORY"),
        published=child_text(element, "PUBLISHED_DATETIME"),
        last_modified=child_text(element, "LAST_SERVICE_MODIFICATION_DATETIME"),
        patchable=child_bool(element, "PATCHABLE"),
        cves=[cve for item in element.iterfind("CVE_LIST/CVE") if (cve := child_text(item, "ID"))],
        vendor_refs=[
            ref
            for item in element.iterfind("VENDOR_REFERENCE_LIST/VENDOR_REFERENCE")
            if (ref := child_text(item, "ID"))
        ],
        cvss_v2_base=child_float(element, "CVSS/BASE"),
        cvss_v3_base=child_float(element, "CVSS_V3/BASE"),
        cvss_v3_temporal=child_float(element, "CVSS_V3/TEMPORAL"),
        cvss_v3_vector=child_text(element, "CVSS_V3/VECTOR_STRING"),
        threat_intel=[
            name
            for item in element.iterfind("THREAT_INTELLIGENCE/THREAT_INTEL")
            if (name := (item.text or "").strip())
        ],
        exploits=_exploits(element),
        malware=[
            malware_id
            for item in element.iterfind("CORRELATION/MALWARE/MW_SRC/MW_LIST/MW_INFO")
            if (malware_id := child_text(item, "MW_ID"))
        ],
        diagnosis=clean_text(child_text(element, "DIAGNOSIS")),
        consequence=clean_text(child_text(element, "CONSEQUENCE")),
        solution=clean_text(child_text(element, "SOLUTION")),
    )


async def _stream(client: QualysClient, params: Mapping[str, str]) -> AsyncIterator[KbEntry]:
    # GET: every KB request here is short (at most 50 QIDs, folded into ranges, or one filter),
    # which is how qualys-mcp and qualys-mcp-full call it.
    records = client.api.iter_xml(
        KB_PATH,
        {"action": "list", "details": "All", **params},
        ("VULN",),
        method="GET",
        module=MODULE,
        semaphore=client.kb_semaphore,
    )
    async with closing(records):
        async for record in records:
            yield parse_vuln(record)


class _Missing(Exception):
    """Raised by the cache probe: the key is neither cached nor being fetched."""


async def _probe() -> KbEntry | None:
    raise _Missing


def _qid_key(qid: int) -> Hashable:
    return ("qid", qid)


async def _cached(cache: PluginCache, qid: int) -> tuple[bool, KbEntry | None]:
    """(True, entry) when the tier holds the QID or another call is fetching it right now
    (the tier's single-flight joins it); (False, None) when it has to be fetched."""
    try:
        return True, await cache.get_or_fetch(KB_TIER, _qid_key(qid), _probe)
    except _Missing:
        return False, None


async def kb_entries(
    client: QualysClient, cache: PluginCache, qids: Iterable[int]
) -> dict[int, KbEntry]:
    """KB entries of `qids`; QIDs the KB does not know are absent from the result.

    Each QID is cached in the "kb" tier (unknown QIDs as None, so they are not asked again
    within the TTL). Missing QIDs are fetched in batches of at most 50, run concurrently, each
    request under the KB semaphore. A QID being fetched by a concurrent call is joined, not
    fetched again: each missing QID is a single-flight in the tier whose fetch awaits its
    batch, and a batch is requested only once one of its QIDs has no other flight to join.
    """
    wanted = sorted({int(qid) for qid in qids})
    probed = await gather_or_cancel(_cached(cache, qid) for qid in wanted)
    found = {qid: entry for qid, (hit, entry) in zip(wanted, probed, strict=True) if hit}
    missing = [qid for qid, (hit, _) in zip(wanted, probed, strict=True) if not hit]
    batches = [missing[start : start + BATCH_SIZE] for start in range(0, len(missing), BATCH_SIZE)]
    batch_of = {qid: index for index, batch in enumerate(batches) for qid in batch}
    flights = SingleFlight()

    async def fetch_batch(index: int) -> dict[int, KbEntry]:
        params = {"ids": format_id_ranges(batches[index])}
        return {entry.qid: entry async for entry in _stream(client, params)}

    async def fetch_one(qid: int) -> KbEntry | None:
        index = batch_of[qid]
        answer = await flights.do(index, partial(fetch_batch, index))
        return answer.get(qid)

    fetched = await gather_or_cancel(
        cache.get_or_fetch(KB_TIER, _qid_key(qid), partial(fetch_one, qid)) for qid in missing
    )
    found.update(zip(missing, fetched, strict=True))
    return {qid: entry for qid, entry in sorted(found.items()) if entry is not None}


def _normalise_cve(cve: str) -> str:
    normalised = cve.strip().upper()
    if not _CVE.match(normalised):
        raise ValueError(f"cve: {cve!r} is not a CVE id (expected CVE-YYYY-NNNN)")
    return normalised


async def cve_qids(client: QualysClient, cache: PluginCache, cve: str) -> list[int]:
    """The QIDs that list `cve`, ascending ([] when none does), via the KB `cve` filter.

    Cached per CVE in the "kb" tier; the entries read on the way are cached per QID too.
    """
    wanted = _normalise_cve(cve)

    async def fetch() -> list[int]:
        # Read the whole answer before touching the cache: a QID's flight may be waiting for
        # the KB semaphore this stream holds.
        entries = [entry async for entry in _stream(client, {"cve": wanted})]
        for entry in entries:
            await cache.get_or_fetch(KB_TIER, _qid_key(entry.qid), partial(_value, entry))
        return sorted(entry.qid for entry in entries)

    result: list[int] = await cache.get_or_fetch(KB_TIER, ("cve", wanted), fetch)
    return list(result)


async def _value(entry: KbEntry) -> KbEntry:
    return entry


async def iter_kb(
    client: QualysClient,
    *,
    published_after: date | None = None,
    last_modified_after: date | None = None,
    ids: str | None = None,
) -> AsyncIterator[KbEntry]:
    """KB entries matching the filters, streamed across truncation pages, not cached.

    Each page holds the KB semaphore while it is read, so do not wait on other KB calls
    (`kb_entries`, `cve_qids`) inside the loop: with kb_concurrency=1 they would never start.
    """
    params: dict[str, str] = {}
    if published_after is not None:
        params["published_after"] = published_after.isoformat()
    if last_modified_after is not None:
        params["last_modified_after"] = last_modified_after.isoformat()
    if ids:
        params["ids"] = format_id_ranges(parse_id_ranges(ids, name="ids"))
    async with closing(_stream(client, params)) as entries:
        async for entry in entries:
            yield entry
