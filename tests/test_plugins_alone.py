"""Each product plugin installed alone beside the core works: an environment holding the core
and that one plugin as built distributions, plus the third-party libraries, and none of our
other distributions. There `qualys-mcp plugins` lists the plugin with its aggregators and a
tool call answers from the embedded demo tenant.

The environment is a `--target` install of the two wheels and a folder linking every entry of
this interpreter's site-packages except ours (no editable finders, no `.pth`, no other
`qualys_mcp_*` metadata), run with `python -S` so the site-packages themselves are not seen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# plugin -> a call it must answer alone, and the source that must answer it
CALLS = {
    "vmdr": (["investigate", "--target", "CVE-2024-3400"], "vmdr.kb"),
    "totalcloud": (["assess_risk", "--scope", "cloud"], "totalcloud.posture"),
    "sdr": (["assess_risk", "--scope", "saas"], "sdr.controls"),
    "pcas": (["check_compliance", "--framework", "CIS"], "pcas.library"),
    "totalai": (["assess_risk", "--scope", "ai"], "totalai.detections"),
}


def _ours(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(
        ("qualys_mcp", "qualys_core", "qualys_", "_editable_", "__editable__")
    ) or lowered.endswith(".pth")


@pytest.fixture(scope="module")
def third_party(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = Path(sysconfig.get_paths()["purelib"])
    deps = tmp_path_factory.mktemp("deps")
    for entry in site.iterdir():
        if not _ours(entry.name) and entry.name != "__pycache__":
            (deps / entry.name).symlink_to(entry)
    return deps


def _install(target: Path, *sources: Path) -> None:
    # hatchling is in the dev environment, so the builds need neither isolation nor an index.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
         *map(str, sources)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip


def _run(target: Path, deps: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("QUALYS_", "PYTHON"))}
    env["PYTHONPATH"] = os.pathsep.join((str(target), str(deps)))
    return subprocess.run(
        [sys.executable, "-S", "-m", "qualys_core.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=target,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("plugin", sorted(CALLS))
def test_a_plugin_installed_alone_with_the_core_works(plugin, tmp_path, third_party):
    target = tmp_path / "env"
    _install(target, ROOT, ROOT / "plugins" / plugin)
    installed = sorted(p.name.split("-")[0] for p in target.glob("qualys_mcp_*.dist-info"))
    assert installed == ["qualys_mcp_core", f"qualys_mcp_{plugin}"]

    listing = _run(target, third_party, "plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    found = json.loads(listing.stdout)
    assert found["load_errors"] == []
    (info,) = found["plugins"]
    assert info["name"] == plugin
    assert info["distribution"] == f"qualys-mcp-{plugin}"
    assert info["aggregators"]
    assert all(name.startswith(f"{plugin}.") for name in info["aggregators"])

    args, source = CALLS[plugin]
    answer = _run(target, third_party, "call", *args, "--json")
    assert answer.returncode == 0, answer.stderr
    envelope = json.loads(answer.stdout)
    statuses = {s["name"]: s["status"] for s in envelope["sources"]}
    assert statuses[source] == "ok", statuses
    assert all(name.startswith(f"{plugin}.") for name in statuses)
