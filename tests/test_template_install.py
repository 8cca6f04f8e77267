"""The template plugin builds as a real distribution and the core finds it by its entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "plugins" / "_template"

PROBE = """
from qualys_core.plugins.manager import create_plugin_host

host = create_plugin_host(load_entrypoints=True, allow=["example"], strict=True)
for info in host.plugins:
    print(info.name, info.distribution, info.version, info.source)
for aggregator in host.aggregators:
    print(aggregator.name, aggregator.plugin)
for tier in host.cache_tiers:
    print(tier.name, tier.ttl, tier.owner)
"""


def test_the_installed_template_is_discovered_through_its_entry_point(tmp_path):
    # hatchling is in the dev environment, so the build needs neither isolation nor an index.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(tmp_path),
            str(TEMPLATE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "qualys_mcp_example-0.1.0.dist-info").is_dir()
    assert not (tmp_path / "tests").exists()

    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QUALYS_")}
    env["PYTHONPATH"] = str(tmp_path)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )

    assert probe.stdout.splitlines() == [
        "example qualys-mcp-example 0.1.0 entry_point",
        "example.asset_count example",
        "example_counts 300 example",
    ]
