"""check_compliance through MCP: a framework naming a SaaS application, control words, both,
none (the overview), and one that matches nothing (a finding listing what exists)."""

from __future__ import annotations

import re

from qualys_sdr.simulator.catalog import APPLICATIONS
from qualys_sdr.simulator.data import controls

SOURCE = "sdr.controls"


def _words(control) -> set[str]:
    return set(re.findall(r"[a-z]+|\d+", f"{control.name} {control.entity_type}".lower()))


def _controls(env) -> list[dict]:
    return [r for r in env["data"][SOURCE]["records"] if r["kind"] == "control"]


async def test_a_framework_naming_an_application_selects_its_controls(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    mine = [c for c in library if c.connector_type == "OFFICE365"]
    env = await call(
        "check_compliance", {"framework": "CIS Microsoft 365 Foundations Benchmark v3.1.0",
                             "limit": 500}
    )  # fmt: skip
    stats = env["data"][SOURCE]["stats"]
    assert stats["saas_framework"] == "Microsoft Office 365"
    assert stats["saas_controls"] == len(mine) > 0
    assert stats["saas_custom_controls"] == sum(c.is_custom for c in mine)
    rows = _controls(env)
    assert {r["cid"] for r in rows} == {c.cid for c in mine}
    assert {r["application"] for r in rows} == {"Microsoft Office 365"}
    texts = env["summary"]["key_findings"]
    assert texts[0].startswith(f"Microsoft Office 365: {len(mine)} SaaS DR controls")
    assert any("control name has 'cis'" in t for t in texts)


async def test_control_words_select_across_applications(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    mfa = [c for c in library if "mfa" in _words(c)]
    assert {c.connector_type for c in mfa} == set(APPLICATIONS)
    env = await call("check_compliance", {"framework": "MFA", "limit": 500})
    assert {r["cid"] for r in _controls(env)} == {c.cid for c in mfa}
    assert env["data"][SOURCE]["stats"]["saas_framework"] == "SaaS controls on 'mfa'"
    high_first = [r["criticality"] for r in _controls(env)]
    assert high_first == sorted(high_first, key=["High", "Medium", "Low"].index)


async def test_application_and_words_narrow_together(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    wanted = [c for c in library if c.connector_type == "SFDC" and "password" in _words(c)]
    env = await call("check_compliance", {"framework": "Salesforce password", "limit": 500})
    assert {r["cid"] for r in _controls(env)} == {c.cid for c in wanted}
    assert len(wanted) < sum(c.connector_type == "SFDC" for c in library)


async def test_without_a_framework_the_overview_counts_everything(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    env = await call("check_compliance", {"limit": 3})
    block = env["data"][SOURCE]
    assert block["stats"]["saas_framework"] == "all controls"
    assert block["stats"]["saas_controls"] == len(library)
    assert [r["kind"] for r in block["records"]] == ["application"] * 3
    assert sum(r["controls"] for r in block["records"]) == len(library)
    assert env["summary"]["headline"].startswith("SaaS posture: 128 SaaS DR controls")


async def test_an_unmatched_framework_is_a_finding_listing_what_exists(call, qualys_simulator):
    library = controls(qualys_simulator.tenant)
    env = await call("check_compliance", {"framework": "NIST 800-53"})
    (source,) = env["sources"]
    assert source["status"] == "ok"
    block = env["data"][SOURCE]
    assert block["records"] == []
    assert block["stats"]["saas_framework"] == "none matched"
    headline = env["summary"]["headline"]
    assert headline.startswith("No SaaS DR controls match 'NIST 800-53'")
    for connector, name in APPLICATIONS.items():
        count = sum(c.connector_type == connector for c in library)
        assert f"{name} ({count} controls" in headline
    assert {a["arguments"]["framework"] for a in env["actions"]} == set(APPLICATIONS.values())
