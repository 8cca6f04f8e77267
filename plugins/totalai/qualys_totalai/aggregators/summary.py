"""Turning TotalAI detections into what the tools show: ranked rows, counts by severity and
OWASP category, the models affected, findings and next steps. Plain functions, no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualys_core.plugins import Action, Finding
from qualys_core.plugins.records import Severity
from qualys_totalai.api.detections import Detection

__all__ = [
    "ModelSummary",
    "by_severity",
    "level",
    "model_findings",
    "models_affected",
    "owasp_counts",
    "ranked",
    "record",
    "severity_text",
    "top",
    "worst_model_actions",
]

SEVERITIES = (5, 4, 3, 2, 1)
_LEVEL: dict[int, Severity] = {5: "critical", 4: "high", 3: "medium", 2: "low", 1: "low"}


def level(severity: int | None) -> Severity:
    """The finding level of a Qualys severity 1-5 (5 is urgent)."""
    return _LEVEL.get(severity or 0, "info")


def ranked(found: Sequence[Detection]) -> list[Detection]:
    """Most severe first; then the larger share of attack prompts that succeeded; then id."""
    return sorted(
        found,
        key=lambda d: (-(d.severity or 0), -(d.fail_test_percentage or 0.0), d.id or 0),
    )


def record(detection: Detection, detail: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "model": detection.model_name,
        "test": detection.name,
        "severity": detection.severity,
        "result": detection.result,
        "attack": detection.attack,
        "owasp": ", ".join(detection.owasp) or None,
        "fail_test_pct": detection.fail_test_percentage,
        "jailbreak": detection.is_jailbreak,
        "last_detected": f"{detection.last_detected:%Y-%m-%d}" if detection.last_detected else None,
    }
    if detail:
        row.update(
            id=detection.id,
            qid=detection.qid,
            model_id=detection.model_id,
            categories=", ".join(detection.categories) or None,
            first_detected=f"{detection.first_detected:%Y-%m-%d}"
            if detection.first_detected
            else None,
        )
    return row


def by_severity(found: Sequence[Detection]) -> dict[int, int]:
    counted = Counter(d.severity for d in found)
    return {s: counted.get(s, 0) for s in SEVERITIES}


def severity_text(counts: dict[int, int]) -> str:
    return ", ".join(f"{counts[s]} severity {s}" for s in SEVERITIES if counts.get(s))


def owasp_counts(found: Sequence[Detection]) -> Counter[str]:
    return Counter(name for d in found for name in d.owasp)


def top(counter: Counter[str], n: int = 5) -> str:
    """The `n` most frequent names with their counts; ties in name order."""
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count}" for name, count in ordered[:n])


@dataclass(frozen=True)
class ModelSummary:
    """One model's failing tests: how many, how bad, and how often the attacks succeeded."""

    name: str
    failing: int
    worst: int
    mean_fail_pct: float
    jailbreaks: int
    top_test: str

    def text(self) -> str:
        jailbreaks = (
            f", {self.jailbreaks} jailbreak{'s' if self.jailbreaks != 1 else ''}"
            if self.jailbreaks
            else ""
        )
        return (
            f"AI model {self.name}: {self.failing} failing test"
            f"{'s' if self.failing != 1 else ''} (worst severity {self.worst}{jailbreaks}); "
            f"{self.mean_fail_pct:.1f}% of attack prompts succeeded on average"
        )


def models_affected(failing: Sequence[Detection]) -> list[ModelSummary]:
    """Models with failing detections, worst first (severity, then count, then success rate)."""
    groups: dict[str, list[Detection]] = {}
    for detection in failing:
        groups.setdefault(detection.model_name or "unnamed model", []).append(detection)
    summaries = []
    for name, found in groups.items():
        shares = [d.fail_test_percentage for d in found if d.fail_test_percentage is not None]
        worst = ranked(found)[0]
        summaries.append(
            ModelSummary(
                name=name,
                failing=len(found),
                worst=max(d.severity or 0 for d in found),
                mean_fail_pct=round(sum(shares) / len(shares), 1) if shares else 0.0,
                jailbreaks=sum(1 for d in found if d.is_jailbreak),
                top_test=worst.name or "a failing test",
            )
        )
    return sorted(summaries, key=lambda m: (-m.worst, -m.failing, -m.mean_fail_pct, m.name))


def worst_model_actions(models: Sequence[ModelSummary], jailbreaks: int) -> list[Action]:
    actions = [
        Action(
            priority=1 if model.worst >= 5 else 2 if model.worst == 4 else 3,
            title=f"Harden AI model {model.name}",
            why=f"It fails {model.failing} TotalAI tests, worst '{model.top_test}' (severity "
            f"{model.worst}); add input and output guardrails, then rescan.",
            tool="investigate",
            arguments={"target": model.name},
        )
        for model in models[:2]
    ]
    if jailbreaks:
        actions.append(
            Action(
                priority=2,
                title="Review jailbreak defences across AI models",
                why=f"{jailbreaks} jailbreak test{'s' if jailbreaks != 1 else ''} failed: "
                "system prompts and safety filters can be bypassed.",
                tool="investigate",
                arguments={"target": "jailbreak"},
            )
        )
    return actions


def model_findings(models: Sequence[ModelSummary], n: int = 3) -> list[Finding]:
    return [Finding(text=m.text(), severity=level(m.worst)) for m in models[:n]]
