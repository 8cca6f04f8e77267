"""Tests for qualys_core.settings: environment reading, validation and platform resolution."""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path
from typing import Any

import pydantic
import pytest

from qualys_core.errors import ConfigError
from qualys_core.settings import (
    DEMO_API_URL,
    DEMO_GATEWAY_URL,
    Platform,
    Settings,
    Timeouts,
)

SECRET = "hunter2-Very-Secret"
VALID_PODS = "US1, US2, US3, US4, EU1, EU2, EU3, IN1, CA1, AE1, UK1, AU1, KSA1"

# A throwaway self-signed CA (certificate only, no key), CN "qualys-mcp test CA"; it is in no
# trust store, so finding it in a context proves the bundle was loaded.
TEST_CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBUDCB96ADAgECAhRIhjeW7qjuZ34KdcNdfKz1bQJ/CzAKBggqhkjOPQQDAjAd
MRswGQYDVQQDDBJxdWFseXMtbWNwIHRlc3QgQ0EwIBcNMjUwMTAxMDAwMDAwWhgP
MjEyNDEyMDgwMDAwMDBaMB0xGzAZBgNVBAMMEnF1YWx5cy1tY3AgdGVzdCBDQTBZ
MBMGByqGSM49AgEGCCqGSM49AwEHA0IABMWh1uC+GsXct6l6cUoL5zaEBg55zwf1
1If64IobAsCFwOPaIMOd9kp/LqWaBK4gjlcTSH4aLY86/QyK+ApGV/KjEzARMA8G
A1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAIbWv4tyP+sNKZ0MnVN6
fl5ds7euolqVQZ7goVAKGCpdAiB0KtBFO2KhGOLrmolwxiICURDsO5lBEy7LQVAv
+TvYrQ==
-----END CERTIFICATE-----
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("QUALYS_"):
            monkeypatch.delenv(name)


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def config_error(settings: Settings) -> str:
    with pytest.raises(ConfigError) as info:
        settings.resolve()
    return str(info.value)


# --- defaults and environment --------------------------------------------------------------


def test_defaults() -> None:
    settings = make()
    assert settings.pod is None
    assert settings.username is None
    assert settings.password is None
    assert settings.base_url is None
    assert settings.gateway_url is None
    assert settings.timeouts == Timeouts(connect=10, default=30, short=15, long=180, auth=30)
    assert settings.verify_tls is True
    assert settings.ca_bundle is None
    assert settings.trust_env is True
    assert settings.requested_with == "qualys-mcp"
    assert settings.kb_concurrency == 2
    assert settings.default_concurrency == 4
    assert settings.max_retries == 4
    assert settings.max_wait_seconds == 60
    assert settings.cache_ttl == {}


def test_reads_every_setting_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text(TEST_CA_PEM)
    env = {
        "QUALYS_POD": "eu2",
        "QUALYS_USERNAME": "acme_ab1",
        "QUALYS_PASSWORD": SECRET,
        "QUALYS_BASE_URL": "api.example.com",
        "QUALYS_GATEWAY_URL": "gw.example.com",
        "QUALYS_TIMEOUT_CONNECT": "3",
        "QUALYS_TIMEOUT_DEFAULT": "31",
        "QUALYS_TIMEOUT_SHORT": "7.5",
        "QUALYS_TIMEOUT_LONG": "600",
        "QUALYS_TIMEOUT_AUTH": "20",
        "QUALYS_VERIFY_TLS": "false",
        "QUALYS_CA_BUNDLE": str(bundle),
        "QUALYS_TRUST_ENV": "0",
        "QUALYS_REQUESTED_WITH": "acme-soc",
        "QUALYS_KB_CONCURRENCY": "5",
        "QUALYS_DEFAULT_CONCURRENCY": "8",
        "QUALYS_MAX_RETRIES": "2",
        "QUALYS_MAX_WAIT_SECONDS": "12.5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = make()
    assert settings.pod == "eu2"
    assert settings.username == "acme_ab1"
    assert settings.password is not None
    assert settings.password.get_secret_value() == SECRET
    assert settings.base_url == "api.example.com"
    assert settings.gateway_url == "gw.example.com"
    assert settings.timeouts == Timeouts(connect=3, default=31, short=7.5, long=600, auth=20)
    assert settings.verify_tls is False
    assert settings.ca_bundle == bundle
    assert settings.trust_env is False
    assert settings.requested_with == "acme-soc"
    assert settings.kb_concurrency == 5
    assert settings.default_concurrency == 8
    assert settings.max_retries == 2
    assert settings.max_wait_seconds == 12.5


def test_environment_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("qualys_pod", "US3")
    assert make().pod == "US3"


def test_keyword_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_POD", "US1")
    assert make(pod="US2").pod == "US2"


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUALYS_POD", "QUALYS_USERNAME", "QUALYS_PASSWORD", "QUALYS_BASE_URL"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("QUALYS_GATEWAY_URL", "  ")
    settings = make()
    assert (settings.pod, settings.username, settings.password) == (None, None, None)
    assert (settings.base_url, settings.gateway_url) == (None, None)
    assert settings.demo is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeout_connect", 0),
        ("timeout_default", -1),
        ("timeout_short", 0),
        ("timeout_long", 0),
        ("timeout_auth", -0.5),
        ("kb_concurrency", 0),
        ("kb_concurrency", 11),
        ("default_concurrency", 0),
        ("max_retries", 0),
        ("max_wait_seconds", -1),
        ("requested_with", ""),
    ],
)
def test_out_of_range_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        make(**{field: value})
    assert info.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(("field", "value"), [("kb_concurrency", 10), ("max_wait_seconds", 0)])
