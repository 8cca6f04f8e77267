"""The simulator's request log: one entry per call, read by tests and benchmarks to count calls.

Secrets never enter it: password and token parameters are replaced before an entry is made.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["RequestLog", "RequestRecord"]

_SECRET_PARAMS = frozenset({"password", "token", "access_token", "secret", "apikey", "api_key"})


@dataclass(frozen=True)
class RequestRecord:
    """One call as the simulator saw it. `route` is empty when no endpoint matched."""

    host: str
    method: str
    path: str
    params: Mapping[str, str]
    status: int
    started: float
    duration: float
    route: str
    user: str
    fault: str | None = None


class RequestLog:
    """Calls in arrival order, with filters for the questions tests ask ("how many KB calls?")."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []

    @staticmethod
    def redact(params: Mapping[str, str]) -> dict[str, str]:
        return {
            name: ("***" if name.lower() in _SECRET_PARAMS else value)
            for name, value in params.items()
        }

    def add(self, record: RequestRecord) -> None:
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(list(self._records))

    def select(
        self,
        *,
        route: str | None = None,
        path: str | None = None,
        host: str | None = None,
        method: str | None = None,
        status: int | None = None,
    ) -> list[RequestRecord]:
        """Records whose route name or path matches the globs given, and the exact fields."""
        found = []
        for record in self._records:
            if route is not None and not fnmatch.fnmatchcase(record.route, route):
                continue
            if path is not None and not fnmatch.fnmatchcase(record.path, path):
                continue
            if host is not None and record.host != host:
                continue
            if method is not None and record.method != method.upper():
                continue
            if status is not None and record.status != status:
                continue
            found.append(record)
        return found

    def count(
        self,
        *,
        route: str | None = None,
        path: str | None = None,
        host: str | None = None,
        method: str | None = None,
        status: int | None = None,
    ) -> int:
        return len(self.select(route=route, path=path, host=host, method=method, status=status))
