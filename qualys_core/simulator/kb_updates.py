"""Recurring vendor updates in the simulated KB: monthly Windows updates and browser releases.

They are dated relative to the tenant's `now` (Patch Tuesdays of the past year; Chrome every two
weeks, Edge and Firefox every four, the newest within the last week), so "published this week"
queries always have answers. CVE ids are made up and advisory numbers masked, as in the filler.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from qualys_core.simulator.kb_catalog import VulnSpec, families
from qualys_core.simulator.kb_filler import Allocator, rti_in_order

__all__ = ["update_specs"]

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_WINDOWS_VECTORS = ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H")
_BROWSER_VECTOR = "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
_CHROME_126 = datetime(2024, 6, 11, tzinfo=UTC)


def _patch_tuesdays(now: datetime, count: int) -> list[datetime]:
    """The last `count` second Tuesdays of a month before `now`, at 17:00 UTC, newest first."""
    found: list[datetime] = []
    year, month = now.year, now.month
    while len(found) < count:
        first = datetime(year, month, 1, 17, tzinfo=UTC)
        second_tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
        if second_tuesday < now:
            found.append(second_tuesday)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _windows_updates(alloc: Allocator, now: datetime) -> Iterator[VulnSpec]:
    """One cumulative-update QID per Patch Tuesday of the last year, oldest first."""
    rng = alloc.rng
    for age, day in reversed(list(enumerate(_patch_tuesdays(now, 12)))):
        label = f"{_MONTHS[day.month - 1]} {day.year}"
        names = {"Remote_Code_Execution", "Privilege_Escalation"}
        if rng.random() < 0.6:
            names |= {"Zero_Day", "Active_Attacks", "Cisa_Known_Exploited_Vulns", "Exploit_Public"}
            names |= {"Ransomware"} if rng.random() < 0.15 else set()
        elif rng.random() < 0.3:
            names |= {"Exploit_Public", "Predicted_High_Risk"}
        cves = alloc.cve_ids(day, rng.randint(8, 14), low=20000)
        network = rng.random() < 0.5
        yield VulnSpec(
            qid=alloc.qid(92900),
            severity=5,
            published=day,
            cvss=9.8 if network else 8.8,
            vector="CVSS:3.1/" + _WINDOWS_VECTORS[0 if network else 1],
            epss=round(0.1 + 0.8 * rng.random(), 5),
            prevalence=(0.45, 0.18, 0.08)[age] if age < 3 else 0.03,
            title=f"Microsoft Windows Security Update for {label}",
            cves=cves,
            families=("Windows",),
            category="Windows",
            threat_intel=rti_in_order(names),
            vendor_refs=(f"{label} Security Updates",),
            impact="rce",
            diagnosis=f"The {label} security updates for Windows fix {len(cves)} vulnerabilities.",
            synthetic=True,
        )


def _browser_title(product: str, published: datetime) -> tuple[str, tuple[str, ...], str]:
    """Title, vendor references and family codes of a browser release published then.

    Versions follow the four-week major release cadence from Chrome 126 (2024-06-11).
    """
    days = (published - _CHROME_126).days
    major, step = 126 + days // 28, days % 28
    if product == "Google Chrome":
        version = f"{major}.0.{6478 + 61 * (major - 126)}.{55 + 4 * step}"
        title = f"Google Chrome Prior to {version} Multiple Vulnerabilities"
        return title, ("Stable Channel Update for Desktop",), "WLM"
    if product == "Microsoft Edge":
        version = f"{major}.0.{2592 + 62 * (major - 126)}.{40 + 3 * step}"
        return (
            f"Microsoft Edge Based on Chromium Prior to {version} Multiple Vulnerabilities",
            (),
            "WM",
        )
    advisory = f"MFSA{published.year}-XX"
    title = f"Mozilla Firefox Prior to {major + 1}.0 Multiple Vulnerabilities ({advisory})"
    return title, (advisory,), "WLM"


def _browser_updates(alloc: Allocator, now: datetime) -> Iterator[VulnSpec]:
    """Chrome every two weeks, Edge and Firefox every four, the newest ones this week."""
    rng = alloc.rng
    for product, base, first_day, step, count in (
        ("Google Chrome", 379600, 2, 14, 26),
        ("Microsoft Edge", 379700, 4, 28, 13),
        ("Mozilla Firefox", 379800, 6, 28, 13),
    ):
        for back in reversed(range(count)):
            day = now - timedelta(days=first_day + step * back)
            published = day.replace(hour=18, minute=0, second=0, microsecond=0)
            title, refs, codes = _browser_title(product, published)
            active = (back == 0 and product == "Google Chrome") or rng.random() < 0.12
            names = {"Remote_Code_Execution"}
            if active:
                names |= {"Zero_Day", "Active_Attacks", "Cisa_Known_Exploited_Vulns"}
            elif rng.random() < 0.2:
                names.add("Predicted_High_Risk")
            cves = alloc.cve_ids(published, rng.randint(2, 9))
            yield VulnSpec(
                qid=alloc.qid(base),
                severity=5 if active else 4,
                published=published,
                cvss=8.8,
                vector=f"CVSS:3.1/{_BROWSER_VECTOR}",
                epss=round((0.3 if active else 0.005) + 0.2 * rng.random(), 5),
                prevalence=max(0.01, round(0.5 * 0.55**back, 3)),
                title=title,
                cves=cves,
                families=families(codes),
                category="Local",
                software=(product,),
                threat_intel=rti_in_order(names),
                vendor_refs=refs,
                impact="rce",
                diagnosis=f"{product} releases before this one lack {len(cves)} security fixes.",
                synthetic=True,
            )


def update_specs(alloc: Allocator, now: datetime) -> Iterator[VulnSpec]:
    """The Windows cumulative updates of the last year, then the browser releases."""
    yield from _windows_updates(alloc, now)
    yield from _browser_updates(alloc, now)