def test_range_bounds_are_inclusive(field: str, value: float) -> None:
    assert getattr(make(**{field: value}), field) == value


# --- cache TTLs ------------------------------------------------------------------------------


def test_cache_ttl_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_CACHE_TTL", '{"kb": 7200, "Detections": 60}')
    assert make().cache_ttl == {"kb": 7200.0, "detections": 60.0}


def test_cache_ttl_per_tier_variables_merge_with_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_CACHE_TTL", '{"kb": 7200, "detections": 60}')
    monkeypatch.setenv("QUALYS_CACHE_TTL_KB", "100")
    monkeypatch.setenv("QUALYS_CACHE_TTL_SCANNERS", "0")
    monkeypatch.setenv("qualys_cache_ttl_Was", "30.5")
    assert make().cache_ttl == {"kb": 100.0, "detections": 60.0, "scanners": 0.0, "was": 30.5}


def test_cache_ttl_per_tier_variable_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_CACHE_TTL_KB", "7200")
    assert make().cache_ttl == {"kb": 7200.0}


def test_cache_ttl_keyword_argument_wins_per_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_CACHE_TTL_KB", "7200")
    monkeypatch.setenv("QUALYS_CACHE_TTL_WAS", "5")
    assert make(cache_ttl={"KB": 1}).cache_ttl == {"kb": 1.0, "was": 5.0}


@pytest.mark.parametrize(
    ("name", "value"), [("QUALYS_CACHE_TTL_KB", "-1"), ("QUALYS_CACHE_TTL", '{"kb": -5}')]
)
def test_negative_cache_ttl_is_rejected(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError) as info:
        make()
    assert info.value.errors()[0]["loc"] == ("cache_ttl", "kb")


def test_non_numeric_cache_ttl_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_CACHE_TTL_KB", "forever")
    with pytest.raises(pydantic.ValidationError) as info:
        make()
    assert info.value.errors()[0]["loc"] == ("cache_ttl", "kb")


# --- resolution ------------------------------------------------------------------------------


def test_no_settings_is_demo() -> None:
    settings = make()
    assert settings.demo is True
    assert settings.resolve() == Platform(
        api_url="https://qualysapi.demo.invalid",
        gateway_url="https://gateway.demo.invalid",
        qualysguard_url=None,
        pod=None,
        demo=True,
    )
    assert (DEMO_API_URL, DEMO_GATEWAY_URL) == (
        "https://qualysapi.demo.invalid",
        "https://gateway.demo.invalid",
    )


def test_pod_with_credentials() -> None:
    settings = make(pod="US2", username="u", password="p")
    assert settings.demo is False
    assert settings.resolve() == Platform(
        api_url="https://qualysapi.qg2.apps.qualys.com",
        gateway_url="https://gateway.qg2.apps.qualys.com",
        qualysguard_url="https://qualysguard.qg2.apps.qualys.com",
        pod="US2",
        demo=False,
    )


def test_pod_alias_resolves_to_canonical_name() -> None:
    platform = make(pod="qg1", username="u", password="p").resolve()
    assert platform.pod == "US1"
    assert platform.api_url == "https://qualysapi.qualys.com"


