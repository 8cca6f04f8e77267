"""Fixtures: an App with the fake plugin, on mock Qualys transports, and an MCP client for it."""

from __future__ import annotations

import pytest

from qualys_core.app import App
from qualys_core.plugins.manager import create_plugin_host
from qualys_core.settings import Settings

from .fakeplugin import FakePlugin, qualys_mock


@pytest.fixture
def plugin():
    return FakePlugin()


@pytest.fixture
async def make_app(plugin):
    apps = []

    def make(*, plugins=None, strict=True, **options):
        api, gateway = qualys_mock()
        host = create_plugin_host(
            load_entrypoints=False,
            plugins=plugins if plugins is not None else {"fake": plugin},
            strict=strict,
        )
        app = App(
            Settings(pod="US1", username="acme_ab1", password="pw-not-shown"),
            host=host,
            api_transport=api,
            gateway_transport=gateway,
            **options,
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        await app.aclose()
