"""Request checks shared by the simulated CloudView and Connectors API routes: known
parameters only, page numbers and sizes, and bad parameters answered as JSON on either host.
"""

from __future__ import annotations

import functools

from starlette.responses import Response

from qualys_core.simulator import ParameterError, SimRequest, gateway_error
from qualys_core.simulator.routes import Handler

__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "json_errors", "page_numbers"]

DEFAULT_PAGE = 50  # the vendor's TotalCloud examples page by 50
MAX_PAGE = 1000  # no source states a cap; qualys-mcp asks for up to 1000 org connectors


def json_errors(handler: Handler) -> Handler:
    """CloudView and the Connectors API are JSON services on either host: a bad parameter is
    a JSON 400 naming the allowed values (the API server's default answer is FO XML)."""

    @functools.wraps(handler)
    async def run(request: SimRequest) -> Response:
        try:
            return await handler(request)
        except ParameterError as exc:
            return gateway_error(str(exc), status=400, code="400")

    return run


def page_numbers(request: SimRequest, page_param: str) -> tuple[int, int]:
    """(page number from 0, page size) of a page-number listing."""
    number = request.int_param(page_param, 0) or 0
    size = request.int_param("pageSize", DEFAULT_PAGE)
    if number < 0:
        raise ParameterError(page_param, str(number), "must be 0 or more, not")
    if size is None or not 1 <= size <= MAX_PAGE:
        raise ParameterError("pageSize", str(size), f"must be between 1 and {MAX_PAGE}, not")
    return number, size
