"""The core MCP prompts: multi-step analyst workflows built from the seven tools."""

from __future__ import annotations

from qualys_core.plugins.records import PromptSpec

__all__ = ["CORE_PROMPTS"]


def critical_cve_triage(cve: str) -> str:
    return (
        f"Triage {cve} for our estate using the Qualys tools, in this order:\n"
        f"1. investigate(target='{cve}', depth='standard'): severity, exploitation status "
        "(CISA KEV, active attacks, public exploits), affected hosts and images.\n"
        "2. assess_risk(scope='assets') limited to what step 1 found exposed: which of the "
        "affected assets are internet-facing or business-critical.\n"
        f"3. plan_remediation(cves=['{cve}']): the patch or mitigation, ranked.\n"
        "Answer with: exposure count, whether it is exploited in the wild, the three assets to "
        "fix first and why, and the remediation with owner-ready wording. Mention any source "
        "that did not answer (not_licensed, timeout) so gaps are visible."
    )


def weekly_standup() -> str:
    return (
        "Prepare the weekly security stand-up from Qualys:\n"
        "1. security_overview(period='week'): new criticals, scanner health, scan status.\n"
        "2. assess_risk(scope='all', limit=10): the ten riskiest assets and why.\n"
        "3. plan_remediation(scope='program', limit=10): what moved and what is overdue.\n"
        "Write five bullets (what changed, biggest risk, blocked work, ask of other teams, "
        "next week's focus), each tied to a number from the tools."
    )


def pci_audit_prep(scope_tag: str = "PCI") -> str:
    return (
        f"Prepare for a PCI DSS audit of the assets tagged '{scope_tag}':\n"
        f"1. check_compliance(framework='PCI DSS', tag='{scope_tag}', include_exceptions=true): "
        "failing controls and open exceptions.\n"
        f"2. check_compliance(framework='PCI DSS', tag='{scope_tag}', days_to_expiry=30): "
        "exceptions expiring before the audit.\n"
        f"3. assess_risk(scope='vms', tag='{scope_tag}'): vulnerabilities an assessor will flag "
        "(requirement 6 and 11).\n"
        "Produce an evidence checklist: per requirement, status, evidence source and gaps."
    )


CORE_PROMPTS: tuple[PromptSpec, ...] = (
    PromptSpec(
        name="critical_cve_triage",
        description="Triage a new critical CVE: exposure, exploitation, what to fix first.",
        fn=critical_cve_triage,
        plugin="core",
    ),
    PromptSpec(
        name="weekly_standup",
        description="The weekly security stand-up summary from Qualys data.",
        fn=weekly_standup,
        plugin="core",
    ),
    PromptSpec(
        name="pci_audit_prep",
        description="PCI DSS audit preparation: failing controls, exceptions, evidence gaps.",
        fn=pci_audit_prep,
        plugin="core",
    ),
)
