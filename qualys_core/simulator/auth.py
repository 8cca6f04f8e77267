"""Qualys-style authentication for the simulator: Basic, session cookies and gateway JWTs.

The gateway's `POST /auth` issues a signed, expiring JWT (the raw token is the whole body); an
expired or forged token gets 401, which is what every client's refresh path looks for
(catalogue §3.2). Credentials are compared in constant time and never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable, Mapping

import jwt

__all__ = ["Authenticator"]


class Authenticator:
    """Checks the one simulated login, issues gateway tokens and API session cookies."""

    def __init__(
        self,
        *,
        username: str,
        password: str,
        token_ttl: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._username = username
        self._password = password
        self._secret = secrets.token_bytes(32)
        self.token_ttl = token_ttl
        self._clock = clock
        self._sessions: set[str] = set()
        self.tokens_issued = 0

    def check_password(self, username: str, password: str) -> bool:
        same_user = hmac.compare_digest(username.encode(), self._username.encode())
        same_password = hmac.compare_digest(password.encode(), self._password.encode())
        return same_user and same_password

    def basic(self, header: str | None) -> str | None:
        """The user name from a valid ``Authorization: Basic`` header, else None."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        if not sep or not self.check_password(username, password):
            return None
        return username

    def issue_token(self, username: str) -> str:
        now = self._clock()
        self.tokens_issued += 1
        claims = {
            "sub": username,
            "iat": int(now),
            # NumericDate as an integer: strict decoders in other languages reject fractions.
            "exp": int(now + self.token_ttl),
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def bearer(self, header: str | None) -> tuple[str | None, str]:
        """(user name, "") for a valid Bearer token, else (None, why it was refused)."""
        if not header or not header.lower().startswith("bearer "):
            return None, "missing bearer token"
        token = header[7:].strip()
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                # The simulator's own clock decides expiry, so tests can move time forward.
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return None, "invalid token"
        if float(claims.get("exp", 0)) <= self._clock():
            return None, "token expired"
        return str(claims.get("sub", "")), ""

    def open_session(self) -> str:
        session = secrets.token_hex(16)
        self._sessions.add(session)
        return session

    def close_session(self, session: str | None) -> bool:
        if session and session in self._sessions:
            self._sessions.discard(session)
            return True
        return False

    def session_user(self, cookies: Mapping[str, str]) -> str | None:
        session = cookies.get("QualysSession")
        return self._username if session and session in self._sessions else None

    @property
    def username(self) -> str:
        return self._username
