"""Simulator tests run with the test plugin's routes only, whatever is installed."""

from __future__ import annotations

import pytest

from qualys_core.plugins.manager import create_plugin_host
from tests.simulator import simplugin


@pytest.fixture
def qualys_plugin_host():
    return create_plugin_host(load_entrypoints=False, plugins={"testsim": simplugin}, strict=True)
