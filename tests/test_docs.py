"""The plugin guide cannot drift: it names every hook, and its quotes of the template are real."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from qualys_core.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-a-plugin.md"
# A fenced block, with the "<!-- from <path> -->" comment on the line before it if it has one.
BLOCK = re.compile(
    r"^(?:<!-- from (?P<path>\S+) -->\n)?```(?P<lang>[\w-]*)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


def hook_names() -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("qualys_") and member.__module__ == hookspecs.__name__
    ]


def blocks() -> list[re.Match[str]]:
    return list(BLOCK.finditer(GUIDE.read_text(encoding="utf-8")))


def quotes() -> list[tuple[str, str]]:
    return [(m["path"], m["code"]) for m in blocks() if m["path"]]


def test_the_hook_list_is_complete():
    assert len(hook_names()) == 9


@pytest.mark.parametrize("hook", hook_names())
def test_the_guide_documents_every_hook(hook):
    assert f"`{hook}(" in GUIDE.read_text(encoding="utf-8")


def test_the_guide_quotes_the_template():
    quoted = {path for path, _ in quotes()}
    assert {
        "plugins/_template/qualys_example/plugin.py",
        "plugins/_template/qualys_example/aggregators.py",
        "plugins/_template/tests/test_example.py",
        "plugins/_template/pyproject.toml",
    } <= quoted


@pytest.mark.parametrize(
    ("path", "code"), quotes(), ids=[f"{p}:{i}" for i, (p, _) in enumerate(quotes())]
)
def test_each_quote_is_literally_in_its_file(path, code):
    source = (ROOT / path).read_text(encoding="utf-8")
    assert code in source, f"the guide's quote of {path} no longer matches the file"


def test_unmarked_python_blocks_do_not_pass_for_the_template():
    unmarked = [m["code"] for m in blocks() if m["lang"] == "python" and not m["path"]]
    assert unmarked
    assert [code for code in unmarked if "qualys_example" in code] == []
