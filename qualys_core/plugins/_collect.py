"""Calling each plugin's registration hooks once and checking its records against the rules.

A plugin's records are accepted or rejected together: one bad record, a raising hook, or a
name another plugin already registered rejects the whole plugin, so none half-registers.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from qualys_core.cache import DEFAULT_TIERS, TierSpec
from qualys_core.plugins.records import (
    Aggregator,
    Correlation,
    PromptSpec,
    Recogniser,
    WarmupTask,
)

__all__ = ["Contribution", "InvalidPlugin", "call_plugin", "collect"]

T = TypeVar("T")

_log = logging.getLogger(__name__)


class InvalidPlugin(Exception):
    """A plugin broke a rule; the message, naming the rule, becomes its load error."""


@dataclass(frozen=True)
class Contribution:
    """Everything one plugin registered, with `plugin`/`owner` filled in."""

    aggregators: tuple[Aggregator, ...]
    correlations: tuple[Correlation, ...]
    recognisers: tuple[Recogniser, ...]
    prompts: tuple[PromptSpec, ...]
    cache_tiers: tuple[TierSpec, ...]
    warmups: tuple[WarmupTask, ...]
    instructions: str | None
    # Correlations waiting for another plugin's aggregators: (name, the missing needs).
    dormant: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def names(self) -> dict[str, tuple[str, ...]]:
        """The names that must be unique across plugins, by kind."""
        return {
            "aggregator": tuple(a.name for a in self.aggregators),
            "correlation": tuple(c.name for c in self.correlations),
            "recogniser": tuple(r.name for r in self.recognisers),
            "prompt": tuple(p.name for p in self.prompts),
        }


def call_plugin(pm: pluggy.PluginManager, name: str, hook: str, **kwargs: Any) -> list[Any]:
    """The results of one plugin's implementation of `hook` (empty if it has none)."""
    plugin = pm.get_plugin(name)
    others = [other for other in pm.get_plugins() if other is not plugin]
    return list(pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs))


def collect(
    pm: pluggy.PluginManager, names: list[str]
) -> tuple[list[tuple[str, Contribution]], list[tuple[str, InvalidPlugin]]]:
    """Each plugin's contribution in `names` order, and the plugins rejected, with why."""
    accepted: list[tuple[str, Contribution]] = []
    rejected: list[tuple[str, InvalidPlugin]] = []
    for name in names:
        try:
            contribution = _contribution(pm, name)
            _check_clashes(contribution, accepted)
        except InvalidPlugin as exc:
            rejected.append((name, exc))
        else:
            accepted.append((name, contribution))
    # Needs may name any plugin's aggregators, so dropping one plugin can orphan another's.
    while True:
        known = {agg.name for _, con in accepted for agg in con.aggregators}
        for index, (name, contribution) in enumerate(accepted):
            problem = _unknown_needs(name, contribution, known)
            if problem is not None:
                rejected.append((name, InvalidPlugin(problem)))
                del accepted[index]
                break
            accepted[index] = (name, _set_dormant(name, contribution, known))
        else:
            return accepted, rejected


def _contribution(pm: pluggy.PluginManager, name: str) -> Contribution:
    update = {"plugin": name}
    contribution = Contribution(
        aggregators=tuple(
            a.model_copy(update=update)
            for a in _records(pm, name, "qualys_register_aggregators", Aggregator)
        ),
        correlations=tuple(
            c.model_copy(update=update)
            for c in _records(pm, name, "qualys_register_correlations", Correlation)
        ),
        recognisers=tuple(
            r.model_copy(update=update)
            for r in _records(pm, name, "qualys_register_recognisers", Recogniser)
        ),
        prompts=tuple(
            p.model_copy(update=update)
            for p in _records(pm, name, "qualys_register_prompts", PromptSpec)
        ),
        cache_tiers=tuple(
            replace(t, owner=name)
            for t in _records(pm, name, "qualys_register_cache_tiers", TierSpec)
        ),
        warmups=tuple(
            replace(w, plugin=name) for w in _records(pm, name, "qualys_warmup", WarmupTask)
        ),
        instructions=_instructions(pm, name),
    )
    _check_own(name, contribution)
    return contribution


def _records(pm: pluggy.PluginManager, name: str, hook: str, kind: type[T]) -> list[T]:
    try:
        records = [item for result in call_plugin(pm, name, hook) for item in _items(result)]
    except InvalidPlugin as exc:
        raise InvalidPlugin(f"{hook}() {exc}") from exc
    except Exception as exc:
        raise _hook_failure(hook, exc) from exc
    for record in records:
        if not isinstance(record, kind):
            raise InvalidPlugin(
                f"{hook}() returned {type(record).__name__} where {kind.__name__} records are "
                "expected"
            )
    return records


def _items(result: object) -> list[Any]:
    # Models and strings are iterable too, but returning one is a mistake, not a list of items.
    if isinstance(result, str | bytes | Mapping | BaseModel) or not isinstance(result, Iterable):
        raise InvalidPlugin(
            f"returned {type(result).__name__}; return a list (or any iterable) of records"
        )
    return list(result)


