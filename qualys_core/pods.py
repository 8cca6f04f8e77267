"""Qualys platforms (pods): the API, gateway and qualysguard URL of each, and URL normalisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from qualys_core.errors import ConfigError

__all__ = ["PODS", "Pod", "get_pod", "normalize_url"]


@dataclass(frozen=True, slots=True)
class Pod:
    """One Qualys platform and the base URL of each of its three hosts."""

    name: str
    api_url: str
    gateway_url: str
    qualysguard_url: str


def _pod(name: str, api_host: str, gateway_host: str) -> Pod:
    suffix = api_host.removeprefix("qualysapi.")
    return Pod(
        name=name,
        api_url=f"https://{api_host}",
        gateway_url=f"https://{gateway_host}",
        qualysguard_url=f"https://qualysguard.{suffix}",
    )


# EU3 is on qualys.it and KSA1 on qualysksa.com, as three of the four public URL tables agree
# (qualys-mcp 0.2.9 has qualys.eu and qualys.sa there).
PODS: Mapping[str, Pod] = MappingProxyType(
    {
        pod.name: pod
        for pod in (
            _pod("US1", "qualysapi.qualys.com", "gateway.qg1.apps.qualys.com"),
            _pod("US2", "qualysapi.qg2.apps.qualys.com", "gateway.qg2.apps.qualys.com"),
            _pod("US3", "qualysapi.qg3.apps.qualys.com", "gateway.qg3.apps.qualys.com"),
            _pod("US4", "qualysapi.qg4.apps.qualys.com", "gateway.qg4.apps.qualys.com"),
            _pod("EU1", "qualysapi.qualys.eu", "gateway.qg1.apps.qualys.eu"),
            _pod("EU2", "qualysapi.qg2.apps.qualys.eu", "gateway.qg2.apps.qualys.eu"),
            _pod("EU3", "qualysapi.qg3.apps.qualys.it", "gateway.qg3.apps.qualys.it"),
            _pod("IN1", "qualysapi.qg1.apps.qualys.in", "gateway.qg1.apps.qualys.in"),
            _pod("CA1", "qualysapi.qg1.apps.qualys.ca", "gateway.qg1.apps.qualys.ca"),
            _pod("AE1", "qualysapi.qg1.apps.qualys.ae", "gateway.qg1.apps.qualys.ae"),
            _pod("UK1", "qualysapi.qg1.apps.qualys.co.uk", "gateway.qg1.apps.qualys.co.uk"),
            _pod("AU1", "qualysapi.qg1.apps.qualys.com.au", "gateway.qg1.apps.qualys.com.au"),
            _pod("KSA1", "qualysapi.qg1.apps.qualysksa.com", "gateway.qg1.apps.qualysksa.com"),
        )
    }
)

# qualysdk names the US pods after their "qg" number.
_ALIASES: Mapping[str, str] = MappingProxyType(
    {"QG1": "US1", "QG2": "US2", "QG3": "US3", "QG4": "US4"}
)


def get_pod(name: str) -> Pod:
    """Return the pod called `name` (any case; `qg1`..`qg4` mean US1..US4).

    Raises ConfigError naming QUALYS_POD and listing the valid pods if `name` is unknown.
    """
    key = name.strip().upper()
    pod = PODS.get(_ALIASES.get(key, key))
    if pod is None:
        raise ConfigError(
            f"Unknown QUALYS_POD {name!r}; valid pods: {', '.join(PODS)} "
            "(case-insensitive; qg1..qg4 are accepted for US1..US4)."
        )
    return pod


def normalize_url(value: str, *, setting: str = "URL") -> str:
    """Return `value` as an http(s) base URL: `https://` added to a bare host, no trailing `/`.

    `setting` is the name shown in the ConfigError raised for an unusable value.
    """
    text = value.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise ConfigError(f"{setting} is not a valid URL: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise ConfigError(f"{setting} must be an http:// or https:// URL, not {scheme}://.")
    if parts.username is not None or parts.password is not None:
        # Not echoed: the value holds credentials.
        raise ConfigError(
            f"{setting} must not contain credentials; use QUALYS_USERNAME and QUALYS_PASSWORD."
        )
    if not parts.hostname:
        raise ConfigError(f"{setting} has no host name: {value!r}.")
    if parts.query or parts.fragment:
        raise ConfigError(f"{setting} must be a base URL without query or fragment: {value!r}.")
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
