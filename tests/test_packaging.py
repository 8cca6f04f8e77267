"""The monorepo installs as designed: core plus the five product plugins, found by entry point."""

from importlib.metadata import distribution, entry_points

import pytest
from packaging.requirements import Requirement

import qualys_core

PRODUCTS = ["pcas", "sdr", "totalai", "totalcloud", "vmdr"]


def test_core_distribution_and_console_script():
    dist = distribution("qualys-mcp-core")
    assert dist.version == qualys_core.__version__
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"qualys-mcp": "qualys_core.cli:main"}


@pytest.mark.parametrize("product", PRODUCTS)
def test_each_product_plugin_is_installed_and_registered(product):
    dist = distribution(f"qualys-mcp-{product}")
    (core,) = [Requirement(r) for r in dist.requires or [] if r.startswith("qualys-mcp-core")]
    assert core.specifier.contains(qualys_core.__version__)
    assert not core.specifier.contains("0.2.0")
    (ep,) = [ep for ep in dist.entry_points if ep.group == "qualys_mcp.plugins"]
    assert ep.name == product
    module = ep.load()
    assert module.PLUGIN_NAME == product


def test_entry_point_group_lists_every_product():
    names = sorted(ep.name for ep in entry_points(group="qualys_mcp.plugins"))
    assert set(PRODUCTS) <= set(names)
