"""Qualys authentication: Basic headers for the API server, cached JWTs for the gateway.

The gateway JWT comes from `POST /auth` (form `username`, `password`, `token=true`); the body
is the raw token. It is kept in the `bearer_token` cache tier (3.5 h by default, under the
token's ~4 h life), and the tier's single-flight means concurrent callers share one login.
A 401 invalidates only the token that was rejected, so twenty callers holding the same stale
token cause one refresh, not twenty.
"""

from __future__ import annotations

import base64
import re

import httpx
from pydantic import SecretStr

from qualys_core.cache import CacheTier
from qualys_core.errors import AuthError, BadResponse, RateLimited, Timeout, Unavailable

__all__ = ["TokenManager", "basic_auth_header"]

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def basic_auth_header(username: str, password: SecretStr) -> str:
    raw = f"{username}:{password.get_secret_value()}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class TokenManager:
    """Fetches, caches and refreshes the gateway JWT of one platform."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        username: str,
        password: SecretStr,
        tier: CacheTier,
        timeout: httpx.Timeout,
        requested_with: str,
    ) -> None:
        self._http = http
        self._username = username
        self._password = password
        self._tier = tier
        self._timeout = timeout
        self._requested_with = requested_with
        self._key = ("gateway-token", str(http.base_url))
        self.logins = 0

    async def token(self) -> str:
        return await self._tier.get_or_fetch(self._key, self._login)

    def invalidate(self, rejected: str) -> None:
        """Forget `rejected` if it is still the cached token (a newer one is kept)."""
        if self._tier.get(self._key) == rejected:
            self._tier.invalidate(self._key)

    async def _login(self) -> str:
        self.logins += 1
        try:
            response = await self._http.post(
                "/auth",
                data={
                    "username": self._username,
                    "password": self._password.get_secret_value(),
                    "token": "true",
                },
                headers={"X-Requested-With": self._requested_with},
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise Timeout("the gateway login timed out", path="/auth") from exc
        except httpx.TransportError as exc:
            raise Unavailable(
                f"could not reach the gateway to log in: {type(exc).__name__}", path="/auth"
            ) from exc
        status = response.status_code
        if status in (401, 403):
            raise AuthError(
                "the gateway rejected the username or password", http_status=status, path="/auth"
            )
        if status == 429:
            raise RateLimited("the gateway login is rate limited", http_status=status, path="/auth")
        if status >= 500:
            raise Unavailable("the gateway login failed", http_status=status, path="/auth")
        if status not in (200, 201):
            raise AuthError("the gateway login failed", http_status=status, path="/auth")
        token = response.text.strip()
        if not _JWT.match(token):
            raise BadResponse(
                "the gateway login did not return a token", http_status=status, path="/auth"
            )
        return token
