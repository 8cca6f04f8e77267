"""The KnowledgeBase client against the simulator: cached batches, the KB semaphore, CVE lookups,
and entries read field for field as the tenant's KB holds them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from qualys_vmdr.api.fo import clean_text, parse_id_ranges
from qualys_vmdr.api.kb import Exploit, cve_qids, iter_kb, kb_entries

from qualys_core.cache import PluginCache
from qualys_core.errors import NotLicensed
from qualys_core.http.client import QualysClient
from qualys_core.simulator.app import Simulator
from qualys_core.simulator.config import LatencySpec, LimitSpec, SimConfig
from qualys_core.simulator.factory import SimulatorTransport
from qualys_core.simulator.kb import Vuln
from qualys_core.simulator.responses import iso
from qualys_core.testing import FIXED_NOW, simulator_settings

KB_GLOB = "/api/*/fo/knowledge_base/vuln*"
KB_ROUTE = "vmdr.kb"
BASE_OPTIONS: dict[str, Any] = {"assets": 200, "seed": 7, "now": FIXED_NOW}


@pytest.fixture
def qualys_simulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The default tenant; a test changes its behaviour with an indirect `config` parameter."""
    config = getattr(request, "param", None)
    return {**BASE_OPTIONS, **({"config": config} if config is not None else {})}


def cache_of(client: QualysClient) -> PluginCache:
    return client.cache.for_plugin("vmdr")


