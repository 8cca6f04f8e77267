"""Tests for qualys_core.pods: the pod table, pod lookup and URL normalisation."""

from __future__ import annotations

import dataclasses

import pytest

from qualys_core.errors import ConfigError
from qualys_core.pods import PODS, Pod, get_pod, normalize_url

# Pinned from qualys-api.md section 2; a change here must be a deliberate decision.
POD_TABLE = [
    ("US1", "qualysapi.qualys.com", "gateway.qg1.apps.qualys.com", "qualysguard.qualys.com"),
    (
        "US2",
        "qualysapi.qg2.apps.qualys.com",
        "gateway.qg2.apps.qualys.com",
        "qualysguard.qg2.apps.qualys.com",
    ),
    (
        "US3",
        "qualysapi.qg3.apps.qualys.com",
        "gateway.qg3.apps.qualys.com",
        "qualysguard.qg3.apps.qualys.com",
    ),
    (
        "US4",
        "qualysapi.qg4.apps.qualys.com",
        "gateway.qg4.apps.qualys.com",
        "qualysguard.qg4.apps.qualys.com",
    ),
    ("EU1", "qualysapi.qualys.eu", "gateway.qg1.apps.qualys.eu", "qualysguard.qualys.eu"),
    (
        "EU2",
        "qualysapi.qg2.apps.qualys.eu",
        "gateway.qg2.apps.qualys.eu",
        "qualysguard.qg2.apps.qualys.eu",
    ),
    (
        "EU3",
        "qualysapi.qg3.apps.qualys.it",
        "gateway.qg3.apps.qualys.it",
        "qualysguard.qg3.apps.qualys.it",
    ),
    (
        "IN1",
        "qualysapi.qg1.apps.qualys.in",
        "gateway.qg1.apps.qualys.in",
        "qualysguard.qg1.apps.qualys.in",
    ),
    (
        "CA1",
        "qualysapi.qg1.apps.qualys.ca",
        "gateway.qg1.apps.qualys.ca",
        "qualysguard.qg1.apps.qualys.ca",
    ),
    (
        "AE1",
        "qualysapi.qg1.apps.qualys.ae",
        "gateway.qg1.apps.qualys.ae",
        "qualysguard.qg1.apps.qualys.ae",
    ),
    (
        "UK1",
        "qualysapi.qg1.apps.qualys.co.uk",
        "gateway.qg1.apps.qualys.co.uk",
        "qualysguard.qg1.apps.qualys.co.uk",
    ),
    (
        "AU1",
        "qualysapi.qg1.apps.qualys.com.au",
        "gateway.qg1.apps.qualys.com.au",
        "qualysguard.qg1.apps.qualys.com.au",
    ),
    (
        "KSA1",
        "qualysapi.qg1.apps.qualysksa.com",
        "gateway.qg1.apps.qualysksa.com",
        "qualysguard.qg1.apps.qualysksa.com",
    ),
]
ALL_PODS = [row[0] for row in POD_TABLE]


@pytest.mark.parametrize(("name", "api", "gateway", "qualysguard"), POD_TABLE)
def test_pod_urls(name: str, api: str, gateway: str, qualysguard: str) -> None:
    assert PODS[name] == Pod(
        name=name,
        api_url=f"https://{api}",
        gateway_url=f"https://{gateway}",
        qualysguard_url=f"https://{qualysguard}",
    )


def test_pod_table_has_exactly_the_documented_pods_in_order() -> None:
    assert list(PODS) == ALL_PODS


def test_pods_mapping_and_pod_are_immutable() -> None:
    with pytest.raises(TypeError):
        PODS["XX1"] = PODS["US1"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PODS["US1"].api_url = "https://evil.example"  # type: ignore[misc]


@pytest.mark.parametrize("name", ALL_PODS)
def test_get_pod_is_case_insensitive(name: str) -> None:
    assert get_pod(name.lower()) is PODS[name]
    assert get_pod(name.capitalize()) is PODS[name]
    assert get_pod(f"  {name} ") is PODS[name]


@pytest.mark.parametrize(
    ("alias", "expected"),
    [("qg1", "US1"), ("qg2", "US2"), ("QG3", "US3"), ("Qg4", "US4"), ("eu1", "EU1")],
)
def test_get_pod_accepts_qualysdk_names(alias: str, expected: str) -> None:
    assert get_pod(alias).name == expected


@pytest.mark.parametrize("name", ["US5", "qg5", "", "EU", "gov1"])
def test_unknown_pod_error_names_setting_and_lists_every_pod(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        get_pod(name)
    message = str(info.value)
    assert "QUALYS_POD" in message
    assert repr(name) in message
    assert "valid pods: US1, US2, US3, US4, EU1, EU2, EU3, IN1, CA1, AE1, UK1, AU1, KSA1" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("qualysapi.qualys.com", "https://qualysapi.qualys.com"),
        ("qualysapi.qualys.com/", "https://qualysapi.qualys.com"),
        ("https://qualysapi.qualys.com/", "https://qualysapi.qualys.com"),
        ("https://qualysapi.qualys.com//", "https://qualysapi.qualys.com"),
        ("  https://qualysapi.qualys.com  ", "https://qualysapi.qualys.com"),
        ("HTTPS://Gateway.Example.com", "https://Gateway.Example.com"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("localhost:8443", "https://localhost:8443"),
        ("https://proxy.example/qualys/", "https://proxy.example/qualys"),
    ],
)
def test_normalize_url(value: str, expected: str) -> None:
    assert normalize_url(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("ftp://qualysapi.qualys.com", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://", "no host name"),
        ("", "no host name"),
        ("https:///path", "no host name"),
        ("https://host:notaport", "not a valid URL"),
        ("https://host/?a=1", "without query or fragment"),
    ],
)
def test_normalize_url_rejects(value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        normalize_url(value, setting="QUALYS_BASE_URL")
    assert str(info.value).startswith("QUALYS_BASE_URL ")
    assert fragment in str(info.value)


def test_normalize_url_rejects_credentials_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as info:
        normalize_url("https://user:s3cret-pw@qualysapi.qualys.com", setting="QUALYS_BASE_URL")
    assert "QUALYS_BASE_URL must not contain credentials" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
