"""Tallies of SaaS DR controls: per application and criticality, custom and built-in, and
the rows an answer shows (applications first, then controls by criticality, High first).

No source shows a pass/fail result on a control, so nothing here ranks by failure: the
order is criticality (the text, or `criticalityNo` when the text is not one we know), then
application, then id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualys_core.plugins import Action, Finding
from qualys_sdr.aggregators.matching import application_name
from qualys_sdr.api.controls import SaasControl

__all__ = ["LEVELS", "Tally", "control_record", "rank", "tally"]

# The vendor's samples show "High" and "Low"; "Medium" completes the simulator's scale and
# "Critical" is read in case a tenant has it.
_WEIGHT = {"critical": 4, "high": 3, "medium": 2, "low": 1}
LEVELS = ("Critical", "High", "Medium", "Low")
_SHOWN = 3


def _weight(control: SaasControl) -> int:
    return _WEIGHT.get((control.criticality or "").lower(), control.criticality_no or 0)


def _level(control: SaasControl) -> str:
    text = (control.criticality or "").lower()
    return text.capitalize() if text in _WEIGHT else "Unknown"


def rank(control: SaasControl) -> tuple[int, str, str]:
    return (-_weight(control), application_name(control.connector_type), control.cid or "")


def control_record(control: SaasControl, detail: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "control",
        "cid": control.cid,
        "name": control.name,
        "application": application_name(control.connector_type),
        "criticality": control.criticality,
        "custom": control.is_custom,
    }
    if detail:
        row |= {
            "connector_type": control.connector_type,
            "criticality_no": control.criticality_no,
            "entity_type": control.entity_type,
            "description": control.description,
        }
        if control.extra:
            row["extra"] = control.extra
    return row


@dataclass(frozen=True)
class Tally:
    controls: tuple[SaasControl, ...]

    @property
    def custom(self) -> int:
        return sum(1 for c in self.controls if c.is_custom)

    @property
    def built_in(self) -> int:
        return len(self.controls) - self.custom

    def level(self, name: str) -> int:
        return sum(1 for c in self.controls if _level(c) == name)

    def applications(self) -> list[tuple[str | None, Tally]]:
        """(connectorType, its tally), most High-criticality controls first."""
        found: dict[str | None, list[SaasControl]] = {}
        for control in self.controls:
            found.setdefault(control.connector_type, []).append(control)
        pairs = [(k, Tally(tuple(v))) for k, v in found.items()]
        return sorted(pairs, key=lambda p: (-p[1].level("High"), application_name(p[0])))

    def levels_text(self) -> str:
        parts = [f"{self.level(n)} {n}" for n in LEVELS if self.level(n) or n != "Critical"]
        unknown = self.level("Unknown")
        if unknown:
            parts.append(f"{unknown} of no known criticality")
        return ", ".join(parts)

    def application_rows(self) -> list[dict[str, Any]]:
        rows = []
        for connector, part in self.applications():
            row: dict[str, Any] = {
                "kind": "application",
                "application": application_name(connector),
                "connector_type": connector,
                "controls": len(part.controls),
                "built_in": part.built_in,
                "custom": part.custom,
            }
            row |= {n.lower(): part.level(n) for n in LEVELS if n != "Critical"}
            if part.level("Critical"):
                row["critical"] = part.level("Critical")
            rows.append(row)
        return rows

    def stats(self) -> dict[str, int | float | str]:
        stats: dict[str, int | float | str] = {
            "saas_controls": len(self.controls),
            "saas_builtin_controls": self.built_in,
            "saas_custom_controls": self.custom,
            "saas_applications": len(self.applications()),
        }
        for name in LEVELS:
            if name != "Critical" or self.level(name):
                stats[f"saas_{name.lower()}_controls"] = self.level(name)
        for connector, part in self.applications():
            stats[f"saas_controls.{connector or 'unknown'}"] = len(part.controls)
        return stats

    def ordered(self) -> list[SaasControl]:
        return sorted(self.controls, key=rank)

    def review_actions(self) -> list[Action]:
        """check_compliance on the applications with the most High-criticality controls."""
        return [
            Action(
                priority=3,
                title=f"Review the {application_name(connector)} SaaS controls",
                why=f"{part.level('High')} of its {len(part.controls)} SaaS DR controls are "
                "High criticality; check_compliance lists them by criticality.",
                tool="check_compliance",
                arguments={"framework": application_name(connector)},
            )
            for connector, part in self.applications()[:_SHOWN]
            if connector
        ]


def tally(controls: Sequence[SaasControl]) -> Tally:
    return Tally(tuple(controls))


def no_results_finding() -> Finding:
    return Finding(
        text="The SaaS DR controls API reports no pass/fail result per control; the "
        "evaluation status is on the SaaSDR Monitor page",
        severity="info",
    )
