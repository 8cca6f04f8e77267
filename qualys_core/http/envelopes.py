"""Typed errors for the JSON failure envelopes Qualys sends, whatever the HTTP status.

The client calls `check_json_envelope` on every decoded JSON response: QPS `ServiceResponse`
codes, the CSAM/GAV `responseCode: FAILED` envelope, and the gateway `_error` object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qualys_core.errors import AuthError, BadRequest, BadResponse, QualysError, Unavailable

__all__ = ["check_json_envelope"]

_QPS_AUTH_CODES = frozenset({"INVALID_CREDENTIALS", "UNAUTHORIZED_ACCESS"})
_RECORD_LIMIT_CODE = "2501"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _qps_details(response: Mapping[str, Any]) -> str:
    details = response.get("responseErrorDetails")
    if isinstance(details, list):  # a lone detail and a list of them both occur in JSON renderings
        details = details[0] if details else None
    if not isinstance(details, Mapping):
        return ""
    parts = [_text(details.get("errorMessage")), _text(details.get("errorResolution"))]
    return " ".join(part for part in parts if part)


def _qps_error(
    response: Mapping[str, Any], *, http_status: int, path: str | None
) -> QualysError | None:
    code = _text(response.get("responseCode")).upper()
    if not code or code == "SUCCESS":
        return None
    message = f"Qualys QPS answered {code}"
    details = _qps_details(response)
    if details:
        message = f"{message}: {details}"
    context: dict[str, Any] = {"http_status": http_status, "code": code, "path": path}
    if code in _QPS_AUTH_CODES:
        return AuthError(message, **context)
    if code == "INVALID_REQUEST":
        return BadRequest(message, **context)
    if code == "INTERNAL_ERROR":
        return Unavailable(message, **context)
    return BadResponse(message, **context)


def check_json_envelope(body: Any, *, http_status: int, path: str | None) -> None:
    """Raise the typed error when `body` is a Qualys JSON failure envelope; else do nothing."""
    if not isinstance(body, Mapping):
        return
    service_response = body.get("ServiceResponse")
    if isinstance(service_response, Mapping):
        error = _qps_error(service_response, http_status=http_status, path=path)
        if error is not None:
            raise error
        return
    if _text(body.get("responseCode")).upper() == "FAILED":
        message = _text(body.get("responseMessage")) or "Qualys answered responseCode FAILED"
        raise BadRequest(message, http_status=http_status, code="FAILED", path=path)
    gateway_error = body.get("_error")
    if isinstance(gateway_error, Mapping):
        raw_code = gateway_error.get("errorCode")
        code = None if raw_code is None else str(raw_code)
        message = _text(gateway_error.get("message")) or "Qualys gateway returned an error"
        hint = None
        if code == _RECORD_LIMIT_CODE:
            message = f"Qualys record limit reached: {message}"
            hint = "Narrow the request (filters, smaller pages); Qualys will not return this many."
        raise BadRequest(message, http_status=http_status, code=code, path=path, hint=hint)
