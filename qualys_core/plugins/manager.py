"""The plugin host: finds plugins, loads each one safely, and serves their validated records.

`create_plugin_host()` is the only way to build a `PluginHost`. It discovers the entry points
of the ``qualys_mcp.plugins`` group (sorted by name, so the order never depends on the file
system), applies the allow and block lists, checks each distribution's ``qualys-mcp-core``
requirement against the running core before importing it, registers it with pluggy, runs
``check_pending()``, and then calls every registration hook once per plugin. A plugin that
fails any step is dropped as a whole, logged with its distribution and version, and kept as a
`LoadError`; in strict mode the first failure raises `PluginLoadError` instead.

Host code reads records from the `PluginHost` attributes and calls the remaining hooks through
its methods; nothing outside this package touches pluggy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from qualys_core.__about__ import __version__
from qualys_core.cache import TierSpec
from qualys_core.errors import ConfigError
from qualys_core.plugins import hookspecs
from qualys_core.plugins._collect import Contribution, InvalidPlugin, call_plugin, collect
from qualys_core.plugins.records import (
    TOOLS,
    Aggregator,
    Correlation,
    PromptSpec,
    Recogniser,
    WarmupTask,
)

__all__ = [
    "CORE_DISTRIBUTION",
    "ENTRY_POINT_GROUP",
    "LoadError",
    "PluginHost",
    "PluginInfo",
    "PluginLoadError",
    "create_plugin_host",
]

ENTRY_POINT_GROUP = "qualys_mcp.plugins"
CORE_DISTRIBUTION = "qualys-mcp-core"
Source = Literal["entry_point", "registered"]

_log = logging.getLogger("qualys_core.plugins")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class LoadError:
    """Why a plugin was skipped; `distribution` and `version` are None for registered objects."""

    plugin: str
    distribution: str | None
    version: str | None
    error: str

    def __str__(self) -> str:
        origin = f" ({self.distribution} {self.version})" if self.distribution else ""
        return f"plugin {self.plugin!r}{origin}: {self.error}"


class PluginLoadError(Exception):
    """A plugin failed to load in strict mode; `load_error` says which and why."""

    def __init__(self, load_error: LoadError) -> None:
        super().__init__(str(load_error))
        self.load_error = load_error


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin and the names it registered; `tools` are the tools its aggregators serve.
    `dormant_correlations` wait for aggregators of a plugin that is not loaded."""

    name: str
    distribution: str | None
    version: str | None
    source: Source
    aggregators: tuple[str, ...]
    correlations: tuple[str, ...]
    recognisers: tuple[str, ...]
    prompts: tuple[str, ...]
    tools: tuple[str, ...]
    dormant_correlations: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    """A plugin found but not yet loaded: an entry point, or an object passed in by name."""

    name: str
    source: Source
    distribution: str | None = None
    version: str | None = None
    entry_point: EntryPoint | None = None
    obj: object = None

    def error(self, message: str) -> LoadError:
        return LoadError(self.name, self.distribution, self.version, message)

    def info(self, contribution: Contribution) -> PluginInfo:
        served = {serves.tool for agg in contribution.aggregators for serves in agg.serves}
        return PluginInfo(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            source=self.source,
            aggregators=tuple(a.name for a in contribution.aggregators),
            correlations=tuple(c.name for c in contribution.correlations),
            dormant_correlations=tuple(name for name, _ in contribution.dormant),
            recognisers=tuple(r.name for r in contribution.recognisers),
            prompts=tuple(p.name for p in contribution.prompts),
            tools=tuple(tool for tool in TOOLS if tool in served),
        )


