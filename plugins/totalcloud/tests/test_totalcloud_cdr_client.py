"""Our CDR client (api/cdr.py) on the simulator: the window from the caller's clock, the
severity / provider / category filters, paging, counts, and the alternative field spellings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from qualys_totalcloud.api.cdr import count_findings, list_findings, parse_finding
from qualys_totalcloud.simulator.cdr_data import CdrFinding, findings

from qualys_core.simulator import Simulator


def _expected(simulator: Simulator, days: int, **match: str) -> list[CdrFinding]:
    now = simulator.tenant.now
    return [
        f
        for f in findings(simulator.tenant)
        if now - timedelta(days=days) <= f.timestamp <= now
        and all(getattr(f, key) == value for key, value in match.items())
    ]


async def test_the_window_comes_from_now_and_days(qualys_client, qualys_simulator) -> None:
    now = qualys_simulator.tenant.now
    found, total = await list_findings(qualys_client, now=now, days=7)
    expected = _expected(qualys_simulator, 7)
    assert total == len(expected) > 0
    assert [f.id for f in found] == [e.id for e in expected]
    first, source = found[0], expected[0]
    assert (first.severity, first.provider, first.category) == (
        source.severity, source.provider.lower(), source.category,
    )  # fmt: skip
    assert (first.resource_id, first.account_id, first.region) == (
        source.resource_id, source.account_id, source.region,
    )  # fmt: skip
    assert first.timestamp == source.timestamp.replace(microsecond=0)
    (call,) = qualys_simulator.log.select(route="totalcloud.cdr_findings")
    assert (call.params["startAt"], call.params["endAt"]) == (
        "2026-01-08T00:00:00Z", "2026-01-15T00:00:00Z",
    )  # fmt: skip
    assert (call.params["pageSize"], call.params["pageNumber"]) == ("100", "0")


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"severity": "critical"}, {"severity": "CRITICAL"}),
        ({"severity": "4"}, {"severity": "CRITICAL"}),
        ({"provider": "azure"}, {"provider": "AZURE"}),
        ({"category": "Cryptomining"}, {"category": "Cryptomining"}),
        ({"provider": "aws", "severity": "HIGH"}, {"provider": "AWS", "severity": "HIGH"}),
    ],
)
async def test_filters(qualys_client, qualys_simulator, filters, match) -> None:
    now = qualys_simulator.tenant.now
    expected = _expected(qualys_simulator, 90, **match)
    assert expected
    found, total = await list_findings(qualys_client, now=now, days=90, **filters)
    assert total == len(expected)
    assert [f.id for f in found] == [e.id for e in expected]
    assert await count_findings(qualys_client, now=now, days=90, **filters) == len(expected)


async def test_paging_and_limit(qualys_client, qualys_simulator) -> None:
    now = qualys_simulator.tenant.now
    expected = _expected(qualys_simulator, 90)
    assert len(expected) > 45
    found, total = await list_findings(qualys_client, now=now, days=90, page_size=20)
    assert (total, [f.id for f in found]) == (len(expected), [e.id for e in expected])
    pages = [
        c.params["pageNumber"] for c in qualys_simulator.log.select(route="totalcloud.cdr_findings")
    ]
    assert pages == [str(n) for n in range(len(expected) // 20 + 1)]
    some, _ = await list_findings(qualys_client, now=now, days=90, limit=3)
    assert [f.id for f in some] == [e.id for e in expected[:3]]


async def test_bad_filters_are_refused_before_asking(qualys_client, qualys_simulator) -> None:
    now = qualys_simulator.tenant.now
    with pytest.raises(ValueError, match="CDR covers aws, azure, gcp"):
        await list_findings(qualys_client, now=now, days=7, provider="oci")
    with pytest.raises(ValueError, match="severity"):
        await count_findings(qualys_client, now=now, days=7, severity="severe")
    assert qualys_simulator.log.count(route="totalcloud.cdr_findings") == 0


def test_the_reader_takes_every_spelling_the_clients_read() -> None:
    """§11 lists alternative keys; a finding in the other spellings reads the same."""
    finding = parse_finding(
        {
            "severity": "4",
            "cloudProvider": "AWS",
            "threatCategory": "Cryptomining",
            "eventMessage": "Outbound connection to known mining pool",
            "affectedResource": "i-0abc123",
            "cspAccount": "123456789012",
            "cspRegion": "us-east-1",
            "createdAt": "2026-01-14T22:13:05Z",
            "remoteIpDetails": {"ip": "203.0.113.9", "country": "NL", "city": "Amsterdam"},
        }
    )
    assert finding.severity == "CRITICAL"
    assert (finding.provider, finding.category) == ("aws", "Cryptomining")
    assert (finding.resource_id, finding.account_id, finding.region) == (
        "i-0abc123", "123456789012", "us-east-1",
    )  # fmt: skip
    assert finding.timestamp is not None
    assert finding.timestamp.isoformat() == "2026-01-14T22:13:05+00:00"
    assert (finding.remote_ip, finding.remote_country) == ("203.0.113.9", "NL")
    assert parse_finding({"severity": "5", "alertClass": "Network Activity"}).severity == "CRITICAL"
    assert parse_finding({"alertClass": "Network Activity"}).category == "Network Activity"
