"""The report download directory setting: QUALYS_MCP_DOWNLOAD_DIR, its default and `~`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from qualys_core.settings import Settings


def make(**values):
    return Settings(_env_file=None, **values)


def test_the_default_is_a_qualys_mcp_folder_in_the_users_downloads(monkeypatch):
    monkeypatch.setenv("HOME", "/home/analyst")
    assert make().download_dir == Path("/home/analyst/Downloads/qualys-mcp")


def test_without_a_home_directory_the_default_is_under_the_temp_dir(monkeypatch, tmp_path):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # forget the cached temp dir
    assert make().download_dir == tmp_path / "qualys-mcp-downloads"


def test_qualys_mcp_download_dir_sets_it(monkeypatch, tmp_path):
    monkeypatch.setenv("QUALYS_MCP_DOWNLOAD_DIR", str(tmp_path / "reports"))
    assert make().download_dir == tmp_path / "reports"


def test_a_keyword_argument_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("QUALYS_MCP_DOWNLOAD_DIR", str(tmp_path / "from-env"))
    assert make(download_dir=tmp_path / "given").download_dir == tmp_path / "given"


@pytest.mark.parametrize("source", ["env", "keyword"])
def test_a_leading_tilde_is_the_home_directory(monkeypatch, source):
    monkeypatch.setenv("HOME", "/home/analyst")
    if source == "env":
        monkeypatch.setenv("QUALYS_MCP_DOWNLOAD_DIR", "~/qualys")
        settings = make()
    else:
        settings = make(download_dir="~/qualys")
    assert settings.download_dir == Path("/home/analyst/qualys")