class PluginHost:
    """The loaded plugins' records, validated once, and typed calls of the remaining hooks.

    Build it with `create_plugin_host()` or `PluginHost.from_env()`.
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        loaded: list[tuple[_Candidate, Contribution]],
        load_errors: list[LoadError],
    ) -> None:
        self._pm = pm
        self._names = tuple(candidate.name for candidate, _ in loaded)
        self.plugins: tuple[PluginInfo, ...] = tuple(c.info(con) for c, con in loaded)
        self.load_errors: tuple[LoadError, ...] = tuple(load_errors)
        contributions = [con for _, con in loaded]
        self.aggregators: tuple[Aggregator, ...] = tuple(
            agg for con in contributions for agg in con.aggregators
        )
        self.correlations: tuple[Correlation, ...] = tuple(
            cor for con in contributions for cor in con.correlations
        )
        self.recognisers: tuple[Recogniser, ...] = tuple(
            sorted(
                (rec for con in contributions for rec in con.recognisers),
                key=lambda rec: (-rec.priority, rec.name),
            )
        )
        self.prompts: tuple[PromptSpec, ...] = tuple(
            prompt for con in contributions for prompt in con.prompts
        )
        self.cache_tiers: tuple[TierSpec, ...] = tuple(
            tier for con in contributions for tier in con.cache_tiers
        )
        self.warmups: tuple[WarmupTask, ...] = tuple(
            task for con in contributions for task in con.warmups
        )
        self._instructions = [
            (c.name, con.instructions) for c, con in loaded if con.instructions is not None
        ]

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] = os.environ,
        *,
        load_entrypoints: bool = True,
        plugins: Mapping[str, object] | None = None,
        group: str = ENTRY_POINT_GROUP,
    ) -> PluginHost:
        """`create_plugin_host()` with the allow list, block list and strict switch from env.

        ``QUALYS_MCP_PLUGINS`` is a comma-separated allow list (unset or empty: every plugin),
        ``QUALYS_MCP_DISABLE_PLUGINS`` a comma-separated block list, and
        ``QUALYS_MCP_STRICT_PLUGINS=1`` makes the first broken plugin raise.
        """
        allow = _names(environ.get("QUALYS_MCP_PLUGINS", ""))
        strict = environ.get("QUALYS_MCP_STRICT_PLUGINS", "").strip().lower()
        if strict not in _TRUE | _FALSE:
            raise ConfigError(f"QUALYS_MCP_STRICT_PLUGINS={strict!r} is not a switch; use 1 or 0")
        return create_plugin_host(
            load_entrypoints=load_entrypoints,
            allow=allow or None,
            block=_names(environ.get("QUALYS_MCP_DISABLE_PLUGINS", "")),
            strict=strict in _TRUE,
            plugins=plugins,
            group=group,
        )

    def aggregator(self, name: str) -> Aggregator:
        """The aggregator called `name`; ValueError lists the known names if there is none."""
        for agg in self.aggregators:
            if agg.name == name:
                return agg
        known = ", ".join(sorted(a.name for a in self.aggregators)) or "none"
        raise ValueError(f"unknown aggregator {name!r}; known aggregators: {known}")

    def aggregators_for(self, tool: str) -> tuple[Aggregator, ...]:
        """The aggregators serving `tool` (any scope or intent), in plugin order."""
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; tools: {', '.join(TOOLS)}")
        return tuple(a for a in self.aggregators if any(s.tool == tool for s in a.serves))

    def instructions(self) -> list[tuple[str, str]]:
        """(plugin name, server instructions fragment) for each plugin that gave one."""
        return list(self._instructions)

    def simulator_tenant(self, tenant: Any, *, errors: list[LoadError] | None = None) -> None:
        """Let every plugin add its product data to the shared synthetic tenant.

        With `errors`, a plugin whose hook raises is recorded there and skipped (demo mode must
        start without it); without, the exception propagates with a note naming the plugin.
        """
        for name in self._names:
            self._guarded(name, "qualys_simulator_tenant", errors, tenant=tenant)

    def simulator_routes(self, tenant: Any, *, errors: list[LoadError] | None = None) -> list[Any]:
        """Every plugin's simulator routes, in plugin order (`errors` as in simulator_tenant)."""
        routes: list[Any] = []
        for name in self._names:
            for result in self._guarded(name, "qualys_simulator_routes", errors, tenant=tenant):
                routes.extend(result)
        return routes

    def _guarded(
        self, name: str, hook: str, errors: list[LoadError] | None, **kwargs: Any
    ) -> list[Any]:
        if errors is None:
            return self._call(name, hook, **kwargs)
        try:
            results = self._call(name, hook, **kwargs)
            if hook == "qualys_simulator_routes":
                # Materialise generators here, so a failure inside one is this plugin's error.
                results = [list(result) for result in results]
            return results
        except Exception as exc:
            info = next((p for p in self.plugins if p.name == name), None)
            errors.append(
                LoadError(
                    plugin=name,
                    distribution=info.distribution if info else None,
                    version=info.version if info else None,
                    error=f"{hook}() failed: {type(exc).__name__}: {exc}",
                )
            )
            return []

    def _call(self, name: str, hook: str, **kwargs: Any) -> list[Any]:
        try:
            return call_plugin(self._pm, name, hook, **kwargs)
        except Exception as exc:
            exc.add_note(f"raised by {hook}() of plugin {name!r}")
            raise


