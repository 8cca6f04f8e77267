"""What a failed Qualys response means: retry after a wait, or which typed error to raise.

Rate and concurrency limits (409 with a limit code, 429) are waited out as Qualys instructs,
5xx is retried with jittered exponential backoff, and the rest is classified at once: by the
Qualys code in a SIMPLE_RETURN, QPS or gateway JSON body first, then by HTTP status.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from qualys_core.errors import (
    AuthError,
    BadRequest,
    NotLicensed,
    QualysError,
    RateLimited,
    Unavailable,
)
from qualys_core.http.limits import LimitHeaders
from qualys_core.http.xml import (
    SimpleReturn,
    error_for_simple_return,
    parse_document,
    parse_simple_return,
    wait_from_text,
)

__all__ = ["RETRYABLE_409_CODES", "Failure", "RetryPolicy", "Verdict", "judge"]

# 409 codes that mean "limit reached, try again" (Qualys API guide, appendix D; catalogue
# §4.2). Registration incomplete (2003) and any other conflict are not retried.
RETRYABLE_409_CODES = frozenset({"1920", "1959", "1960", "1965", "1966"})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: attempts per call, backoff base and cap, longest accepted limit wait."""

    attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_wait: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential in the attempt number, with half of it random so callers spread out."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass
class Failure:
    """A non-success response, its body read (bounded) so it can be classified."""

    status: int
    headers: httpx.Headers
    body: bytes
    code: str | None = field(init=False, default=None)
    text: str = field(init=False, default="")
    simple_return: SimpleReturn | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        body = self.body.strip()
        if body.startswith(b"<"):
            try:
                self.simple_return = parse_simple_return(parse_document(body))
            except QualysError:
                self.simple_return = None
            if self.simple_return is not None:
                self.code, self.text = self.simple_return.code, self.simple_return.text
            return
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        error = data.get("_error")
        inner: dict[str, Any] = error if isinstance(error, dict) else data
        service = data.get("ServiceResponse")
        if isinstance(service, dict):
            details = service.get("responseErrorDetails")
            inner = details if isinstance(details, dict) else service
        code = inner.get("errorCode") or inner.get("responseCode")
        message = inner.get("message") or inner.get("errorMessage") or inner.get("responseMessage")
        self.code = str(code) if code is not None else None
        self.text = str(message or "")


@dataclass(frozen=True)
class Verdict:
    """Wait `delay` seconds and retry; `limit` says the wait applies to every caller of the API."""

    delay: float
    limit: bool = False


def judge(
    failure: Failure,
    limits: LimitHeaders,
    *,
    attempt: int,
    policy: RetryPolicy,
    rng: random.Random,
    path: str,
    module: str | None,
) -> Verdict:
    """A retry verdict for `failure`, or raise the typed error it stands for."""
    status = failure.status
    last = attempt >= policy.attempts
    if status == 409 and not _limit_conflict(failure, limits):
        raise classify(failure, path=path, module=module)
    if status in (409, 429):
        wait = told_wait(failure, limits)
        if wait is None:
            wait = policy.backoff(attempt, rng)
        if wait > policy.max_wait or last:
            raise RateLimited(
                "Qualys rate or concurrency limit" + (f": {failure.text}" if failure.text else ""),
                retry_after=wait,
                http_status=status,
                code=failure.code,
                path=path,
            )
        return Verdict(wait, limit=True)
    if status >= 500:
        if last:
            raise Unavailable(
                f"Qualys failed {attempt} times" + (f": {failure.text}" if failure.text else ""),
                http_status=status,
                code=failure.code,
                path=path,
            )
        return Verdict(policy.backoff(attempt, rng))
    raise classify(failure, path=path, module=module)


def _limit_conflict(failure: Failure, limits: LimitHeaders) -> bool:
    if failure.code is not None:
        return failure.code in RETRYABLE_409_CODES
    # No code to go by: Qualys' limit headers on the 409 say it is a limit.
    return limits.present


def told_wait(failure: Failure, limits: LimitHeaders) -> float | None:
    """The wait Qualys asked for: X-RateLimit-ToWait-Sec, Retry-After, or the 409 text."""
    if limits.to_wait is not None and limits.to_wait > 0:
        return limits.to_wait
    retry_after = failure.headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    return wait_from_text(failure.text)


def classify(failure: Failure, *, path: str, module: str | None) -> QualysError:
    """The typed error for a failure that is not worth retrying."""
    status = failure.status
    if status == 404:
        # A 404 for a whole API means the module is not enabled; callers asking for one named
        # object pass not_found="empty" and never get here.
        name = module or "this Qualys module"
        return NotLicensed(
            f"{name} is not enabled for this subscription (the API answered 404)",
            module=module,
            http_status=status,
            code=failure.code,
            path=path,
        )
    if failure.simple_return is not None and failure.code:
        return error_for_simple_return(failure.simple_return, http_status=status, path=path)
    text = f": {failure.text}" if failure.text else ""
    if failure.code == "2003":
        return AuthError(
            "Qualys says the account registration must be completed before API use" + text,
            http_status=status,
            code=failure.code,
            path=path,
        )
    if status in (401, 403):
        reason = "Qualys rejected the credentials" if status == 401 else "Qualys refused access"
        return AuthError(reason + text, http_status=status, code=failure.code, path=path)
    return BadRequest(
        "Qualys rejected the request" + text, http_status=status, code=failure.code, path=path
    )
