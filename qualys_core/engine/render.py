"""Render an Envelope as markdown that never exceeds a character budget.

The markdown is what an LLM reads, so it must fit its context: when the full rendering is too
long, detail is given up in steps (shorter tables, no tables, fewer key findings, no data
headings, shorter lines) while the headline, actions and sources stay, and a closing line says
what was cut. The structured envelope always keeps everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qualys_core.engine.envelope import CorrelationBlock, DataBlock, Envelope, SourceReport
from qualys_core.plugins.records import Action

__all__ = ["DEMO_LINE", "render_markdown"]

DEMO_LINE = "> **Demo data**: synthetic Qualys tenant, not your subscription."
MIN_ROWS = 3
MAX_COLUMNS = 8
CELL_CHARS = 80
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_HOW_TO_GET_MORE = "Ask for fewer results (limit) or detail=true for a single item."


@dataclass(frozen=True)
class _Plan:
    """How much detail one rendering attempt keeps; None means everything."""

    rows: int | None = None
    tables: bool = True
    findings: int | None = None
    blocks: bool = True
    line_chars: int | None = None


def _cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple) and all(not isinstance(v, dict | list) for v in value):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(value, default=str, separators=(",", ":"))
    else:
        text = str(value)
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1] + "…"
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", "<br>")
        .replace("\n", "<br>")
        .replace("\r", "<br>")
    )


def _columns(records: Sequence[Mapping[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for record in records[:5]:
        columns.update(dict.fromkeys(str(key) for key in record))
    return list(columns)[:MAX_COLUMNS]


def _table(records: Sequence[Mapping[str, Any]], rows: int | None) -> Iterator[str]:
    """A markdown table of the first `rows` records, one line at a time."""
    columns = _columns(records)
    if not columns:
        return
    shown = len(records) if rows is None else min(rows, len(records))
    yield "| " + " | ".join(_cell(column) for column in columns) + " |"
    yield "|" + "---|" * len(columns)
    for record in records[:shown]:
        yield "| " + " | ".join(_cell(record.get(column)) for column in columns) + " |"
    if shown < len(records):
        yield f"_{len(records) - shown} more rows in the structured result._"


def _stats(stats: Mapping[str, int | float | str]) -> str:
    def show(value: int | float | str) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)

    return " · ".join(f"{key}: {show(value)}" for key, value in stats.items())


def _count(returned: int, total: int | None) -> str:
    return f"returned {returned} of {total}" if total is not None else f"returned {returned}"


def _argument(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False).replace("`", "'")


def _action(number: int, action: Action) -> str:
    line = f"{number}. **{action.title}**: {action.why}"
    if action.tool:
        args = ", ".join(f"{key}={_argument(value)}" for key, value in action.arguments.items())
        line += f" `{action.tool}({args})`"
    return line


def _source(source: SourceReport) -> str:
    timing = f"{source.duration_ms} ms" + (", cached" if source.cached else "")
    line = f"- {source.name}: {source.status} ({timing})"
    if source.status not in ("ok", "empty"):
        if source.message:
            line += f": {source.message}"
        if source.hint:
            line += f" Hint: {source.hint}"
    return line


def _correlation(block: CorrelationBlock, plan: _Plan) -> Iterator[str]:
    returned = block.returned or len(block.items)
    line = f"- **{block.title}** ({block.severity})"
    if block.detail:
        line += f": {block.detail}"
    if block.items or block.total:
        line += f" ({_count(returned, block.total)})"
    yield line
    if plan.tables and block.items:
        yield ""
        yield from _table(block.items, plan.rows)
        yield ""


def _data(block: DataBlock, plan: _Plan) -> Iterator[str]:
    returned = block.returned or len(block.records)
    heading = f"### {block.title}: {_count(returned, block.total)}"
    if block.truncated and block.more:
        heading += f" (more: {block.more})"
    yield heading
    if block.stats:
        yield _stats(block.stats)
    if plan.tables and block.records:
        yield ""
        yield from _table(block.records, plan.rows)
    yield ""


def _lines(env: Envelope, plan: _Plan) -> Iterator[str]:
    if env.demo:
        yield DEMO_LINE
        yield ""
    summary = env.summary
    yield f"## {summary.headline}"
    yield f"**Risk level: {summary.risk_level}**"
    findings = (
        summary.key_findings if plan.findings is None else summary.key_findings[: plan.findings]
    )
    yield from (f"- {finding}" for finding in findings)
    if len(findings) < len(summary.key_findings):
        yield f"- _{len(summary.key_findings) - len(findings)} more findings not shown_"
    if summary.stats:
        yield _stats(summary.stats)
    yield from (f"> {note}" for note in env.notes)
    if env.correlations:
        yield ""
        yield "## Correlations"
        ordered = sorted(env.correlations, key=lambda c: _SEVERITY_ORDER.get(c.severity, 9))
        for correlation in ordered:
            yield from _correlation(correlation, plan)
    if env.actions:
        yield ""
        yield "## Actions"
        ordered_actions = sorted(env.actions, key=lambda a: a.priority)
        yield from (_action(n, a) for n, a in enumerate(ordered_actions, start=1))
    if env.data:
        yield ""
        yield "## Data"
        if plan.blocks:
            for block in env.data.values():
                yield from _data(block, plan)
        else:
            yield ", ".join(
                f"{b.title}: {_count(b.returned or len(b.records), b.total)}"
                for b in env.data.values()
            )
    if env.sources:
        yield ""
        yield "## Sources"
        yield from (_source(source) for source in env.sources)


def _render(env: Envelope, plan: _Plan, limit: int) -> tuple[str, bool]:
    """The rendering under `plan`, and whether it is complete.

    Rendering stops at the first line past `limit` characters, so that a huge envelope is not
    rendered in full only to be thrown away; the text then holds the whole lines that fit.
    """
    kept: list[str] = []
    size = 0
    for line in _lines(env, plan):
        if not line and (not kept or not kept[-1]):
            continue  # no leading or doubled blank lines
        if plan.line_chars is not None and len(line) > plan.line_chars:
            line = line[: plan.line_chars - 1] + "…"
        size += len(line) + 1
        if size > limit + 1:
            return _join(kept), False
        kept.append(line)
    return _join(kept), True


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n")


def _plans(env: Envelope) -> Iterator[tuple[_Plan, str]]:
    """Ever smaller renderings, each with a note of what it gave up."""
    plan = _Plan()
    rows = max(
        [len(b.records) for b in env.data.values()] + [len(c.items) for c in env.correlations],
        default=0,
    )
    while rows > MIN_ROWS:
        rows = max(MIN_ROWS, rows // 2)
        plan = replace(plan, rows=rows)
        yield plan, f"tables shortened to {rows} rows"
    plan = replace(plan, tables=False)
    yield plan, "tables dropped"
    findings = len(env.summary.key_findings)
    while findings > 0:
        findings //= 2
        plan = replace(plan, findings=findings)
        yield plan, "tables dropped, key findings trimmed"
    plan = replace(plan, blocks=False)
    yield plan, "tables, key findings and data details dropped"
    for chars in (400, 200, 100):
        plan = replace(plan, line_chars=chars)
        yield plan, f"tables, key findings and data details dropped, lines cut to {chars} chars"


def _notice(budget: int, what: str) -> str:
    return f"_Output trimmed to fit {budget} characters: {what}. {_HOW_TO_GET_MORE}_"


def render_markdown(env: Envelope, *, budget: int = 20_000) -> str:
    """The envelope as markdown of at most `budget` characters, trimmed in steps when needed."""
    if budget < 1:
        raise ValueError(f"budget must be at least 1 character (got {budget})")
    text, complete = _render(env, _Plan(), budget)
    if complete:
        return text
    plan = _Plan()
    for plan, what in _plans(env):
        notice = _notice(budget, what)
        text, complete = _render(env, plan, budget - len(notice) - 2)
        if complete:
            return f"{text}\n\n{notice}"
    # Even the barest rendering is too long: keep the whole lines of it that fit.
    notice = _notice(budget, "all optional detail dropped and the rest cut short")
    text, _ = _render(env, plan, budget - len(notice) - 2)
    if not text:
        return notice[:budget]
    return f"{text}\n\n{notice}"
