"""The platform endpoints every subscription has: about, portal version, session login, `/auth`.

These are what third-party clients call first to test a login and size their thread pools
(catalogue §3.1), so their shapes follow what those clients read.
"""

from __future__ import annotations

from starlette.responses import Response

from qualys_core.__about__ import __version__
from qualys_core.simulator.responses import (
    element,
    gateway_error,
    json_response,
    simple_return,
    xml_response,
)
from qualys_core.simulator.routes import ContractCase, SimRequest, SimRoute

__all__ = ["platform_routes"]

_WEB_VERSION = "10.36.0.0-1"
_SCANNER_VERSION = "13.6.21-1"
_VULNSIGS_VERSION = "2.6.218-2"


async def _about(request: SimRequest) -> Response:
    body = (
        "<ABOUT>"
        '<API-VERSION MAJOR="1" MINOR="4" />'
        f"<WEB-VERSION>{_WEB_VERSION}</WEB-VERSION>"
        f"<SCANNER-VERSION>{_SCANNER_VERSION}</SCANNER-VERSION>"
        f"<VULNSIGS-VERSION>{_VULNSIGS_VERSION}</VULNSIGS-VERSION>"
        "</ABOUT>\n"
        f'<!-- Generated for username="{request.username}" by the qualys-mcp simulator '
        f"{__version__}: synthetic data -->\n"
    )
    return xml_response(body, doctype="ABOUT")


async def _portal_version(request: SimRequest) -> Response:
    portal = {"WAS-VERSION": "9.24.0", "VM-VERSION": _WEB_VERSION}
    qweb = {
        "WEB-VERSION": _WEB_VERSION,
        "SCANNER-VERSION": _SCANNER_VERSION,
        "VULNSIGS-VERSION": _VULNSIGS_VERSION,
    }
    if "json" in request.headers.get("Accept", ""):
        return json_response(
            {
                "ServiceResponse": {
                    "responseCode": "SUCCESS",
                    "count": 1,
                    "data": [{"Portal-Version": portal, "QWeb-Version": qweb}],
                }
            }
        )
    inner = "".join(element(k, v, raw=True) for k, v in portal.items())
    qweb_xml = "".join(element(k, v, raw=True) for k, v in qweb.items())
    body = (
        "<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data>"
        f"<Portal-Version>{inner}</Portal-Version><QWeb-Version>{qweb_xml}</QWeb-Version>"
        "</data></ServiceResponse>"
    )
    return xml_response(body)


async def _session(request: SimRequest) -> Response:
    action = request.param("action")
    auth = request.simulator_auth
    if action == "login":
        username = request.param("username") or ""
        password = request.param("password") or ""
        if not auth.check_password(username, password):
            return simple_return("Bad Login/Password", status=401)
        response = simple_return("Logged in", status=200)
        # Secure only over https: cookie jars never send Secure cookies to http:// URLs, and
        # the loopback simulator may run without TLS.
        secure = request.request.url.scheme == "https"
        for name, path in (("QualysSession", "/api"), ("DWRSESSIONID", "/")):
            response.set_cookie(name, auth.open_session(), path=path, secure=secure, httponly=True)
        return response
    if action == "logout":
        if not auth.close_session(request.request.cookies.get("QualysSession")):
            return simple_return("Bad Login/Password", status=401)
        return simple_return("Logged out", status=200)
    return simple_return(
        "Missing required parameter(s): action (login or logout)", status=400, code=1903
    )


async def _gateway_auth(request: SimRequest) -> Response:
    auth = request.simulator_auth
    username = request.param("username")
    password = request.param("password")
    if not username or not password:
        return gateway_error("username and password are required", status=400, code="400")
    if not auth.check_password(username, password):
        return gateway_error("Authentication Failure", status=401, code="401")
    # The body is the raw JWT and nothing else; qualysdk and qualysetl accept only 201 (§3.1).
    return Response(auth.issue_token(username), status_code=201, media_type="text/plain")


def platform_routes() -> list[SimRoute]:
    """The routes core serves on every simulated pod."""
    return [
        SimRoute(
            name="platform.about",
            host="api",
            path="/msp/about.php",
            methods=("GET", "POST"),
            handler=_about,
            module="platform",
            endpoint_class="short",
            # qualysdk's login check (BasicAuth.test_login) GETs it without X-Requested-With
            # and works against Qualys: the header rule covers the API v2 (/api/...) calls.
            requested_with=False,
            contract=(
                ContractCase(
                    "GET",
                    "/msp/about.php",
                    client="qualysdk auth/basic.py test_login (§3.1)",
                    root="ABOUT",
                    xml_paths=("API-VERSION", "WEB-VERSION", "VULNSIGS-VERSION"),
                ),
                ContractCase(
                    "POST",
                    "/msp/about.php",
                    client="qualysetl test_about_qualys (§3.1)",
                    root="ABOUT",
                ),
            ),
        ),
        SimRoute(
            name="platform.portal_version",
            host="api",
            path="/qps/rest/portal/version",
            methods=("GET",),
            handler=_portal_version,
            module="platform",
            endpoint_class="short",
            requested_with=False,
            contract=(
                ContractCase(
                    "GET",
                    "/qps/rest/portal/version",
                    client="qualysetl get_qualys_portal_version (§3.1)",
                    root="ServiceResponse",
                    xml_paths=("responseCode", "data/Portal-Version", "data/QWeb-Version"),
                ),
            ),
        ),
        SimRoute(
            name="platform.session",
            host="api",
            path="/api/2.0/fo/session/",
            methods=("POST",),
            handler=_session,
            module="platform",
            endpoint_class="short",
            public=True,
            contract=(
                ContractCase(
                    "POST",
                    "/api/2.0/fo/session/",
                    client="qualysetl test_qualys_login_logout_basic_auth (§3.1)",
                    form={"action": "login", "username": "{username}", "password": "{password}"},
                    root="SIMPLE_RETURN",
                    xml_paths=("RESPONSE/TEXT",),
                ),
            ),
        ),
        SimRoute(
            name="platform.auth",
            host="gateway",
            path="/auth",
            methods=("POST",),
            handler=_gateway_auth,
            module="platform",
            endpoint_class="short",
            public=True,
            contract=(
                ContractCase(
                    "POST",
                    "/auth",
                    client="qualysdk auth/token.py get_token (§3.1)",
                    form={
                        "username": "{username}",
                        "password": "{password}",
                        "token": "true",
                        "permissions": "true",
                    },
                    status=201,
                ),
            ),
        ),
    ]
