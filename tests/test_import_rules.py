"""Import boundaries: the core never imports a plugin, and no plugin imports another plugin."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = "qualys_core"
PRODUCTS = ["pcas", "sdr", "totalai", "totalcloud", "vmdr"]


def imported_names(source: str) -> Iterator[tuple[str, int]]:
    """(top-level package, line) for every absolute import, including import_module("...")."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) else None
            if name in {"import_module", "__import__"} and isinstance(literal, str):
                yield literal.split(".")[0], node.lineno


def violations(package: str, source: str, path: str) -> list[str]:
    """Imports of a `qualys_*` package other than `package` itself and the core."""
    return [
        f"{path}:{line}: {package} imports {name}"
        for name, line in sorted(imported_names(source), key=lambda item: item[1])
        if name.startswith("qualys_") and name not in {package, CORE}
    ]


def packages() -> dict[str, list[Path]]:
    """The .py files of the core and of every plugin package, by import package name."""
    found = {CORE: sorted((ROOT / CORE).rglob("*.py"))}
    for package_dir in sorted(ROOT.glob("plugins/*/qualys_*")):
        if package_dir.is_dir():
            found.setdefault(package_dir.name, []).extend(sorted(package_dir.rglob("*.py")))
    return found


def check(package: str) -> list[str]:
    return [
        problem
        for path in packages()[package]
        for problem in violations(
            package, path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]


def test_the_walk_sees_the_core_and_every_product_plugin():
    found = packages()

    assert {CORE, *(f"qualys_{product}" for product in PRODUCTS)} <= set(found)
    assert all(found.values())
    assert ROOT / CORE / "plugins" / "manager.py" in found[CORE]


def test_the_core_imports_no_plugin():
    assert check(CORE) == []


@pytest.mark.parametrize("package", sorted(set(packages()) - {CORE}))
def test_a_plugin_imports_no_other_plugin(package):
    assert check(package) == []


def test_the_checker_reports_each_violation_with_file_and_line():
    source = "\n".join(
        [
            "import qualys_vmdr",
            "from qualys_totalai.records import Model",
            "import qualys_core.cache",
            "from qualys_core import plugins",
            "from . import sibling",
            "from .qualys_sdr import local",
            "importlib.import_module('qualys_pcas.plugin')",
            "import os, qualys_sdr.api as api",
            "def lazy():",
            "    from qualys_totalcloud import x",
        ]
    )

    assert violations(CORE, source, "qualys_core/bad.py") == [
        "qualys_core/bad.py:1: qualys_core imports qualys_vmdr",
        "qualys_core/bad.py:2: qualys_core imports qualys_totalai",
        "qualys_core/bad.py:7: qualys_core imports qualys_pcas",
        "qualys_core/bad.py:8: qualys_core imports qualys_sdr",
        "qualys_core/bad.py:10: qualys_core imports qualys_totalcloud",
    ]
    assert violations("qualys_vmdr", source, "x.py") == [
        "x.py:2: qualys_vmdr imports qualys_totalai",
        "x.py:7: qualys_vmdr imports qualys_pcas",
        "x.py:8: qualys_vmdr imports qualys_sdr",
        "x.py:10: qualys_vmdr imports qualys_totalcloud",
    ]
