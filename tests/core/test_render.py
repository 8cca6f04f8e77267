"""Markdown rendering of envelopes: sections and their order, escaping, the size budget."""

import pytest

from qualys_core.engine.envelope import (
    CorrelationBlock,
    DataBlock,
    Envelope,
    SourceReport,
    Summary,
)
from qualys_core.engine.render import DEMO_LINE, render_markdown
from qualys_core.plugins.records import Action

NOTICE_TAIL = "Ask for fewer results (limit) or detail=true for a single item._"


def envelope(rows=3, findings=3, demo=False, blocks=1):
    return Envelope(
        tool="investigate",
        demo=demo,
        summary=Summary(
            headline="CVE-2024-3400 on 12 firewalls",
            risk_level="critical",
            key_findings=[f"finding number {i}" for i in range(findings)],
            stats={"assets": 12, "qds": 95.5, "kev": "yes"},
        ),
        data={
            f"vmdr.detections{b}": DataBlock(
                title=f"VMDR detections {b}",
                records=[
                    {"host": f"fw{i}", "qid": 38739, "status": "Active", "sev": 5}
                    for i in range(rows)
                ],
                returned=rows,
                total=340,
                truncated=True,
                more="raise limit",
            )
            for b in range(blocks)
        },
        correlations=[
            CorrelationBlock(name="c.low", title="Stale scans", severity="low"),
            CorrelationBlock(
                name="c.crit",
                title="Internet-facing and exploited",
                severity="critical",
                detail="exposed to the internet",
                items=[{"host": "fw1", "ip": "10.0.0.1"}],
                returned=1,
                total=1,
            ),
            CorrelationBlock(name="c.med", title="Cloud misconfig too", severity="medium"),
        ],
        actions=[
            Action(priority=3, title="Review exceptions", why="two expire soon"),
            Action(
                priority=1,
                title="Patch PAN-OS",
                why="on the CISA KEV list",
                tool="plan_remediation",
                arguments={"cves": ["CVE-2024-3400"], "detail": True, "limit": 5},
            ),
        ],
        sources=[
            SourceReport(
                name="vmdr.detections",
                title="VMDR",
                plugin="vmdr",
                status="ok",
                duration_ms=123,
                cached=True,
                returned=3,
            ),
            SourceReport(
                name="sdr.events",
                title="SaaS DR",
                plugin="sdr",
                status="not_licensed",
                duration_ms=40,
                message="SaaS DR is not in this subscription",
                hint="Ask your Qualys TAM to enable it.",
            ),
        ],
        notes=["Writes are disabled."],
    )