def _instructions(pm: pluggy.PluginManager, name: str) -> str | None:
    hook = "qualys_server_instructions"
    try:
        results = call_plugin(pm, name, hook)
    except Exception as exc:
        raise _hook_failure(hook, exc) from exc
    for result in results:
        if not isinstance(result, str):
            raise InvalidPlugin(f"{hook}() returned {type(result).__name__}, not str or None")
    return "\n".join(text.strip() for text in results if text.strip()) or None


def _hook_failure(hook: str, exc: Exception) -> InvalidPlugin:
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or exc.title}: {error['msg']}"
            for error in exc.errors()
        )
        return InvalidPlugin(f"{hook}() built an invalid {exc.title} record: {problems}")
    return InvalidPlugin(f"{hook}() raised {type(exc).__name__}: {exc}")


def _is_async(fn: object) -> bool:
    # Objects with an async __call__ are async functions too, as far as the engine cares.
    return inspect.iscoroutinefunction(fn) or (
        callable(fn) and inspect.iscoroutinefunction(fn.__call__)
    )


def _check_own(plugin: str, con: Contribution) -> None:
    """The rules a plugin's records must follow whatever the other plugins register."""
    for agg in con.aggregators:
        if not agg.name.startswith(f"{plugin}."):
            raise InvalidPlugin(f"aggregator {agg.name!r} must be named '{plugin}.<name>'")
        if not agg.serves:
            raise InvalidPlugin(f"aggregator {agg.name!r} serves no tool")
    for label, name, fn in (
        *(("aggregator", a.name, a.fn) for a in con.aggregators),
        *(("correlation", c.name, c.fn) for c in con.correlations),
        *(("warm-up task", w.name, w.fn) for w in con.warmups),
    ):
        if not _is_async(fn):
            raise InvalidPlugin(f"{label} {name!r}: fn must be an async function")
    for rec in con.recognisers:
        if _is_async(rec.fn):
            raise InvalidPlugin(f"recogniser {rec.name!r}: fn must be a plain (sync) function")
    for task in con.warmups:
        if task.max_calls < 1:
            raise InvalidPlugin(f"warm-up task {task.name!r}: max_calls must be at least 1")
    named = {
        **con.names(),
        "cache tier": tuple(t.name for t in con.cache_tiers),
        "warm-up task": tuple(w.name for w in con.warmups),
    }
    for kind, names in named.items():
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise InvalidPlugin(f"{kind} {name!r} is registered twice")
            seen.add(name)


def _check_clashes(con: Contribution, accepted: list[tuple[str, Contribution]]) -> None:
    """The rules a plugin's records must follow given the plugins accepted before it."""
    for kind, names in con.names().items():
        owners = {n: owner for owner, other in accepted for n in other.names()[kind]}
        for name in names:
            if name in owners:
                raise InvalidPlugin(
                    f"{kind} {name!r} is already registered by plugin {owners[name]!r}"
                )
    tiers = {t.name: t for t in DEFAULT_TIERS}
    tiers.update((t.name, t) for _, other in accepted for t in other.cache_tiers)
    for tier in con.cache_tiers:
        prior = tiers.get(tier.name)
        if prior is not None and prior.ttl != tier.ttl:
            raise InvalidPlugin(
                f"cache tier {tier.name!r} is declared by {prior.owner!r} with TTL "
                f"{prior.ttl:g}s, here with {tier.ttl:g}s; use the same TTL to share the "
                "tier, or choose another name"
            )


def _own(plugin: str, need: str) -> bool:
    return need.startswith(f"{plugin}.")


def _unknown_needs(plugin: str, con: Contribution, known: set[str]) -> str | None:
    """A correlation naming one of its own plugin's aggregators that does not exist (a typo
    the author must hear about)."""
    for cor in con.correlations:
        missing = [need for need in cor.needs if need not in known and _own(plugin, need)]
        if missing:
            return (
                f"correlation {cor.name!r} needs aggregators its own plugin does not register: "
                f"{', '.join(missing)}"
            )
    return None


def _set_dormant(plugin: str, con: Contribution, known: set[str]) -> Contribution:
    """Move the correlations that need another plugin's aggregators, when that plugin is not
    loaded, to `dormant`: a cross-product correlation waits for its product to be installed
    rather than taking its own plugin down."""
    active: list[Correlation] = []
    dormant = dict(con.dormant)
    for cor in con.correlations:
        missing = tuple(need for need in cor.needs if need not in known)
        if missing:
            dormant[cor.name] = missing
            _log.info(
                "correlation %s of plugin %s is dormant: no loaded plugin registers %s",
                cor.name,
                plugin,
                ", ".join(missing),
            )
        else:
            active.append(cor)
    if len(active) == len(con.correlations):
        return con
    return replace(con, correlations=tuple(active), dormant=tuple(dormant.items()))
