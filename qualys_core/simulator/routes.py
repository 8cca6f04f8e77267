"""The records a plugin uses to add endpoints to the simulator: routes, requests, contract cases.

A product plugin returns `SimRoute` records from its `qualys_simulator_routes(tenant)` hook. The
simulator owns everything around the handler (auth, limits, faults, latency, the request log),
so a handler only turns a `SimRequest` into a response in the real Qualys format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from qualys_core.simulator.auth import Authenticator
    from qualys_core.simulator.tenant import Tenant

__all__ = [
    "ContractCase",
    "Handler",
    "HostKind",
    "SimRequest",
    "SimRoute",
]

HostKind = Literal["api", "gateway"]
Handler = Callable[["SimRequest"], Awaitable[Response]]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class ContractCase:
    """One request sent the way a public Qualys client sends it, and what the answer must hold.

    `client` cites who sends it so (catalogue section or client function). `xml_paths` are
    ElementTree paths relative to the XML root that must each match at least one element;
    `json_keys` are dotted paths (``assetListData.asset``) that must exist in the JSON body.
    """

    method: str
    path: str
    client: str
    params: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] | None = None
    json: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    root: str | None = None
    xml_paths: tuple[str, ...] = ()
    json_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimRoute:
    """One simulated Qualys endpoint.

    `path` is a template: ``{name}`` matches one path segment and reaches the handler as
    ``request.path_params["name"]`` (``/api/{version}/fo/knowledge_base/vuln/`` serves 2.0 to
    5.0 at once). A trailing slash is optional when matching, as Qualys' servers treat it.
    `module` is the license module the endpoint belongs to (an unlicensed module answers as
    Qualys does); `family` groups gateway endpoints for rate limits (default: the first path
    segment); `endpoint_class` picks the latency spec; `requested_with` says whether the API
    server insists on the X-Requested-With header (FO and MSP APIs do); `public` routes are the
    login endpoints themselves and skip authentication.
    `contract` holds the requests real clients make, replayed by the contract tests.
    """

    name: str
    host: HostKind
    path: str
    methods: tuple[str, ...]
    handler: Handler
    module: str
    family: str = ""
    endpoint_class: str = "default"
    requested_with: bool = True
    public: bool = False
    contract: tuple[ContractCase, ...] = ()
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError(f"route {self.name!r}: path must start with '/', got {self.path!r}")
        if self.host not in ("api", "gateway"):
            raise ValueError(f"route {self.name!r}: host must be 'api' or 'gateway'")
        methods = tuple(m.upper() for m in self.methods)
        if not methods:
            raise ValueError(f"route {self.name!r}: give at least one HTTP method")
        object.__setattr__(self, "methods", methods)
        if not self.family:
            first = self.path.strip("/").split("/", 1)[0]
            object.__setattr__(self, "family", first if self.host == "gateway" else "api")
        object.__setattr__(self, "pattern", _compile(self.path))

    @property
    def shape(self) -> str:
        """The path with placeholders unnamed and no trailing slash: equal shapes collide."""
        return _PLACEHOLDER.sub("{}", self.path.rstrip("/"))

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()


def _compile(template: str) -> re.Pattern[str]:
    stem = template.rstrip("/")
    parts: list[str] = []
    last = 0
    for placeholder in _PLACEHOLDER.finditer(stem):
        parts.append(re.escape(stem[last : placeholder.start()]))
        parts.append(f"(?P<{placeholder.group(1)}>[^/]+)")
        last = placeholder.end()
    parts.append(re.escape(stem[last:]))
    return re.compile("".join(parts) + "/?")


class SimRequest:
    """What a handler sees: the HTTP request, the tenant, the merged parameters and the caller."""

    def __init__(
        self,
        request: Request,
        *,
        route: SimRoute,
        tenant: Tenant,
        path_params: Mapping[str, str],
        params: Mapping[str, str],
        body: bytes,
        username: str,
        auth: Authenticator,
    ) -> None:
        self.request = request
        self.simulator_auth = auth
        self.route = route
        self.tenant = tenant
        self.path_params = dict(path_params)
        self.params = dict(params)
        self.body = body
        self.username = username
        self.records = 0

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def headers(self) -> Mapping[str, str]:
        return self.request.headers

    @property
    def base_url(self) -> str:
        """The scheme and host the client called, for URLs Qualys echoes (e.g. WARNING/URL)."""
        return str(self.request.base_url).rstrip("/")

    def count(self, records: int) -> None:
        """Report how many records the answer holds; the latency model charges for them."""
        self.records += records

    def param(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def int_param(self, name: str, default: int | None = None) -> int | None:
        value = self.param(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ParameterError(name, value) from None

    def list_param(self, name: str) -> list[str]:
        """A comma-separated parameter (``severities=4,5``) as its items."""
        value = self.param(name)
        return [item.strip() for item in value.split(",") if item.strip()] if value else []

    def json(self) -> Any:
        """The JSON body, or None when there is none; malformed JSON raises ParameterError."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise ParameterError("body", self.body[:80].decode("utf-8", "replace")) from None

    def only_params(self, allowed: Iterable[str]) -> None:
        """Refuse a parameter the endpoint does not take (ParameterError naming the allowed
        ones), as Qualys' JSON APIs answer an unknown parameter with a 400."""
        known = frozenset(allowed)
        for name, value in self.params.items():
            if name not in known:
                names = ", ".join(sorted(known)) or "none"
                raise ParameterError(name, value, f"is unknown (allowed: {names}); value")

    def has_params(self, names: Sequence[str]) -> bool:
        return any(self.param(name) is not None for name in names)


class ParameterError(Exception):
    """A parameter value the endpoint cannot use; the simulator answers as Qualys does (400)."""

    def __init__(self, name: str, value: str, reason: str = "has invalid value") -> None:
        super().__init__(f"parameter {name} {reason} {value!r}")
        self.name = name
        self.value = value
