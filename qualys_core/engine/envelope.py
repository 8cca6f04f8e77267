"""The response envelope every workflow tool returns: summary, data, correlations, actions, sources.

It is both the tool's structured output and the source of its markdown text. Lists are honest:
each says how many it returned, how many Qualys reported, whether it was cut, and how to get
more. A failed source is a named entry with a status and a hint, never a missing section.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from qualys_core.plugins.records import Action, Severity

__all__ = [
    "SOURCE_STATUSES",
    "CorrelationBlock",
    "DataBlock",
    "Envelope",
    "RiskLevel",
    "SourceReport",
    "Summary",
]

SourceStatus = Literal[
    "ok",
    "empty",
    "not_licensed",
    "auth_failed",
    "bad_request",
    "unavailable",
    "timeout",
    "rate_limited",
    "bad_response",
    "skipped",
]
SOURCE_STATUSES: tuple[str, ...] = get_args(SourceStatus)
RiskLevel = Literal["critical", "high", "medium", "low", "info", "unknown"]


class Summary(BaseModel):
    headline: str
    risk_level: RiskLevel = "unknown"
    key_findings: list[str] = Field(default_factory=list)
    stats: dict[str, int | float | str] = Field(default_factory=dict)


class DataBlock(BaseModel):
    """One aggregator's records, with honest counts."""

    title: str
    records: list[dict[str, Any]] = Field(default_factory=list)
    returned: int = 0
    total: int | None = None
    truncated: bool = False
    more: str | None = None
    stats: dict[str, int | float | str] = Field(default_factory=dict)


class CorrelationBlock(BaseModel):
    name: str
    title: str
    severity: Severity = "medium"
    detail: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list)
    returned: int = 0
    total: int | None = None
    truncated: bool = False


class SourceReport(BaseModel):
    """How one aggregator fared in this call."""

    name: str
    title: str
    plugin: str
    status: SourceStatus
    duration_ms: int = 0
    cached: bool = False
    returned: int = 0
    total: int | None = None
    message: str | None = None
    hint: str | None = None


class Envelope(BaseModel):
    tool: str
    demo: bool = False
    summary: Summary
    data: dict[str, DataBlock] = Field(default_factory=dict)
    correlations: list[CorrelationBlock] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    sources: list[SourceReport] = Field(default_factory=list)
    truncated: bool = Field(False, description="true when any list above was cut")
    notes: list[str] = Field(default_factory=list)
