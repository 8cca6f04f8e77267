"""The simulated Qualys platform: an API server and a gateway as two ASGI apps sharing one state.

Every call goes through the same pipeline, in the order Qualys applies it: route lookup, login,
the X-Requested-With check, licensing, rate and concurrency limits, injected faults, the
product handler, simulated service time; then the limit headers are added and the call is
logged. Product endpoints come from plugins (`qualys_simulator_routes`); the platform's own
(about, session, `/auth`, CSAM) from core.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from qualys_core.simulator.auth import Authenticator
from qualys_core.simulator.config import FaultRule, LimitSpec, SimConfig
from qualys_core.simulator.faults import FaultPlan, break_body
from qualys_core.simulator.limits import Admission, LimitBook
from qualys_core.simulator.reqlog import RequestLog, RequestRecord
from qualys_core.simulator.responses import gateway_error, simple_return
from qualys_core.simulator.routes import HostKind, ParameterError, SimRequest, SimRoute
from qualys_core.simulator.tenant import Tenant, generate_tenant

__all__ = ["Simulator"]

log = logging.getLogger("qualys_core.simulator")

Sleep = Callable[[float], Awaitable[None]]
TenantHook = Callable[[Tenant], None]

# Not counted against limits and sending no limit headers: the API guide exempts the session
# API, and the gateway's JWT endpoint is outside the limits too.
_UNLIMITED = LimitSpec(rate_limit=0, concurrency=0, headers=False)


class Simulator:
    """One simulated subscription: tenant, routes, behaviour, and the two host apps."""

    def __init__(
        self,
        tenant: Tenant,
        routes: Iterable[SimRoute],
        *,
        config: SimConfig | None = None,
        tenant_hooks: Sequence[TenantHook] = (),
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.tenant = tenant
        self.config = config or SimConfig()
        self.routes: tuple[SimRoute, ...] = tuple(routes)
        _check_unique(self.routes)
        self.log = RequestLog()
        # Seeded, not secret: the same seed must fail the same calls in every run.
        self.faults = FaultPlan(self.config.faults, random.Random(self.config.seed))  # noqa: S311
        self.auth = Authenticator(
            username=tenant.username,
            password=tenant.password,
            token_ttl=self.config.token_ttl_seconds,
            clock=clock,
        )
        self.limits = LimitBook(clock)
        self._clock = clock
        self._sleep = sleep
        self._tenant_hooks = tuple(tenant_hooks)
        self._empty: Tenant | None = None
        self.api_app = _HostApp(self, "api")
        self.gateway_app = _HostApp(self, "gateway")

    # ------------------------------------------------------------------ configuration

    def add_fault(self, rule: FaultRule) -> None:
        self.faults.add(rule)

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def empty_tenant(self) -> Tenant:
        """A tenant with no assets (for the `empty` fault), with the plugins' data added."""
        if self._empty is None:
            self._empty = generate_tenant(
                seed=self.tenant.seed,
                assets=0,
                now=self.tenant.now,
                username=self.tenant.username,
                password=self.tenant.password,
            )
            for hook in self._tenant_hooks:
                hook(self._empty)
        return self._empty

    def route_for(self, host: HostKind, method: str, path: str) -> tuple[SimRoute, dict[str, str]]:
        """The route serving this call, or LookupError (405 when only the method is wrong)."""
        wrong_method = None
        for route in self.routes:
            if route.host != host:
                continue
            params = route.match(path)
            if params is None:
                continue
            if method in route.methods:
                return route, params
            wrong_method = route
        raise LookupError(405 if wrong_method else 404)

    # ------------------------------------------------------------------ the pipeline

    async def handle(self, host: HostKind, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        started = self._clock()
        path = request.url.path
        method = request.method
        body = await request.body()
        params = _params(request, body)
        route_name, user, fault_kind = "", "", None
        admission: Admission | None = None
        status = 500
        logged = False

        def record() -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            self.log.add(
                RequestRecord(
                    host=host,
                    method=method,
                    path=path,
                    params=RequestLog.redact(params),
                    status=status,
                    started=started,
                    duration=self._clock() - started,
                    route=route_name,
                    user=user,
                    fault=fault_kind,
                )
            )

        async def send_and_record(message: Message) -> None:
            # Logged before the last body chunk leaves: a client that has its whole answer
            # must find its call in the log (over loopback it can read faster than we return).
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                record()
            await send(message)

        try:
            try:
                route, path_params = self.route_for(host, method, path)
            except LookupError as exc:
                code = int(str(exc.args[0]))
                response = self._error(host, code, "No such endpoint" if code == 404 else "")
            else:
                route_name = route.name
                response, user, admission, fault_kind = await self._serve(
                    route, request, path_params, params, body
                )
            status = response.status_code
            await response(scope, receive, send_and_record)
        finally:
            if admission is not None and admission.admitted:
                self.limits.release(user, admission.key)
            record()

    async def _serve(
        self,
        route: SimRoute,
        request: Request,
        path_params: dict[str, str],
        params: dict[str, str],
        body: bytes,
    ) -> tuple[Response, str, Admission | None, str | None]:
        host = route.host
        user = ""
        if not route.public:
            found = self._login(host, request)
            if found is None:
                return self._unauthorised(host, request), "", None, None
            user = found
            if (
                host == "api"
                and route.requested_with
                and self.config.require_requested_with
                and not request.headers.get("X-Requested-With")
            ):
                # Appendix D code 1903 "Missing required parameter(s)"; no client records the
                # exact text Qualys sends when this header is missing.
                return (
                    simple_return(
                        "Missing required parameter(s): X-Requested-With header",
                        status=400,
                        code=1903,
                    ),
                    user,
                    None,
                    None,
                )
        fault = self.faults.pick(name=route.name, module=route.module, path=request.url.path)
        if route.module in self.config.unlicensed or (fault and fault.kind == "unlicensed"):
            return self._unlicensed(route), user, None, "unlicensed" if fault else None
        spec = _UNLIMITED if route.public else self._limit_spec(route)
        key = route.name if host == "api" else route.family
        admission = self.limits.admit(user or "-", key, spec)
        if not admission.admitted:
            return self._blocked(host, admission), user, admission, None
        user = user or "-"
        fault_kind = fault.kind if fault else None
        if fault is not None and fault.kind == "error":
            response = self._error(host, fault.status, "Service temporarily unavailable")
            response.headers.update(admission.headers)
            return response, user, admission, fault_kind
        if fault is not None and fault.kind == "hang":
            await self._sleep(fault.hang_seconds)
            return self._error(host, 504, "Gateway timeout"), user, admission, fault_kind
        tenant = self.empty_tenant if fault is not None and fault.kind == "empty" else self.tenant
        sim_request = SimRequest(
            request,
            route=route,
            tenant=tenant,
            path_params=path_params,
            params=params,
            body=body,
            username=user,
            auth=self.auth,
        )
        try:
            response = await route.handler(sim_request)
        except ParameterError as exc:
            response = self._bad_parameter(host, exc)
        except Exception:
            log.exception("simulator route %s failed", route.name)
            response = self._error(host, 500, f"simulator route {route.name} failed")
        delay = self.config.latency_for(route.endpoint_class).seconds(sim_request.records)
        if delay > 0:
            await self._sleep(delay)
        if fault is not None and fault.kind in ("malformed", "truncated"):
            response = await _rebuild(response, lambda raw: break_body(raw, fault.kind))
        response.headers.update(admission.headers)
        return response, user, admission, fault_kind

    def _limit_spec(self, route: SimRoute) -> LimitSpec:
        return self.config.limit_for(name=route.name, family=route.family, host=route.host)

    def _login(self, host: HostKind, request: Request) -> str | None:
        authorization = request.headers.get("Authorization")
        if host == "gateway":
            user, _ = self.auth.bearer(authorization)
            # qualys-mcp falls back to Basic on the gateway when its token fetch fails (§30).
            return user or self.auth.basic(authorization)
        return self.auth.basic(authorization) or self.auth.session_user(request.cookies)

    def _unauthorised(self, host: HostKind, request: Request) -> Response:
        if host == "gateway":
            _, why = self.auth.bearer(request.headers.get("Authorization"))
            return gateway_error(f"Unauthorized: {why}", status=401, code="401")
        # The FO answer for bad credentials (Qualys' API troubleshooting guide).
        return simple_return("Bad Login/Password", status=401)

    def _unlicensed(self, route: SimRoute) -> Response:
        # A module outside the subscription answers 404 (catalogue §5.4, §30).
        message = f"{route.module} is not enabled for this subscription"
        if route.host == "gateway":
            return gateway_error(message, status=404, code="404")
        return simple_return(message, status=404)

    def _blocked(self, host: HostKind, admission: Admission) -> Response:
        if host == "gateway":
            wait = admission.to_wait or 1
            headers = {**admission.headers, "Retry-After": str(wait)}
            return gateway_error(
                "Too many requests: API rate or concurrency limit reached",
                status=429,
                code="429",
                headers=headers,
            )
        if admission.blocked_by == "concurrency":
            running = admission.headers.get("X-Concurrency-Limit-Running", "1")
            text = (
                f"This API cannot be run again until {running} currently running "
                "instances have finished."
            )
            code = 1960
        else:
            text = f"This API cannot be run again for another {admission.to_wait} seconds."
            code = 1965
        return simple_return(text, status=409, code=code, headers=admission.headers)

    def _bad_parameter(self, host: HostKind, exc: ParameterError) -> Response:
        if host == "gateway":
            return gateway_error(str(exc), status=400, code="400")
        return simple_return(
            f"parameter {exc.name} has invalid value: {exc.value}", status=400, code=1905
        )

    @staticmethod
    def _error(host: HostKind, status: int, message: str) -> Response:
        message = message or "Method not allowed"
        if host == "gateway":
            return gateway_error(message, status=status, code=str(status))
        return simple_return(message, status=status)


class _HostApp:
    """The ASGI app for one host of the simulated pod."""

    def __init__(self, simulator: Simulator, host: HostKind) -> None:
        self._simulator = simulator
        self.host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        await self._simulator.handle(self.host, scope, receive, send)


def _params(request: Request, body: bytes) -> dict[str, str]:
    """Query string and form body merged: the FO APIs take either (catalogue §29.18)."""
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


async def _rebuild(response: Response, change: Callable[[bytes], bytes]) -> Response:
    if isinstance(response, StreamingResponse):
        chunks = [
            chunk if isinstance(chunk, bytes) else str(chunk).encode()
            async for chunk in response.body_iterator
        ]
        raw = b"".join(chunks)
    else:
        raw = bytes(response.body)
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)}
    return Response(change(raw), status_code=response.status_code, headers=headers)


def _check_unique(routes: Sequence[SimRoute]) -> None:
    names: dict[str, SimRoute] = {}
    claimed: dict[tuple[str, str, str], SimRoute] = {}
    for route in routes:
        if route.name in names:
            raise ValueError(f"two simulator routes are named {route.name!r}")
        names[route.name] = route
        for method in route.methods:
            key = (route.host, method, route.shape)
            if key in claimed:
                raise ValueError(
                    f"simulator routes {claimed[key].name!r} and {route.name!r} both serve "
                    f"{method} {route.path} on the {route.host} host"
                )
            claimed[key] = route