def create_plugin_host(
    *,
    load_entrypoints: bool = True,
    allow: Collection[str] | None = None,
    block: Collection[str] = (),
    strict: bool = False,
    plugins: Mapping[str, object] | None = None,
    group: str = ENTRY_POINT_GROUP,
) -> PluginHost:
    """Load plugins and validate their records.

    Args:
        load_entrypoints: discover plugins through the entry points of `group`.
        allow: load only plugins with these names (None: all).
        block: never load (nor import) plugins with these names.
        strict: raise `PluginLoadError` at the first broken plugin instead of skipping it.
        plugins: extra plugin objects by name (modules, or instances with `@hookimpl`
            methods), loaded as if found through an entry point without a distribution.
        group: the entry point group.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    loader = _Loader(pm, strict)
    found = _discover(group) if load_entrypoints else []
    found += [_Candidate(name, "registered", obj=obj) for name, obj in (plugins or {}).items()]
    registered = [c for c in _select(found, allow, block) if loader.register(c)]
    registered = loader.check_pending(registered)
    by_name = {c.name: c for c in registered}
    loaded, failures = collect(pm, list(by_name))
    for name, failure in failures:
        pm.unregister(name=name)
        loader.fail(by_name[name], str(failure), failure.__cause__)
    return PluginHost(pm, [(by_name[name], con) for name, con in loaded], loader.errors)


class _Loader:
    """Registers candidates one at a time, turning each failure into a LoadError."""

    def __init__(self, pm: pluggy.PluginManager, strict: bool) -> None:
        self.pm = pm
        self.strict = strict
        self.errors: list[LoadError] = []
        self._taken: dict[str, _Candidate] = {}

    def fail(self, candidate: _Candidate, message: str, cause: BaseException | None) -> None:
        error = candidate.error(message)
        if self.strict:
            raise PluginLoadError(error) from cause
        _log.warning("skipping %s [qualys-mcp-core %s]", error, __version__)
        self.errors.append(error)

    def register(self, candidate: _Candidate) -> bool:
        """Load and register one candidate; False (after recording why) if it is skipped."""
        owner = self._taken.get(candidate.name)
        if owner is not None:
            origin = owner.distribution or "an object registered by name"
            self.fail(candidate, f"plugin name is already used by {origin}", None)
            return False
        try:
            plugin = self._load(candidate)
        except InvalidPlugin as exc:
            self.fail(candidate, str(exc), exc.__cause__)
            return False
        other = self.pm.get_name(plugin)
        if other is not None:
            self.fail(candidate, f"the same object is already plugin {other!r}", None)
            return False
        try:
            self.pm.register(plugin, name=candidate.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self.pm.get_plugin(candidate.name) is plugin:
                self.pm.unregister(name=candidate.name)
            self.fail(candidate, " ".join(str(exc).split()), exc)
            return False
        self._taken[candidate.name] = candidate
        return True

    def check_pending(self, registered: list[_Candidate]) -> list[_Candidate]:
        """Drop each plugin implementing a hook that has no spec; the rest, in order."""
        remaining = {c.name: c for c in registered}
        while True:
            try:
                self.pm.check_pending()
            except pluggy.PluginValidationError as exc:
                name = self.pm.get_name(exc.plugin)
                if name is None or name not in remaining:
                    raise
                unknown = sorted(
                    caller.name
                    for caller in self.pm.get_hookcallers(exc.plugin) or []
                    if not caller.has_spec()
                )
                self.pm.unregister(name=name)
                message = (
                    f"implements hooks that have no specification: {', '.join(unknown)} "
                    "(misspelt, or made for a newer qualys-mcp-core; mark optional hooks "
                    "with @hookimpl(optionalhook=True))"
                )
                self.fail(remaining.pop(name), message, exc)
            else:
                return list(remaining.values())

    @staticmethod
    def _load(candidate: _Candidate) -> object:
        ep = candidate.entry_point
        if ep is None:
            return candidate.obj
        mismatch = _core_mismatch(ep)
        if mismatch is not None:
            raise InvalidPlugin(mismatch)
        try:
            return ep.load()
        except Exception as exc:
            raise InvalidPlugin(f"cannot import {ep.value}: {type(exc).__name__}: {exc}") from exc


def _discover(group: str) -> list[_Candidate]:
    found = [
        _Candidate(
            ep.name,
            "entry_point",
            ep.dist.name if ep.dist else None,
            ep.dist.version if ep.dist else None,
            entry_point=ep,
        )
        for ep in entry_points(group=group)
    ]
    return sorted(found, key=lambda c: (c.name, c.distribution or "", c.version or ""))


def _select(
    found: list[_Candidate], allow: Collection[str] | None, block: Collection[str]
) -> list[_Candidate]:
    """The candidates the lists let through, sorted by name (stable for equal names)."""
    if allow is not None:
        missing = sorted(set(allow) - {c.name for c in found})
        if missing:
            _log.warning("allowed plugins that are not installed: %s", ", ".join(missing))
    chosen = []
    for candidate in found:
        if candidate.name in block or (allow is not None and candidate.name not in allow):
            _log.info("plugin %r is not loaded: blocked or not allowed", candidate.name)
        else:
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c.name)


def _core_mismatch(ep: EntryPoint) -> str | None:
    """Why the entry point's distribution cannot run with this core, or None if it can."""
    for line in (ep.dist.requires or []) if ep.dist else []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(req.name) != CORE_DISTRIBUTION:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        if not req.specifier.contains(__version__, prereleases=True):
            return (
                f"requires {CORE_DISTRIBUTION}{req.specifier} but {__version__} is installed; "
                "install a version of the plugin made for this core"
            )
    return None


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())
