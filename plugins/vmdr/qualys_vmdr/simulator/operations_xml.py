"""XML pieces the simulated VMDR operations endpoints share: leaves, list documents, actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from starlette.responses import Response

from qualys_core.simulator import (
    ParameterError,
    SimRequest,
    cdata,
    iso,
    simple_return,
    xml_response,
)

__all__ = ["action", "choices", "free", "leaf", "list_document"]


def leaf(tag: str, value: object) -> str:
    """``<TAG>value</TAG>`` with the value escaped (ids, dates, states)."""
    return f"<{tag}>{escape(str(value))}</{tag}>"


def free(tag: str, value: object) -> str:
    """``<TAG><![CDATA[value]]></TAG>`` for free text (titles, targets, comments)."""
    return f"<{tag}>{cdata(value)}</{tag}>"


def list_document(request: SimRequest, root: str, wrapper: str, items: Sequence[str]) -> Response:
    """``ROOT/RESPONSE/{DATETIME, WRAPPER/items}``; an empty list leaves WRAPPER out, as the
    FO DTDs make the list optional. DATETIME is the tenant's clock."""
    request.count(len(items))
    listing = f"<{wrapper}>{''.join(items)}</{wrapper}>" if items else ""
    body = f"<{root}><RESPONSE>{leaf('DATETIME', iso(request.tenant.now))}{listing}</RESPONSE>"
    return xml_response(body + f"</{root}>\n", doctype=root)


def action(request: SimRequest, allowed: Iterable[str]) -> str | Response:
    """The request's `action` when it is one of `allowed`; the FO error when it is missing."""
    value = request.param("action")
    if value is None:
        # Appendix D code 1903, as for the simulator's other FO endpoints.
        return simple_return(
            "Missing required parameter(s): action", status=400, code=1903, now=request.tenant.now
        )
    if value not in allowed:
        raise ParameterError("action", value)
    return value


def choices(request: SimRequest, name: str, allowed: Sequence[str]) -> set[str]:
    """A comma-separated filter (``state=Running,Paused``), matched case-insensitively, as the
    spellings in `allowed`; an unknown value raises ParameterError."""
    by_lower = {value.lower(): value for value in allowed}
    found = set()
    for item in request.list_param(name):
        if item.lower() not in by_lower:
            raise ParameterError(name, item)
        found.add(by_lower[item.lower()])
    return found
