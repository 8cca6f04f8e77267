"""Fixtures for every test under tests/: no QUALYS_* variable of the machine leaks in."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_qualys_env(monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("QUALYS_"):
            monkeypatch.delenv(name, raising=False)
