"""The simulated KnowledgeBase API, called as Qualys clients call it: ids and ranges, the CVE
filter, dates, details levels, the entry's XML and errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from qualys_core.simulator import SimConfig
from qualys_core.testing import FIXED_NOW

PATH = "/api/2.0/fo/knowledge_base/vuln/"


async def fetch(api, params, *, method="GET", path=PATH):
    if method == "GET":
        response = await api.get(path, params=params)
    else:
        response = await api.post(path, data=params)
    assert response.status_code == 200, response.text[:400]
    root = ET.fromstring(response.content)
    assert root.tag == "KNOWLEDGE_BASE_VULN_LIST_OUTPUT"
    return root


def qids(root):
    return [int(v.findtext("QID")) for v in root.findall("RESPONSE/VULN_LIST/VULN")]


async def test_ids_take_lists_and_ranges(api, qualys_simulator):
    kb = qualys_simulator.tenant.kb
    root = await fetch(api, {"action": "list", "ids": "731140,38906,92000-92600,730297"})
    want = [v.qid for v in kb if v.qid in (731140, 38906, 730297) or 92000 <= v.qid <= 92600]
    assert len(want) > 5
    assert qids(root) == want


async def test_id_min_and_id_max_with_details_none(api, qualys_simulator):
    kb = qualys_simulator.tenant.kb
    root = await fetch(
        api, {"action": "list", "details": "None", "id_min": "90000", "id_max": "93000"}
    )
    assert qids(root) == [v.qid for v in kb.range(90000, 93000)]
    assert all([child.tag for child in vuln] == ["QID"] for vuln in root.iter("VULN"))


async def test_whole_kb_in_one_answer(api, qualys_simulator):
    kb = qualys_simulator.tenant.kb
    root = await fetch(api, {"action": "list", "details": "None"}, method="POST")
    assert qids(root) == [v.qid for v in kb]
    assert root.find("RESPONSE/WARNING") is None


async def test_cve_filter(api, qualys_simulator):
    kb = qualys_simulator.tenant.kb
    cves = ["CVE-2024-3400", "cve-2021-44228"]
    root = await fetch(api, {"action": "list", "details": "All", "cve": ",".join(cves)})
    want = sorted({v.qid for cve in cves for v in kb.by_cve(cve)})
    assert len(want) >= 2
    assert qids(root) == want
    for vuln in root.iter("VULN"):
        listed = {c.findtext("ID") for c in vuln.iter("CVE")}
        assert listed & {"CVE-2024-3400", "CVE-2021-44228"}

    narrowed = await fetch(api, {"action": "list", "cve": ",".join(cves), "ids": str(want[0])})
    assert qids(narrowed) == [want[0]]


async def test_unknown_cve_gives_an_empty_list(api):
    root = await fetch(api, {"action": "list", "details": "All", "cve": "CVE-1999-99999"})
    assert qids(root) == []
    assert root.find("RESPONSE/DATETIME") is not None


async def test_patchable_and_date_filters(api, qualys_simulator):
    kb = qualys_simulator.tenant.kb
    root = await fetch(
        api, {"action": "list", "is_patchable": "0", "id_min": "38000", "id_max": "99999"}
    )
    want = [v.qid for v in kb.range(38000, 99999) if not v.patchable]
    assert want
    assert qids(root) == want

    after = datetime(2026, 1, 1, tzinfo=UTC)
    root = await fetch(api, {"action": "list", "published_after": "2026-01-01"})
    want = [v.qid for v in kb if v.published >= after]
    assert want
    assert qids(root) == want

    low = datetime(2025, 6, 1, tzinfo=UTC)
    high = datetime(2025, 7, 1, 12, tzinfo=UTC)
    root = await fetch(
        api,
        {
            "action": "list",
            "details": "None",
            "last_modified_after": "2025-06-01",
            "last_modified_before": "2025-07-01T12:00:00Z",
        },
    )
    want = [v.qid for v in kb if low <= v.last_modified <= high]
    assert want
    assert qids(root) == want


async def test_full_entry(api, qualys_simulator):
    tenant = qualys_simulator.tenant
    kb = tenant.kb
    vuln = kb.by_cve("CVE-2021-44228")[0]
    root = await fetch(
        api, {"action": "list", "details": "All", "ids": str(vuln.qid), "show_disabled_flag": "1"}
    )
    entry = root.find("RESPONSE/VULN_LIST/VULN")
    assert entry.findtext("TITLE") == vuln.title
    assert entry.findtext("VULN_TYPE") == vuln.vuln_type
    assert entry.findtext("SEVERITY_LEVEL") == str(vuln.severity)
    assert entry.findtext("CATEGORY") == vuln.category
    assert entry.findtext("PATCHABLE") == ("1" if vuln.patchable else "0")
    assert entry.findtext("PUBLISHED_DATETIME") == vuln.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [c.findtext("ID") for c in entry.iter("CVE")] == list(vuln.cves)
    assert entry.findtext("DIAGNOSIS") == vuln.diagnosis
    assert entry.findtext("SOLUTION") == vuln.solution
    assert entry.findtext("CVSS_V3/BASE") == str(vuln.cvss_base)
    assert entry.findtext("CVSS_V3/TEMPORAL") == str(vuln.cvss_temporal)
    assert entry.findtext("CVSS_V3/VECTOR_STRING") == vuln.cvss_vector
    threats = entry.findall("THREAT_INTELLIGENCE/THREAT_INTEL")
    assert [t.text for t in threats] == list(vuln.threat_intel)
    assert all(t.get("id", "").isdigit() for t in threats)
    assert len({t.get("id") for t in threats}) == len(threats)
    # Exploits where real KB XML has them (catalogue §8c), not under EXPLOIT_LIST.
    links = [
        e.findtext("LINK") for e in entry.findall("CORRELATION/EXPLOITS/EXPLT_SRC/EXPLT_LIST/EXPLT")
    ]
    assert links == [exploit.link for exploit in vuln.exploits]
    sources = {s.findtext("SRC_NAME") for s in entry.iter("EXPLT_SRC")}
    assert sources == {exploit.source for exploit in vuln.exploits}
    vendors = {item.product: item.vendor for item in tenant.software}
    assert [(s.findtext("PRODUCT"), s.findtext("VENDOR")) for s in entry.iter("SOFTWARE")] == [
        (product, vendors[product]) for product in vuln.software
    ]
    assert entry.findtext("IS_DISABLED") == "0"
    assert entry.find("QDS") is None  # no vendor source shows QDS on the KB list
    assert entry.find("EXPLOIT_LIST") is None


async def test_basic_details_leave_out_the_texts(api, qualys_simulator):
    vuln = qualys_simulator.tenant.kb.by_cve("CVE-2024-3400")[0]
    entry = (await fetch(api, {"action": "list", "ids": str(vuln.qid)})).find(
        "RESPONSE/VULN_LIST/VULN"
    )
    assert entry.findtext("TITLE") == vuln.title
    assert entry.findtext("CVSS_V3/BASE") == str(vuln.cvss_base)
    assert [c.findtext("ID") for c in entry.iter("CVE")] == list(vuln.cves)
    for absent in ("DIAGNOSIS", "SOLUTION", "CORRELATION", "THREAT_INTELLIGENCE", "IS_DISABLED"):
        assert entry.find(absent) is None, absent


async def test_versions_and_methods_agree(api):
    params = {"action": "list", "details": "All", "ids": "38000-39000"}
    got = await api.get(PATH, params=params)
    posted = await api.post("/api/4.0/fo/knowledge_base/vuln/", data=params)
    assert got.status_code == posted.status_code == 200
    assert got.text == posted.text


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"action": "list", "details": "Full"}, "details"),
        ({"action": "list", "ids": "38000-x"}, "ids"),
        ({"action": "list", "ids": "39000-38000"}, "ids"),
        ({"action": "list", "published_after": "last week"}, "published_after"),
        ({"action": "list", "is_patchable": "2"}, "is_patchable"),
        ({"action": "list", "id_min": "low"}, "id_min"),
        ({"action": "edit"}, "action"),
    ],
)
async def test_bad_values_get_the_fo_error_naming_the_parameter(api, params, name):
    response = await api.get(PATH, params=params)
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.findtext("RESPONSE/CODE") == "1905"
    assert root.findtext("RESPONSE/TEXT").startswith(f"parameter {name} has invalid value")


class TestUnlicensed:
    @pytest.fixture
    def qualys_simulator_options(self) -> dict[str, Any]:
        return {
            "assets": 10,
            "now": FIXED_NOW,
            "config": SimConfig(unlicensed=frozenset({"vmdr"})),
        }

    async def test_unlicensed_vmdr_answers_404(self, api):
        response = await api.get(PATH, params={"action": "list", "ids": "38906"})
        hosts = await api.get("/api/2.0/fo/asset/host/", params={"action": "list"})
        assert response.status_code == hosts.status_code == 404
        assert ET.fromstring(response.content).findtext("RESPONSE/TEXT").startswith("vmdr")
