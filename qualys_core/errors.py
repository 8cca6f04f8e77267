"""Typed errors raised by the Qualys client: one class per way a Qualys call can fail.

Every class carries the `source_status` the workflow engine reports for a source that failed
this way, and a `hint` telling the analyst what to do about it. Messages never contain
credentials: they are built from the API path, HTTP status, Qualys error code and Qualys text.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BadRequest",
    "BadResponse",
    "ConfigError",
    "NotLicensed",
    "QualysError",
    "RateLimited",
    "Timeout",
    "Unavailable",
]


class ConfigError(ValueError):
    """The settings are incomplete or contradictory; the message lists the valid values."""


class QualysError(Exception):
    """Base class: a Qualys API call did not produce usable data."""

    source_status: str = "unavailable"
    default_hint: str = "Try again later; if it persists, check the Qualys status page."

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.path = path
        self.hint = hint or self.default_hint

    def __str__(self) -> str:
        parts = [self.message]
        details = []
        if self.path:
            details.append(self.path)
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.code:
            details.append(f"Qualys code {self.code}")
        if details:
            parts.append(f"({', '.join(details)})")
        return " ".join(parts)


class AuthError(QualysError):
    """Credentials rejected (401), access forbidden (403), or registration incomplete (2003)."""

    source_status = "auth_failed"
    default_hint = (
        "Check QUALYS_USERNAME/QUALYS_PASSWORD and QUALYS_POD (or the base URLs), and that the "
        "user has API access and the role this product needs."
    )


class NotLicensed(QualysError):
    """The module is not enabled for this subscription."""

    source_status = "not_licensed"
    default_hint = (
        "This Qualys module is not enabled for the subscription (or the user lacks access to "
        "it); ask the Qualys administrator, or uninstall the plugin to hide it."
    )

    def __init__(
        self,
        message: str,
        *,
        module: str | None = None,
        http_status: int | None = None,
        code: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, code=code, path=path, hint=hint)
        self.module = module


class BadRequest(QualysError):
    """Qualys rejected the request: unknown or invalid parameter, or a rejected filter."""

    source_status = "bad_request"
    default_hint = "Check the parameters and filter values of the request."


class RateLimited(QualysError):
    """Rate or concurrency limit still exceeded after the bounded waits."""

    source_status = "rate_limited"
    default_hint = "The Qualys API limit for this user is exhausted; retry after the wait shown."

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        http_status: int | None = None,
        code: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        if hint is None and retry_after is not None:
            hint = f"The Qualys API limit is exhausted; retry in about {retry_after:.0f} s."
        super().__init__(message, http_status=http_status, code=code, path=path, hint=hint)
        self.retry_after = retry_after


class Unavailable(QualysError):
    """Network failure or 5xx from Qualys after the bounded retries."""

    source_status = "unavailable"


class Timeout(QualysError):
    """The call did not answer within its timeout."""

    source_status = "timeout"
    default_hint = (
        "Narrow the request (limit, days, severity) or retry; Qualys answered too slowly."
    )


class BadResponse(QualysError):
    """Qualys answered with something that cannot be parsed or is not the expected shape."""

    source_status = "bad_response"
    default_hint = "Qualys sent an unexpected response; retry, and report it if it persists."