@pytest_asyncio.fixture
async def make_client(qualys_simulator: Simulator) -> AsyncIterator[Any]:
    """Clients of `qualys_simulator` with chosen settings (e.g. kb_concurrency), closed after."""
    clients: list[QualysClient] = []

    def build(**settings: Any) -> QualysClient:
        config = simulator_settings(qualys_simulator, **settings)
        client = QualysClient(
            config,
            config.resolve(),
            api_transport=SimulatorTransport(qualys_simulator.api_app),
            gateway_transport=SimulatorTransport(qualys_simulator.gateway_app),
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


def kb_requests(simulator: Simulator) -> list[set[int]]:
    """The QIDs each KB request asked for (`ids`), in arrival order."""
    asked = []
    for record in simulator.log.select(path=KB_GLOB):
        ids = record.params.get("ids", "")
        asked.append({q for low, high in parse_id_ranges(ids) for q in range(low, high + 1)})
    return asked


def spread(simulator: Simulator, count: int) -> list[int]:
    """`count` QIDs spread over the whole KB (so they do not fold into one range)."""
    qids = [vuln.qid for vuln in simulator.tenant.kb]
    step = len(qids) // count
    return qids[::step][:count]


async def test_120_qids_take_three_batches_then_come_from_the_cache(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    qids = spread(qualys_simulator, 120)
    entries = await kb_entries(qualys_client, cache_of(qualys_client), qids)

    assert sorted(entries) == sorted(qids)
    asked = kb_requests(qualys_simulator)
    assert len(asked) == 3
    assert all(len(batch) <= 50 for batch in asked)
    assert set().union(*asked) == set(qids)
    for qid in qids:
        assert entries[qid].title == qualys_simulator.tenant.kb.get(qid).title  # type: ignore[union-attr]

    again = await kb_entries(qualys_client, cache_of(qualys_client), qids)
    assert again == entries
    assert len(kb_requests(qualys_simulator)) == 3

    extra = spread(qualys_simulator, 131)[-7:]
    fresh = [qid for qid in extra if qid not in entries]
    more = await kb_entries(qualys_client, cache_of(qualys_client), [*qids[:5], *extra])
    assert sorted(more) == sorted({*qids[:5], *extra})
    asked = kb_requests(qualys_simulator)
    assert len(asked) == 4
    assert asked[-1] == set(fresh)


async def test_unknown_qids_are_absent_and_not_asked_again(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    known = spread(qualys_simulator, 3)
    unknown = [1, 2]
    assert not any(qid in qualys_simulator.tenant.kb for qid in unknown)

    entries = await kb_entries(qualys_client, cache_of(qualys_client), [*known, *unknown])
    assert sorted(entries) == sorted(known)
    assert await kb_entries(qualys_client, cache_of(qualys_client), unknown) == {}
    assert len(kb_requests(qualys_simulator)) == 1


async def test_concurrent_callers_never_ask_for_a_qid_twice(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    qids = spread(qualys_simulator, 150)
    callers = [qids, qids[:100], qids[50:], list(reversed(qids))]
    results = await asyncio.gather(
        *(kb_entries(qualys_client, cache_of(qualys_client), wanted) for wanted in callers)
    )

    for wanted, result in zip(callers, results, strict=True):
        assert sorted(result) == sorted(wanted)
    asked = kb_requests(qualys_simulator)
    flat = [qid for batch in asked for qid in batch]
    assert sorted(flat) == sorted(qids)  # every QID requested exactly once


KB_LIMIT_ONE = SimConfig(
    seed=7,
    limits={KB_ROUTE: LimitSpec(concurrency=1)},
    # Service time keeps each KB call open while the others are issued, so calls overlap at
    # the simulator whatever the event loop's scheduling; nothing here measures time.
    latency={"default": LatencySpec(fixed=0.005)},
)


@pytest.mark.parametrize("qualys_simulator_options", [KB_LIMIT_ONE], indirect=True)
async def test_kb_semaphore_keeps_concurrent_batches_clear_of_409(
    make_client: Any, qualys_simulator: Simulator
) -> None:
    client = make_client(kb_concurrency=1)
    qids = spread(qualys_simulator, 300)
    groups = [qids[start : start + 100] for start in range(0, 300, 100)]

    results = await asyncio.gather(*(kb_entries(client, cache_of(client), g) for g in groups))

    assert [sorted(r) for r in results] == [sorted(g) for g in groups]
    assert len(kb_requests(qualys_simulator)) == 6
    assert qualys_simulator.log.count(path=KB_GLOB, status=409) == 0


@pytest.mark.parametrize("qualys_simulator_options", [KB_LIMIT_ONE], indirect=True)
async def test_without_the_semaphore_the_same_load_meets_409s_and_waits_them_out(
    make_client: Any, qualys_simulator: Simulator
) -> None:
    client = make_client(kb_concurrency=10)
    qids = spread(qualys_simulator, 300)
    groups = [qids[start : start + 100] for start in range(0, 300, 100)]

    results = await asyncio.gather(*(kb_entries(client, cache_of(client), g) for g in groups))

    assert [sorted(r) for r in results] == [sorted(g) for g in groups]
    assert qualys_simulator.log.count(path=KB_GLOB, status=409) >= 1
    assert qualys_simulator.log.count(path=KB_GLOB, status=200) == 6


async def test_cve_qids_match_the_kb_and_fill_the_qid_cache(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    expected = [vuln.qid for vuln in qualys_simulator.tenant.kb.by_cve("CVE-2024-3400")]
    assert expected

    assert await cve_qids(qualys_client, cache_of(qualys_client), "cve-2024-3400 ") == expected
    assert qualys_simulator.log.count(path=KB_GLOB) == 1
    assert qualys_simulator.log.select(path=KB_GLOB)[0].params["cve"] == "CVE-2024-3400"

    assert await cve_qids(qualys_client, cache_of(qualys_client), "CVE-2024-3400") == expected
    entries = await kb_entries(qualys_client, cache_of(qualys_client), expected)
    assert sorted(entries) == expected
    assert qualys_simulator.log.count(path=KB_GLOB) == 1


async def test_unknown_cve_gives_no_qids(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    assert qualys_simulator.tenant.kb.by_cve("CVE-1999-99999") == []
    assert await cve_qids(qualys_client, cache_of(qualys_client), "CVE-1999-99999") == []


async def test_a_malformed_cve_is_refused_before_any_call(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    with pytest.raises(ValueError, match="cve: 'log4shell' is not a CVE id"):
        await cve_qids(qualys_client, cache_of(qualys_client), "log4shell")
    assert qualys_simulator.log.count(path=KB_GLOB) == 0


def assert_entry_matches(entry: Any, vuln: Vuln) -> None:
    assert entry.qid == vuln.qid
    assert entry.title == vuln.title
    assert entry.severity == vuln.severity
    assert entry.vuln_type == vuln.vuln_type
    assert entry.category == vuln.category
    assert entry.patchable is vuln.patchable
    assert entry.published == iso(vuln.published)
    assert entry.last_modified == iso(vuln.last_modified)
    assert entry.cves == list(vuln.cves)
    assert entry.vendor_refs == list(vuln.vendor_refs)
    assert entry.cvss_v3_base == vuln.cvss_base
    assert entry.cvss_v3_temporal == vuln.cvss_temporal
    assert entry.cvss_v3_vector == vuln.cvss_vector
    assert entry.threat_intel == list(vuln.threat_intel)
    assert entry.exploits == [
        Exploit(source=e.source, ref=e.ref, description=e.description, link=e.link)
        for e in vuln.exploits
    ]
    assert entry.has_exploit is bool(vuln.exploits)
    assert entry.diagnosis == clean_text(vuln.diagnosis)
    assert entry.consequence == clean_text(vuln.consequence)
    assert entry.solution == clean_text(vuln.solution)


async def test_entries_carry_exploits_threat_intel_and_cvss_as_the_kb_holds_them(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    kb = qualys_simulator.tenant.kb
    panos = kb.by_cve("CVE-2024-3400")[0]
    with_exploit = [v for v in kb if v.exploits and v.qid != panos.qid][:5]
    with_intel = [v for v in kb if v.threat_intel and not v.exploits][:5]
    plain = [v for v in kb if not v.threat_intel and not v.exploits and v.cvss_base][:3]
    sample = [panos, *with_exploit, *with_intel, *plain]
    assert panos.exploits
    assert panos.exploits[0].source == "Metasploit"
    assert "Active_Attacks" in panos.threat_intel

    entries = await kb_entries(qualys_client, cache_of(qualys_client), [v.qid for v in sample])

    for vuln in sample:
        assert_entry_matches(entries[vuln.qid], vuln)


async def test_iter_kb_streams_the_published_window(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    since = (FIXED_NOW.date()).replace(day=1)
    expected = [v.qid for v in qualys_simulator.tenant.kb if v.published.date() >= since]
    assert expected

    found = [entry.qid async for entry in iter_kb(qualys_client, published_after=since)]

    assert found == expected
    record = qualys_simulator.log.select(path=KB_GLOB)[0]
    assert record.params["published_after"] == since.isoformat()


@pytest.mark.parametrize(
    "qualys_simulator_options", [SimConfig(seed=7, unlicensed=frozenset({"vmdr"}))], indirect=True
)
async def test_unlicensed_kb_raises_not_licensed_every_time(
    qualys_client: QualysClient, qualys_simulator: Simulator
) -> None:
    qids = spread(qualys_simulator, 3)
    for _ in range(2):
        with pytest.raises(NotLicensed):
            await kb_entries(qualys_client, cache_of(qualys_client), qids)
    with pytest.raises(NotLicensed):
        await cve_qids(qualys_client, cache_of(qualys_client), "CVE-2024-3400")
    assert qualys_simulator.log.count(path=KB_GLOB, status=404) == 3


def test_prose_is_plain_text_cut_at_600_characters() -> None:
    html = "<P>Remote&nbsp;code <b>execution</b>&amp;more</P><br/><ul><li>one</li><li>two</li></ul>"
    assert clean_text(html) == "Remote code execution&more one two"
    long = "word " * 200
    cut = clean_text(long)
    assert len(cut) <= 600
    assert cut.endswith("…")
    assert clean_text(None) == ""
