"""Fixtures for core tests: settings with fake credentials and a client on mock transports."""

from __future__ import annotations

import random

import httpx
import pytest

from qualys_core.http.client import QualysClient
from qualys_core.settings import Settings

PASSWORD = "s3cr3t-Pa55word!"
FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln"


class FakeTime:
    """An injected clock and sleep: waits are recorded and advance the clock instantly."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def settings():
    return Settings(pod="US2", username="acme_ab1", password=PASSWORD)


@pytest.fixture
async def make_client(settings, fake_time):
    clients = []

    def make(api=None, gateway=None, **kwargs):
        def unused(request):
            raise AssertionError(f"unexpected request {request.method} {request.url}")

        client = QualysClient.from_settings(
            kwargs.pop("settings", settings),
            api_transport=httpx.MockTransport(api or unused),
            gateway_transport=httpx.MockTransport(gateway or unused),
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            rng=random.Random(7),
            **kwargs,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
