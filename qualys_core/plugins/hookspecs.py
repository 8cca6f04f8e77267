"""The hooks a Qualys MCP plugin may implement: what each returns, when it fires, since when.

Every hook is synchronous (pluggy has no async support); asynchronous work lives in the
functions the returned records carry, which the engine awaits later. Implementations may
accept fewer arguments than a spec declares: that is how hooks gain arguments without
breaking plugins. Never give an implementation argument a default value, pluggy does not pass
such arguments.

The plugin host (`qualys_core.plugins.manager`) calls every hook once per plugin, in plugin
name order; no hook is `firstresult` or historic. The registration hooks run once, while
the host is built: if one raises or returns a record of the wrong type, the whole plugin is
dropped and reported as a load error, so a plugin never half-registers. Returning None from a
registration hook means "nothing to register".

A minimal plugin module, named by an entry point in the ``qualys_mcp.plugins`` group::

    from qualys_core.plugins import Aggregator, Serves, hookimpl

    @hookimpl
    def qualys_register_aggregators() -> list[Aggregator]:
        return [Aggregator(name="vmdr.detections", title="VMDR host detections",
                           fn=detections, serves=(Serves(tool="assess_risk"),),
                           module="VMDR")]
"""

# Specs are contracts and have no body; mypy's empty-body check does not apply to them.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qualys_core.cache import TierSpec
    from qualys_core.plugins.records import (
        Aggregator,
        Correlation,
        PromptSpec,
        Recogniser,
        WarmupTask,
    )
    from qualys_core.simulator.routes import SimRoute
    from qualys_core.simulator.tenant import Tenant

__all__ = [
    "PROJECT",
    "hookspec",
    "qualys_register_aggregators",
    "qualys_register_cache_tiers",
    "qualys_register_correlations",
    "qualys_register_prompts",
    "qualys_register_recognisers",
    "qualys_server_instructions",
    "qualys_simulator_routes",
    "qualys_simulator_tenant",
    "qualys_warmup",
]

PROJECT = "qualys_mcp"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def qualys_register_aggregators() -> Iterable[Aggregator]:
    """Register the aggregators this plugin provides.

    Returns:
        `Aggregator` records. Each name starts with the plugin name and a dot
        (``vmdr.detections``) and is unique across all plugins; each serves at least one
        tool. The host fills in `plugin`.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built, before the server starts.
    Added: 0.1.0.
    """


@hookspec
def qualys_register_correlations() -> Iterable[Correlation]:
    """Register cross-source correlations that run when the aggregators they need succeed.

    Returns:
        `Correlation` records with names unique across all plugins. `needs` may name
        aggregators of any plugin, but each must be registered, or this plugin is dropped;
        never import another plugin to refer to its aggregators, name them. The host fills
        in `plugin`.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built, after the aggregators of all plugins are
    known.
    Added: 0.1.0.
    """


@hookspec
def qualys_register_recognisers() -> Iterable[Recogniser]:
    """Contribute intent recognisers that turn an `investigate` target into an Intent.

    Returns:
        `Recogniser` records with names unique across all plugins. Their `fn` is
        synchronous, returns None when the target is not theirs, and must not do I/O. The
        engine tries them by priority (highest first), then name. The host fills in
        `plugin`.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built.
    Added: 0.1.0.
    """


@hookspec
def qualys_register_prompts() -> Iterable[PromptSpec]:
    """Contribute MCP prompts the server offers next to its tools.

    Returns:
        `PromptSpec` records with names unique across all plugins. The host fills in
        `plugin`.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built.
    Added: 0.1.0.
    """


@hookspec
def qualys_register_cache_tiers() -> Iterable[TierSpec]:
    """Declare the cache tiers this plugin's aggregators use.

    Returns:
        `TierSpec` records. A name the core or another plugin already declares must come
        with the same TTL (then the tier is shared); otherwise choose another name. The
        host sets `owner` to the plugin name. TTL overrides from settings still apply.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built, before any cache is created.
    Added: 0.1.0.
    """


@hookspec
def qualys_warmup() -> Iterable[WarmupTask]:
    """Offer background cache warm-up tasks, run only when the server starts with --warm.

    Returns:
        `WarmupTask` records whose async `fn` fills caches within `max_calls` Qualys calls.
        The host fills in `plugin`.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built; the tasks run after the server starts.
    Added: 0.1.0.
    """


@hookspec
def qualys_server_instructions() -> str | None:
    """Contribute a short fragment to the server instructions the MCP client shows the model.

    Returns:
        A few sentences about when this plugin's data helps (plain text, no heading), or
        None. The server appends each plugin's fragment, in plugin name order, under the
        plugin's name.

    Calling: every plugin is called (not firstresult).
    Fires: once, while the plugin host is built.
    Added: 0.1.0.
    """


@hookspec
def qualys_simulator_routes(tenant: Tenant) -> Iterable[SimRoute]:
    """Contribute the simulator endpoints of this plugin's Qualys product.

    Args:
        tenant: the shared synthetic tenant (`qualys_core.simulator.Tenant`). Handlers should
            read `request.tenant` rather than keep this one: the `empty` fault swaps it.

    Returns:
        `qualys_core.simulator.SimRoute` records, or None. Route names start with the plugin
        name; a path and method another route already serves is rejected.

    Calling: every plugin is called (not firstresult); an exception propagates to the
    simulator with a note naming the plugin (in demo mode the plugin's endpoints are left out
    and the failure is reported instead).
    Fires: when the simulator app is built, after `qualys_simulator_tenant` of all plugins.
    Added: 0.1.0.
    """


@hookspec
def qualys_simulator_tenant(tenant: Tenant) -> None:
    """Add this plugin's product data to the shared synthetic tenant, in place.

    Args:
        tenant: the shared synthetic tenant (`qualys_core.simulator.Tenant`: hosts, IPs,
            tags, software, KnowledgeBase). Derive product data from its hosts so that every
            product agrees on them, store it under ``tenant.extensions[<plugin name>]``, and
            draw randomness only from ``tenant.rng(<plugin name>, ...)`` so it is
            deterministic. Called again for the empty tenant of the `empty` fault.

    Returns:
        None.

    Calling: every plugin is called (not firstresult); an exception propagates to the
    simulator with a note naming the plugin.
    Fires: when the simulator generates a tenant, before any routes are built.
    Added: 0.1.0.
    """
