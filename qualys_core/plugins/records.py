"""The typed records plugins register: aggregators, correlations, intent recognisers, prompts.

Hooks return these records; the host validates them (unique names, known tools, callable
functions) and never calls plugin code except through the functions they carry. An
aggregator is a plain async function plus a record saying what it serves: which tool, which
scopes, which investigate intents, which Qualys module it needs, and what it costs.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from qualys_core.cache import PluginCache
    from qualys_core.http.client import QualysClient
    from qualys_core.settings import Settings

__all__ = [
    "TOOLS",
    "WORKFLOW_TOOLS",
    "Action",
    "Aggregator",
    "AggregatorContext",
    "AggregatorResult",
    "Correlation",
    "CorrelationContext",
    "CorrelationFinding",
    "Finding",
    "Intent",
    "PromptSpec",
    "Recogniser",
    "Serves",
    "WarmupTask",
]

ToolName = Literal[
    "investigate",
    "assess_risk",
    "check_compliance",
    "plan_remediation",
    "security_overview",
    "reports",
    "cache_status",
]
TOOLS: tuple[str, ...] = get_args(ToolName)
WORKFLOW_TOOLS: tuple[str, ...] = TOOLS[:5]
Severity = Literal["critical", "high", "medium", "low", "info"]
Cost = Literal["low", "medium", "high"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lower-case words joined by '_' or '.', "
            "e.g. 'vmdr.detections'"
        )
    return value


class Intent(BaseModel):
    """What an `investigate` target is: a CVE, a QID, an IP, a hostname, a threat, free text..."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(
        description="cve, qid, ipv4, ipv6, hostname, asset_id, threat, software, "
        "free_text, or a kind a plugin recogniser adds (e.g. ai_model)"
    )
    value: str = Field(description="the target as given")
    normalized: str = Field(description="canonical form, e.g. 'CVE-2024-3400', '38739'")
    recogniser: str = Field("core", description="the recogniser that matched")
    attributes: dict[str, str] = Field(default_factory=dict)


class Serves(BaseModel):
    """One (tool, scopes, intents) combination an aggregator answers.

    Empty `scopes` means every scope of the tool; empty `intents` means every intent (only
    investigate has intents). `depth` is the shallowest investigate depth that runs it.
    """

    model_config = ConfigDict(frozen=True)

    tool: ToolName
    scopes: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()
    depth: Literal["quick", "standard", "deep"] = "quick"
    actions: frozenset[str] = frozenset()


class Finding(BaseModel):
    """One line worth a headline: the engine ranks findings of all sources by severity."""

    text: str
    severity: Severity = "info"


class Action(BaseModel):
    """A next step for the analyst, with why; `priority` 1 is the most urgent."""

    priority: int = Field(3, ge=1, le=5)
    title: str
    why: str
    tool: str | None = Field(None, description="the tool call that takes this step, if any")
    arguments: dict[str, Any] = Field(default_factory=dict)


class AggregatorResult(BaseModel):
    """What an aggregator returns: records plus honest counts, findings and suggested actions."""

    records: list[dict[str, Any]] = Field(default_factory=list)
    total: int | None = Field(None, description="how many Qualys reports exist, when it says")
    truncated: bool = False
    more: str | None = Field(None, description="how to get the rest, e.g. 'raise limit'")
    stats: dict[str, int | float | str] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    cached: bool = False


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AggregatorContext:
    """Everything an aggregator may use; built fresh for each call.

    `now` is the moment of the call from the engine's clock: aggregators measure "the last 7
    days" or "stale for 30 days" from it rather than from the system clock, so that a test
    (or the simulator's dated tenant) can pin it.
    """

    client: QualysClient
    cache: PluginCache
    settings: Settings
    tool: str
    params: Mapping[str, Any]
    intent: Intent | None = None
    now: datetime = field(default_factory=utc_now)


AggregatorFn = Callable[[AggregatorContext], Awaitable[AggregatorResult]]


class Aggregator(BaseModel):
    """An aggregator record: a named async function and what it serves."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str = Field(description="unique, prefixed with the plugin, e.g. 'vmdr.detections'")
    title: str = Field(description="shown to the analyst, e.g. 'VMDR host detections'")
    fn: AggregatorFn
    serves: tuple[Serves, ...]
    module: str = Field(description="the Qualys module a subscription needs, e.g. 'VMDR'")
    cache_tier: str | None = None
    cost: Cost = "medium"
    timeout: float | None = Field(None, gt=0, description="seconds; default from the engine")
    plugin: str = Field("", description="filled in by the loader")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _check_name(value)


@dataclass
class CorrelationContext:
    """The successful results of the aggregators a correlation named, by aggregator name."""

    tool: str
    params: Mapping[str, Any]
    results: Mapping[str, AggregatorResult]
    intent: Intent | None = None


class CorrelationFinding(BaseModel):
    """A cross-source insight, e.g. a CVE on internet-facing assets with failing cloud controls."""

    title: str
    severity: Severity = "medium"
    detail: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list)
    total: int | None = None
    actions: list[Action] = Field(default_factory=list)


CorrelationFn = Callable[[CorrelationContext], Awaitable[list[CorrelationFinding]]]


class Correlation(BaseModel):
    """Runs when every aggregator it `needs` returned data (status ok) in the same call."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    title: str
    needs: tuple[str, ...] = Field(min_length=1)
    fn: CorrelationFn
    tools: frozenset[ToolName] = frozenset()
    plugin: str = ""

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _check_name(value)


class Recogniser(BaseModel):
    """Turns an investigate target into an Intent, or returns None; higher priority runs first."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    kind: str
    fn: Callable[[str], Intent | None]
    priority: int = 50
    plugin: str = ""


class PromptSpec(BaseModel):
    """An MCP prompt: `fn`'s parameters become the prompt's arguments, its str return the text."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    description: str
    fn: Callable[..., str]
    plugin: str = ""


@dataclass(frozen=True)
class WarmupTask:
    """Background cache warm-up, run only with --warm, within `max_calls` Qualys calls."""

    name: str
    fn: Callable[[AggregatorContext], Awaitable[None]]
    max_calls: int = 20
    plugin: str = field(default="")
