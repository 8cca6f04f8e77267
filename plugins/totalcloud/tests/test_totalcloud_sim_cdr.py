"""The simulated CDR findings endpoint against the findings it serves (cdr_data), through
plain HTTP on the gateway."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

import pytest
from qualys_totalcloud.simulator.cdr_data import CATEGORIES, CdrFinding, build_findings, findings
from qualys_totalcloud.simulator.cloud_data import estate

from qualys_core.simulator import Simulator, iso

PATH = "/cdr-api/rest/v1/findings/"
_DOCUMENTATION = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


def _window(now: datetime, days: int) -> dict[str, str]:
    return {"startAt": iso(now - timedelta(days=days)), "endAt": iso(now)}


def _within(data: tuple[CdrFinding, ...], now: datetime, days: int) -> list[CdrFinding]:
    return [f for f in data if now - timedelta(days=days) <= f.timestamp <= now]


async def test_a_week_answers_every_finding_of_the_week_newest_first(
    gateway, qualys_simulator: Simulator
) -> None:
    tenant = qualys_simulator.tenant
    expected = _within(findings(tenant), tenant.now, 7)
    assert len(expected) > 10
    body = (
        await gateway.get(PATH, params={**_window(tenant.now, 7), "pageSize": 100, "pageNumber": 0})
    ).json()
    assert body["totalElements"] == len(expected)
    assert [item["id"] for item in body["content"]] == [f.id for f in expected]
    first, finding = body["content"][0], expected[0]
    assert first["severity"] == finding.severity
    assert first["cloudType"] == finding.provider
    assert first["category"] == finding.category
    assert first["cloudAccount"] == finding.account_id
    assert first["resourceId"] == finding.resource_id
    assert first["timestamp"] == iso(finding.timestamp)
    stamps = [item["timestamp"] for item in body["content"]]
    assert stamps == sorted(stamps, reverse=True)


async def test_findings_are_the_estates_resources_and_documentation_addresses(
    qualys_simulator: Simulator,
) -> None:
    tenant = qualys_simulator.tenant
    cloud = estate(tenant)
    data = findings(tenant)
    assert data == build_findings(tenant)  # deterministic
    assert {f.provider for f in data} == {"AWS", "AZURE", "GCP"}  # CDR does not cover OCI
    assert {f.category for f in data} == set(CATEGORIES)
    for finding in data:
        assert cloud.resource(finding.resource_id) is finding.resource
        assert finding.resource.account_id == finding.account_id
        assert tenant.now - timedelta(days=90) <= finding.timestamp < tenant.now
        if finding.remote_ip is not None:
            address = ipaddress.ip_address(finding.remote_ip)
            assert any(address in net for net in _DOCUMENTATION)
    # Denser recently: the last week holds more than an average week of the 90 days.
    assert len(_within(data, tenant.now, 7)) > len(data) * 7 / 90


async def test_the_window_is_required(gateway) -> None:
    response = await gateway.get(PATH, params={"pageSize": 1, "pageNumber": 0})
    assert response.status_code == 400
    assert "startAt" in response.json()["message"]
    bad = await gateway.get(PATH, params={"startAt": "last week", "endAt": "2026-01-15T00:00:00Z"})
    assert bad.status_code == 400
    assert "ISO 8601" in bad.json()["message"]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"severity": "CRITICAL"}, lambda f: f.severity == "CRITICAL"),
        ({"severity": "high"}, lambda f: f.severity == "HIGH"),
        ({"severity": "4"}, lambda f: f.severity == "CRITICAL"),
        ({"cloudProvider": "azure"}, lambda f: f.provider == "AZURE"),
        ({"category": "cryptomining"}, lambda f: f.category == "Cryptomining"),
        ({"alertClass": "API Activity"}, lambda f: f.alert_class == "API Activity"),
        ({"query": "tc.findings.cloudProvider: AWS AND tc.findings.severity: HIGH"},
         lambda f: f.provider == "AWS" and f.severity == "HIGH"),
    ],
)  # fmt: skip
async def test_filters(gateway, qualys_simulator: Simulator, params, keep) -> None:
    tenant = qualys_simulator.tenant
    expected = [f for f in _within(findings(tenant), tenant.now, 90) if keep(f)]
    assert expected
    body = (
        await gateway.get(PATH, params={**_window(tenant.now, 90), "pageSize": 500, **params})
    ).json()
    assert body["totalElements"] == len(expected)
    assert [item["id"] for item in body["content"]] == [f.id for f in expected]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"cloudProvider": "OCI"}, "cloudProvider"),
        ({"severity": "SEVERE"}, "severity"),
        ({"query": "cloudProvider = AWS"}, "query"),
        ({"pageNumber": "-1"}, "pageNumber"),
        ({"time": "[05-13-2025 15:20:00]"}, "time"),
    ],
)
async def test_bad_values_are_a_400_naming_the_parameter(
    gateway, qualys_simulator, params, named
) -> None:
    response = await gateway.get(PATH, params={**_window(qualys_simulator.tenant.now, 7), **params})
    assert response.status_code == 400
    assert named in response.json()["message"]


async def test_page_number_and_offset_paging_agree(gateway, qualys_simulator: Simulator) -> None:
    tenant = qualys_simulator.tenant
    window = _window(tenant.now, 30)
    expected = [f.id for f in _within(findings(tenant), tenant.now, 30)]
    by_number: list[str] = []
    for number in range(0, 50):
        page = (
            await gateway.get(PATH, params={**window, "pageSize": 7, "pageNumber": number})
        ).json()
        by_number.extend(item["id"] for item in page["content"])
        if len(page["content"]) < 7:
            break
    assert by_number == expected
    # The vendor guide's offSet / limit, and newer qualys-mcp's limit + pageNumber.
    offset = (await gateway.get(PATH, params={**window, "offSet": 5, "limit": 4})).json()
    assert [item["id"] for item in offset["content"]] == expected[5:9]
    limit = (await gateway.get(PATH, params={**window, "limit": 4, "pageNumber": 2})).json()
    assert [item["id"] for item in limit["content"]] == expected[8:12]
