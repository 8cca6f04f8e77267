"""The tenant's SaaSDR controls: the built-in library plus the customer's custom controls.

Criticality is the vendor's text with its number (`criticality`, `criticalityNo`; samples show
"High" with 3 and "Low"). The samples disagree on the number (one "Low" control has 3); the
simulator keeps one scale, Low 1, Medium 2, High 3, with 3 for "High" as the create sample
has it. No source shows a fourth level.

Custom controls are copies of built-in ones with a parameter changed, as the 1.14.0 API
release notes describe them ("modify specific parameters in an existing control"): the same
name (the vendor's sample keeps it), an id of their own, and a criticality the customer may
have changed. 110 built-in and 18 custom controls make the 128 of the catalogue's fixture.

Control ids (`cid`) are strings (the vendor masks them as "xxxxx"): five digits, 10001 on for
built-in controls and 90001 on for custom ones (our choice; no source shows real ones).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qualys_core.simulator import Tenant
from qualys_sdr.simulator.catalog import APPLICATIONS, ENTITY_ID, XPATH, templates

__all__ = [
    "CRITICALITIES",
    "CUSTOM_CONTROLS",
    "SaasControl",
    "build_controls",
    "controls",
    "extend_tenant",
]

_KEY = "sdr"
CRITICALITIES = {"Low": 1, "Medium": 2, "High": 3}
CUSTOM_CONTROLS = 18
_BUILT_IN_BASE = 10001
_CUSTOM_BASE = 90001


@dataclass(frozen=True)
class SaasControl:
    cid: str
    name: str
    criticality: str
    description: str
    connector_type: str
    entity_type: str
    entity_id_param: str
    predicate: str
    evidence_key: str
    evidence_path: str
    scope: str
    xpath: str
    is_custom: bool

    @property
    def criticality_no(self) -> int:
        return CRITICALITIES[self.criticality]


def _criticality(tenant: Tenant, *parts: object) -> str:
    # A spread like a real library's: fewer High than Medium controls.
    rng = tenant.rng(_KEY, "criticality", *parts)
    return rng.choices(("Low", "Medium", "High"), weights=(3, 4, 3))[0]


def _built_in(tenant: Tenant) -> list[SaasControl]:
    found: list[SaasControl] = []
    for index, t in enumerate(templates()):
        cid = str(_BUILT_IN_BASE + index)
        app = APPLICATIONS[t.connector_type]
        found.append(
            SaasControl(
                cid=cid,
                name=t.name,
                criticality=_criticality(tenant, cid),
                description=(
                    f"Qualys SaaSDR reads the {t.entity_type} records of the {app} connector "
                    f"and checks the '{t.evidence_key}' setting ({t.property})."
                ),
                connector_type=t.connector_type,
                entity_type=t.entity_type,
                entity_id_param=ENTITY_ID[t.connector_type],
                predicate=f"$.[?({t.condition})]",
                evidence_key=t.evidence_key,
                evidence_path=f"$.{t.property}",
                scope="API",  # the only value the vendor's samples show
                xpath=XPATH[t.connector_type],
                is_custom=False,
            )
        )
    return found


def _custom(tenant: Tenant, library: list[SaasControl]) -> list[SaasControl]:
    rng = tenant.rng(_KEY, "custom")
    picked = sorted(rng.sample(range(len(library)), CUSTOM_CONTROLS))
    found: list[SaasControl] = []
    for offset, index in enumerate(picked):
        source = library[index]
        cid = str(_CUSTOM_BASE + offset)
        found.append(
            replace(
                source,
                cid=cid,
                criticality=_criticality(tenant, cid),
                description=f"{source.description} Customized from control {source.cid}.",
                is_custom=True,
            )
        )
    return found


def build_controls(tenant: Tenant) -> tuple[SaasControl, ...]:
    """Every control of the tenant, built-in first, each group in cid order."""
    library = _built_in(tenant)
    return (*library, *_custom(tenant, library))


def extend_tenant(tenant: Tenant) -> None:
    tenant.extensions.setdefault(_KEY, {})["controls"] = build_controls(tenant)


def controls(tenant: Tenant) -> tuple[SaasControl, ...]:
    """The tenant's controls (built on first use when the tenant hook did not run)."""
    slot = tenant.extensions.setdefault(_KEY, {})
    found = slot.get("controls")
    if found is None:
        found = slot["controls"] = build_controls(tenant)
    assert isinstance(found, tuple)
    return found