def test_pod_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_POD", "ksa1")
    monkeypatch.setenv("QUALYS_USERNAME", "u")
    monkeypatch.setenv("QUALYS_PASSWORD", "p")
    platform = make().resolve()
    assert platform.pod == "KSA1"
    assert platform.gateway_url == "https://gateway.qg1.apps.qualysksa.com"


def test_both_urls_without_pod_are_normalised() -> None:
    platform = make(
        username="u",
        password="p",
        base_url="qualysapi.qg3.apps.qualys.com/",
        gateway_url="https://gateway.qg3.apps.qualys.com/",
    ).resolve()
    assert platform == Platform(
        api_url="https://qualysapi.qg3.apps.qualys.com",
        gateway_url="https://gateway.qg3.apps.qualys.com",
        qualysguard_url="https://qualysguard.qg3.apps.qualys.com",
        pod=None,
        demo=False,
    )


def test_urls_not_on_qualysapi_host_have_no_qualysguard_url() -> None:
    platform = make(
        username="u", password="p", base_url="proxy.example/api", gateway_url="proxy.example/gw"
    ).resolve()
    assert (platform.api_url, platform.gateway_url, platform.qualysguard_url) == (
        "https://proxy.example/api",
        "https://proxy.example/gw",
        None,
    )


def test_base_url_overrides_only_the_pods_api_host() -> None:
    platform = make(pod="EU1", username="u", password="p", base_url="api.proxy.example/").resolve()
    assert platform.api_url == "https://api.proxy.example"
    assert platform.gateway_url == "https://gateway.qg1.apps.qualys.eu"
    assert platform.qualysguard_url == "https://qualysguard.qualys.eu"
    assert platform.pod == "EU1"


def test_gateway_url_overrides_only_the_pods_gateway_host() -> None:
    platform = make(
        pod="EU1", username="u", password="p", gateway_url="https://gw.proxy.example/"
    ).resolve()
    assert platform.api_url == "https://qualysapi.qualys.eu"
    assert platform.gateway_url == "https://gw.proxy.example"


def test_explicit_urls_from_environment_win_over_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_POD", "US1")
    monkeypatch.setenv("QUALYS_BASE_URL", "qualysapi.qg4.apps.qualys.com")
    monkeypatch.setenv("QUALYS_GATEWAY_URL", "gateway.qg4.apps.qualys.com/")
    monkeypatch.setenv("QUALYS_USERNAME", "u")
    monkeypatch.setenv("QUALYS_PASSWORD", "p")
    platform = make().resolve()
    assert platform.api_url == "https://qualysapi.qg4.apps.qualys.com"
    assert platform.gateway_url == "https://gateway.qg4.apps.qualys.com"
    assert platform.qualysguard_url == "https://qualysguard.qg4.apps.qualys.com"


@pytest.mark.parametrize(
    ("values", "given"),
    [
        ({"pod": "US1", "username": "u"}, "QUALYS_USERNAME is set but QUALYS_PASSWORD is not"),
        ({"pod": "US1", "password": SECRET}, "QUALYS_PASSWORD is set but QUALYS_USERNAME is not"),
        ({"username": "u"}, "QUALYS_USERNAME is set but QUALYS_PASSWORD is not"),
    ],
)
def test_username_and_password_go_together(values: dict[str, str], given: str) -> None:
    message = config_error(make(**values))
    assert message.startswith("QUALYS_USERNAME and QUALYS_PASSWORD must be set together")
    assert given in message


def test_credentials_without_platform() -> None:
    message = config_error(make(username="u", password=SECRET))
    assert f"set QUALYS_POD (one of {VALID_PODS})" in message
    assert "both QUALYS_BASE_URL and QUALYS_GATEWAY_URL" in message


@pytest.mark.parametrize(
    "values",
    [
        {"pod": "US1"},
        {"base_url": "qualysapi.qualys.com"},
        {"gateway_url": "gateway.qg1.apps.qualys.com"},
        {"base_url": "qualysapi.qualys.com", "gateway_url": "gateway.qg1.apps.qualys.com"},
    ],
)
def test_platform_without_credentials(values: dict[str, str]) -> None:
    message = config_error(make(**values))
    assert "set QUALYS_USERNAME and QUALYS_PASSWORD" in message


def test_unknown_pod_lists_valid_pods() -> None:
    message = config_error(make(pod="US9", username="u", password=SECRET))
    assert "Unknown QUALYS_POD 'US9'" in message
    assert f"valid pods: {VALID_PODS}" in message


