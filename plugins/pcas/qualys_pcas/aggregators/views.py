"""How `pcas.library` shows what it found: records, findings and suggested next steps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from qualys_core.errors import QualysError
from qualys_core.plugins import Action, Finding
from qualys_pcas.api.library import IMPORT_PATH, Label, LibraryPolicy, Technology

__all__ = [
    "by_newest",
    "failure_findings",
    "import_action",
    "label_record",
    "names",
    "policy_record",
]


def by_newest(policies: Iterable[LibraryPolicy]) -> list[LibraryPolicy]:
    """Newest update first (the current benchmark versions), then the higher id."""
    return sorted(policies, key=lambda p: (p.updated or date.min, p.policy_id), reverse=True)


def policy_record(
    policy: LibraryPolicy, labels: Sequence[str], technologies: Sequence[str]
) -> dict[str, Any]:
    return {
        "kind": "policy",
        "policy_id": policy.policy_id,
        "title": policy.title,
        "labels": list(labels),
        "technologies": sorted(technologies),
        "version": policy.version,
        "updated": policy.updated.isoformat() if policy.updated else None,
    }


def label_record(label: Label, policies: int | None) -> dict[str, Any]:
    return {"kind": "label", "label": label.name, "label_id": label.label_id, "policies": policies}


def names(items: Sequence[str], shown: int) -> str:
    text = ", ".join(items[:shown])
    return text + (f" and {len(items) - shown} more" if len(items) > shown else "")


def failure_findings(
    what: str, errors: Iterable[QualysError], keys: Sequence[str] | None = None
) -> list[Finding]:
    """One finding per part that did not answer, saying which and why."""
    found: list[Finding] = []
    for index, error in enumerate(errors):
        part = f"{what} {keys[index]}" if keys else what
        found.append(
            Finding(
                text=f"PCAS library: {part} did not answer ({error.source_status}: {error}); "
                "the rest is shown without it",
                severity="medium",
            )
        )
    return found


def import_action(row: dict[str, Any], priority: int = 2) -> Action:
    """Importing is a write the plugin never performs; it only names the step."""
    return Action(
        priority=priority,
        title=f"Import the library policy '{row['title']}' (policyId {row['policy_id']})",
        why="Importing it into Policy Compliance lets scans assess hosts against it. It is a "
        f"write (POST {IMPORT_PATH} with policyId {row['policy_id']}, or Policies > Library "
        "in the Qualys UI) that this server does not perform.",
    )


def framework_actions(
    label: Label, rows: Sequence[dict[str, Any]], counts: Sequence[tuple[int, str]]
) -> list[Action]:
    actions: list[Action] = []
    if rows:
        actions.append(import_action(rows[0]))
    if counts:
        actions.append(
            Action(
                priority=3,
                title=f"See the {label.name} policies for one platform",
                why=f"{counts[0][1]} has the most {label.name} policies; name your own "
                "platform to see the ones that fit your hosts.",
                tool="check_compliance",
                arguments={"framework": label.name, "platform": counts[0][1]},
            )
        )
    return actions


def unknown_framework_findings(framework: str, labels: Sequence[Label]) -> list[Finding]:
    return [
        Finding(
            text=f"The Policy Audit library has no framework matching '{framework}'; its "
            f"frameworks are: {', '.join(lab.name for lab in labels)}",
            severity="low",
        )
    ]


def unknown_platform_findings(platform: str, technologies: Sequence[Technology]) -> list[Finding]:
    return [
        Finding(
            text=f"No library technology matches '{platform}'; the library covers: "
            + names([t.name for t in technologies], 12),
            severity="low",
        )
    ]


def platform_headline(
    tech: Technology, label: Label | None, rows: Sequence[dict[str, Any]]
) -> Finding:
    under = f"{label.name} " if label else ""
    if not rows:
        return Finding(
            text=f"The Policy Audit library has no {under}policy for {tech.name}",
            severity="medium",
        )
    return Finding(
        text=f"{len(rows):,} {under}library policies for {tech.name}; newest: {rows[0]['title']}",
        severity="info",
    )