def test_sections_in_order():
    text = render_markdown(envelope())
    order = [
        "## CVE-2024-3400 on 12 firewalls",
        "**Risk level: critical**",
        "- finding number 0",
        "assets: 12 · qds: 95.5 · kev: yes",
        "> Writes are disabled.",
        "## Correlations",
        "## Actions",
        "## Data",
        "### VMDR detections 0: returned 3 of 340 (more: raise limit)",
        "## Sources",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert text.startswith("## CVE-2024-3400")
    assert DEMO_LINE not in text
    assert "Output trimmed" not in text


def test_demo_line_comes_first():
    text = render_markdown(envelope(demo=True))
    assert text.splitlines()[0] == (
        "> **Demo data**: synthetic Qualys tenant, not your subscription."
    )


def test_correlations_most_severe_first():
    text = render_markdown(envelope())
    crit = text.index("- **Internet-facing and exploited** (critical): exposed to the internet")
    assert (
        crit
        < text.index("- **Cloud misconfig too** (medium)")
        < text.index("- **Stale scans** (low)")
    )
    assert "(returned 1 of 1)" in text
    assert "| fw1 | 10.0.0.1 |" in text


def test_actions_sorted_by_priority_with_tool_call():
    lines = render_markdown(envelope()).splitlines()
    start = lines.index("## Actions")
    assert lines[start + 1] == (
        "1. **Patch PAN-OS**: on the CISA KEV list "
        '`plan_remediation(cves=["CVE-2024-3400"], detail=true, limit=5)`'
    )
    assert lines[start + 2] == "2. **Review exceptions**: two expire soon"


def test_data_table_and_sources():
    text = render_markdown(envelope())
    assert "| host | qid | status | sev |\n|---|---|---|---|\n| fw0 | 38739 | Active | 5 |" in text
    assert "- vmdr.detections: ok (123 ms, cached)" in text
    assert (
        "- sdr.events: not_licensed (40 ms): SaaS DR is not in this subscription "
        "Hint: Ask your Qualys TAM to enable it."
    ) in text


def test_unknown_total_shows_only_the_count():
    env = envelope()
    env.data = {"x": DataBlock(title="Assets", records=[{"id": 1}], returned=1)}
    assert "### Assets: returned 1\n" in render_markdown(env)


def test_cells_are_escaped_truncated_and_columns_capped():
    env = envelope()
    record = {f"col{i}": i for i in range(12)}
    record["col0"] = "a|b\nc"
    record["col1"] = "x" * 200
    record["col2"] = ["one", "two"]
    record["col3"] = None
    env.data = {"x": DataBlock(title="Odd", records=[record], returned=1)}
    text = render_markdown(env)
    header = "| col0 | col1 | col2 | col3 | col4 | col5 | col6 | col7 |"
    assert header in text
    assert "col8" not in text
    row = text[text.index(header) :].splitlines()[2]
    cells = row.split(" | ")
    assert cells[0] == "| a\\|b<br>c"
    assert cells[1] == "x" * 79 + "…"
    assert cells[2] == "one, two"
    assert cells[3] == ""


def test_small_envelope_is_not_trimmed():
    text = render_markdown(envelope(), budget=20_000)
    assert len(text) < 2_000
    assert "Output trimmed" not in text


def test_moderate_overflow_shortens_tables_first():
    env = envelope(rows=400)
    full = render_markdown(env, budget=1_000_000)
    assert "| fw399 |" in full
    text = render_markdown(env, budget=len(full) // 3)
    assert len(text) <= len(full) // 3
    assert "| fw0 |" in text
    assert "| fw399 |" not in text
    assert "more rows in the structured result._" in text
    assert "_Output trimmed to fit" in text
    assert "tables shortened to" in text


def test_huge_envelope_fits_the_budget_and_keeps_actions_and_sources():
    env = envelope(rows=20_000, findings=2_000, blocks=6, demo=True)
    text = render_markdown(env, budget=20_000)
    assert len(text) <= 20_000
    lines = text.splitlines()
    assert lines[0] == DEMO_LINE
    assert "## CVE-2024-3400 on 12 firewalls" in text
    assert "1. **Patch PAN-OS**" in text
    assert "2. **Review exceptions**" in text
    assert "- vmdr.detections: ok (123 ms, cached)" in text
    assert "- sdr.events: not_licensed" in text
    assert lines[-1].startswith("_Output trimmed to fit 20000 characters: ")
    assert lines[-1].endswith(NOTICE_TAIL)
    assert "key findings trimmed" in lines[-1]
    assert "more findings not shown_" in text


@pytest.mark.parametrize("budget", [5_000, 2_000, 800, 300, 50, 1])
def test_budget_is_never_exceeded(budget):
    env = envelope(rows=5_000, findings=500, blocks=3)
    env.actions = [Action(priority=2, title=f"Act {i}", why="y" * 300) for i in range(50)]
    text = render_markdown(env, budget=budget)
    assert len(text) <= budget
    if budget >= 300:
        assert "_Output trimmed to fit" in text


def test_budget_must_be_positive():
    with pytest.raises(ValueError, match="budget must be at least 1"):
        render_markdown(envelope(), budget=0)
