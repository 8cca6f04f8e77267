"""The issue's acceptance command, run as a user runs it: `qualys-mcp call investigate
--target CVE-2024-3400` with no credentials answers from the demo tenant."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_cli_investigates_a_cve_on_the_demo_tenant():
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QUALYS_")}
    done = subprocess.run(
        [sys.executable, "-m", "qualys_core.cli", "call", "investigate", "--target",
         "CVE-2024-3400"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("> **Demo data**")
    assert re.search(r"CVE-2024-3400 is QID \d+, severity 5: Palo Alto Networks PAN-OS", out)
    assert re.search(r"CVE-2024-3400 is open on \d+ hosts, \d+ internet-facing", out)
    assert "**Risk level: critical**" in out
    assert "## Correlations" in out
    assert "plan_remediation(qids=[" in out
    assert "DEMO MODE" in done.stderr