def test_base_url_alone_needs_gateway_url() -> None:
    message = config_error(make(username="u", password="p", base_url="qualysapi.qualys.com"))
    assert message.startswith("QUALYS_BASE_URL is set but the gateway is unknown")
    assert "set QUALYS_GATEWAY_URL" in message


def test_gateway_url_alone_needs_base_url() -> None:
    message = config_error(make(username="u", password="p", gateway_url="gw.example.com"))
    assert message.startswith("QUALYS_GATEWAY_URL is set but the API host is unknown")
    assert "set QUALYS_BASE_URL" in message


@pytest.mark.parametrize("field", ["base_url", "gateway_url"])
def test_bad_url_names_its_setting(field: str) -> None:
    values = {"pod": "US1", "username": "u", "password": "p", field: "ftp://files.example"}
    message = config_error(make(**values))
    assert message.startswith(f"QUALYS_{field.upper()} must be an http:// or https:// URL")


def test_missing_ca_bundle_names_setting(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    settings = make(pod="US1", username="u", password="p", ca_bundle=missing)
    assert config_error(settings) == f"QUALYS_CA_BUNDLE {str(missing)!r} is not an existing file."
    with pytest.raises(ConfigError, match="QUALYS_CA_BUNDLE"):
        settings.ssl_context()


# --- the password never leaks ----------------------------------------------------------------


def test_password_not_in_repr_or_str() -> None:
    settings = make(pod="US1", username="u", password=SECRET)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert "password=SecretStr('**********')" in repr(settings)


def test_password_not_in_model_dump() -> None:
    settings = make(pod="US1", username="u", password=SECRET)
    assert SECRET not in str(settings.model_dump())
    assert SECRET not in str(settings.model_dump(mode="json"))
    assert SECRET not in settings.model_dump_json()
    assert settings.model_dump(mode="json")["password"] == "**********"


def test_password_not_in_platform() -> None:
    platform = make(pod="US1", username="u", password=SECRET).resolve()
    assert SECRET not in repr(platform)


@pytest.mark.parametrize(
    "values",
    [
        {"password": SECRET},
        {"pod": "US1", "password": SECRET},
        {"pod": "NOPE", "username": "u", "password": SECRET},
        {"username": "u", "password": SECRET},
        {"username": "u", "password": SECRET, "base_url": "qualysapi.qualys.com"},
        {"username": "u", "password": SECRET, "gateway_url": "gw.example.com"},
        {"pod": "US1", "username": "u", "password": SECRET, "base_url": "ftp://x"},
    ],
)
def test_password_not_in_config_errors(values: dict[str, str]) -> None:
    message = config_error(make(**values))
    assert message
    assert SECRET not in message


# --- TLS -----------------------------------------------------------------------------------


def test_ssl_context_default_is_true() -> None:
    assert make().ssl_context() is True


def test_ssl_context_verify_off_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    settings = make(verify_tls=False)
    with caplog.at_level(logging.WARNING, logger="qualys_core.settings"):
        assert settings.ssl_context() is False
        assert settings.ssl_context() is False
    records = [r for r in caplog.records if r.name == "qualys_core.settings"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "QUALYS_VERIFY_TLS=false" in records[0].getMessage()


def test_ssl_context_verify_off_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALYS_VERIFY_TLS", "no")
    assert make().ssl_context() is False


def test_ssl_context_with_ca_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text(TEST_CA_PEM)
    context = make(ca_bundle=bundle).ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    subjects = [cert["subject"] for cert in context.get_ca_certs()]
    assert ((("commonName", "qualys-mcp test CA"),),) in subjects
    # Added to the default store, not replacing it.
    default_count = ssl.create_default_context().cert_store_stats()["x509_ca"]
    assert context.cert_store_stats()["x509_ca"] == default_count + 1


def test_ssl_context_with_ca_bundle_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text(TEST_CA_PEM)
    monkeypatch.setenv("QUALYS_CA_BUNDLE", str(bundle))
    context = make().ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert any(
        cert["subject"] == ((("commonName", "qualys-mcp test CA"),),)
        for cert in context.get_ca_certs()
    )


def test_ssl_context_rejects_a_file_that_is_not_pem(tmp_path: Path) -> None:
    bundle = tmp_path / "notes.txt"
    bundle.write_text("not a certificate\n")
    with pytest.raises(ConfigError) as info:
        make(ca_bundle=bundle).ssl_context()
    assert str(info.value).startswith(f"QUALYS_CA_BUNDLE {str(bundle)!r} is not a readable PEM")
