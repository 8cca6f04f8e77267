"""The plugin host: discovery, load errors, allow/block lists, version checks, record rules."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import sys
import textwrap
import types

import pluggy
import pytest

import qualys_core
from qualys_core.cache import TierSpec
from qualys_core.errors import ConfigError
from qualys_core.plugins import (
    Aggregator,
    AggregatorResult,
    Correlation,
    Intent,
    PromptSpec,
    Recogniser,
    Serves,
    WarmupTask,
    hookimpl,
)
from qualys_core.plugins.manager import (
    LoadError,
    PluginHost,
    PluginInfo,
    PluginLoadError,
    create_plugin_host,
)

PRODUCTS = ["pcas", "sdr", "totalai", "totalcloud", "vmdr"]


async def run_aggregator(ctx):
    return AggregatorResult()


async def run_correlation(ctx):
    return []


async def run_warmup(ctx):
    return None


def recognise(target):
    return Intent(kind="cve", value=target, normalized=target.upper())


def prompt_text(topic: str) -> str:
    return f"Investigate {topic}"


def agg(name, *tools):
    return Aggregator(
        name=name,
        title=name,
        fn=run_aggregator,
        serves=tuple(Serves(tool=tool) for tool in tools or ("assess_risk",)),
        module="VMDR",
    )


def cor(name, *needs):
    return Correlation(name=name, title=name, needs=needs, fn=run_correlation)


def rec(name, priority=50):
    return Recogniser(name=name, kind="cve", fn=recognise, priority=priority)


def prompt(name):
    return PromptSpec(name=name, description=name, fn=prompt_text)


class Fake:
    """A throw-away plugin whose hooks return what it was built with."""

    def __init__(
        self,
        label="fake",
        *,
        aggregators=(),
        correlations=(),
        recognisers=(),
        prompts=(),
        tiers=(),
        warmups=(),
        instructions=None,
    ):
        self.label = label
        self.aggregators = aggregators
        self.correlations = correlations
        self.recognisers = recognisers
        self.prompts = prompts
        self.tiers = tiers
        self.warmups = warmups
        self.text = instructions

    @hookimpl
    def qualys_register_aggregators(self):
        return self.aggregators

    @hookimpl
    def qualys_register_correlations(self):
        return self.correlations

    @hookimpl
    def qualys_register_recognisers(self):
        return self.recognisers

    @hookimpl
    def qualys_register_prompts(self):
        return self.prompts

    @hookimpl
    def qualys_register_cache_tiers(self):
        return self.tiers

    @hookimpl
    def qualys_warmup(self):
        return self.warmups

    @hookimpl
    def qualys_server_instructions(self):
        return self.text

    @hookimpl
    def qualys_simulator_tenant(self, tenant):
        tenant.append(self.label)

    @hookimpl
    def qualys_simulator_routes(self, tenant):
        return [f"/{self.label}/route/{len(tenant)}"]


def make_host(plugins, *, strict=True, **kwargs) -> PluginHost:
    return create_plugin_host(load_entrypoints=False, plugins=plugins, strict=strict, **kwargs)


def only_error(host: PluginHost) -> LoadError:
    (error,) = host.load_errors
    return error


# --- records ----------------------------------------------------------------------------


def test_records_are_collected_with_their_plugin_filled_in():
    vmdr = Fake(
        "vmdr",
        aggregators=[agg("vmdr.detections", "assess_risk", "investigate"), agg("vmdr.kb")],
        recognisers=[rec("vmdr.qid", priority=10), rec("vmdr.cve", priority=90)],
        prompts=[prompt("vmdr_triage")],
        tiers=[TierSpec("vmdr_hosts", 120, description="host list")],
        warmups=[WarmupTask("kb", run_warmup, max_calls=5)],
        instructions="  VMDR knows host detections.  ",
    )
    cloud = Fake(
        "cloud",
        aggregators=[agg("cloud.controls", "check_compliance")],
        correlations=[cor("exposed_and_failing", "vmdr.detections", "cloud.controls")],
        recognisers=[rec("cloud.arn", priority=90)],
    )
    host = make_host({"vmdr": vmdr, "cloud": cloud})

    assert host.load_errors == ()
    assert [(a.name, a.plugin) for a in host.aggregators] == [
        ("cloud.controls", "cloud"),
        ("vmdr.detections", "vmdr"),
        ("vmdr.kb", "vmdr"),
    ]
    assert [(c.name, c.plugin) for c in host.correlations] == [("exposed_and_failing", "cloud")]
    assert [(r.name, r.plugin) for r in host.recognisers] == [
        ("cloud.arn", "cloud"),
        ("vmdr.cve", "vmdr"),
        ("vmdr.qid", "vmdr"),
    ]
    assert [(p.name, p.plugin) for p in host.prompts] == [("vmdr_triage", "vmdr")]
    assert host.cache_tiers == (TierSpec("vmdr_hosts", 120, description="host list", owner="vmdr"),)
    assert [(w.name, w.plugin, w.max_calls) for w in host.warmups] == [("kb", "vmdr", 5)]
    assert host.instructions() == [("vmdr", "VMDR knows host detections.")]
    assert host.plugins == (
        PluginInfo(
            name="cloud",
            distribution=None,
            version=None,
            source="registered",
            aggregators=("cloud.controls",),
            correlations=("exposed_and_failing",),
            recognisers=("cloud.arn",),
            prompts=(),
            tools=("check_compliance",),
        ),
        PluginInfo(
            name="vmdr",
            distribution=None,
            version=None,
            source="registered",
            aggregators=("vmdr.detections", "vmdr.kb"),
            correlations=(),
            recognisers=("vmdr.qid", "vmdr.cve"),
            prompts=("vmdr_triage",),
            tools=("investigate", "assess_risk"),
        ),
    )


def test_aggregator_lookup_by_name_and_by_tool():
    host = make_host({"vmdr": Fake(aggregators=[agg("vmdr.a", "investigate"), agg("vmdr.b")])})

    assert host.aggregator("vmdr.b").plugin == "vmdr"
    assert [a.name for a in host.aggregators_for("assess_risk")] == ["vmdr.b"]
    assert host.aggregators_for("reports") == ()
    with pytest.raises(ValueError, match=r"unknown aggregator 'vmdr\.c'.*vmdr\.a, vmdr\.b"):
        host.aggregator("vmdr.c")
    with pytest.raises(ValueError, match="unknown tool 'scan'; tools: investigate, "):
        host.aggregators_for("scan")


def test_a_plugin_without_hooks_and_a_module_plugin_load():
    module = types.ModuleType("qualys_module_plugin")

    @hookimpl
    def qualys_register_prompts():
        return (prompt(name) for name in ["one", "two"])

    module.qualys_register_prompts = qualys_register_prompts
    host = make_host({"empty": object(), "mod": module})

    assert [p.name for p in host.plugins] == ["empty", "mod"]
    assert [(p.name, p.plugin) for p in host.prompts] == [("one", "mod"), ("two", "mod")]


def test_simulator_hooks_run_in_plugin_order():
    host = make_host({"b": Fake("b"), "a": Fake("a"), "none": object()})
    tenant: list[str] = []

    host.simulator_tenant(tenant)

    assert tenant == ["a", "b"]
    assert host.simulator_routes(tenant) == ["/a/route/2", "/b/route/2"]


def test_a_simulator_hook_failure_names_the_plugin():
    class Broken:
        @hookimpl
        def qualys_simulator_routes(self, tenant):
            raise KeyError("hosts")

    host = make_host({"ok": Fake("ok"), "broken": Broken()})

    with pytest.raises(KeyError) as raised:
        host.simulator_routes([])
    assert "qualys_simulator_routes() of plugin 'broken'" in raised.value.__notes__[0]


# --- broken plugins ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            Fake(correlations=[cor("shared", "a.x")], aggregators=[agg("a.x")]),
            Fake(correlations=[cor("shared", "a.x")]),
            "correlation 'shared' is already registered by plugin 'a'",
        ),
        (
            Fake(recognisers=[rec("cve")]),
            Fake(recognisers=[rec("cve")]),
            "recogniser 'cve' is already registered by plugin 'a'",
        ),
        (
            Fake(prompts=[prompt("triage")]),
            Fake(prompts=[prompt("triage")]),
            "prompt 'triage' is already registered by plugin 'a'",
        ),
        (
            # Dotted plugin names are the one way two plugins can share an aggregator prefix.
            Fake(aggregators=[agg("a.b.x")]),
            Fake(aggregators=[agg("a.b.x")]),
            "aggregator 'a.b.x' is already registered by plugin 'a'",
        ),
    ],
    ids=["correlation", "recogniser", "prompt", "aggregator"],
)
def test_duplicate_names_skip_the_later_plugin(first, second, message, caplog):
    second_name = "a.b" if "a.b.x" in message else "b"
    plugins = {second_name: second, "a": first, "c": Fake(prompts=[prompt("other")])}

    with pytest.raises(PluginLoadError, match=f"plugin '{second_name}': {message}") as raised:
        make_host(plugins)
    assert raised.value.load_error.plugin == second_name

    host = make_host(plugins, strict=False)
    assert only_error(host) == LoadError(second_name, None, None, message)
    assert [p.name for p in host.plugins] == ["a", "c"]
    assert f"skipping plugin '{second_name}': {message}" in caplog.text


def test_duplicate_names_within_one_plugin():
    host = make_host({"a": Fake(aggregators=[agg("a.x"), agg("a.x")])}, strict=False)

    assert only_error(host).error == "aggregator 'a.x' is registered twice"


def test_a_raising_hook_drops_the_whole_plugin_and_others_keep_working():
    class Raising(Fake):
        @hookimpl
        def qualys_register_prompts(self):
            raise RuntimeError("boom")

    plugins = {
        "bad": Raising("bad", aggregators=[agg("bad.x")]),
        "good": Fake("good", aggregators=[agg("good.x")]),
    }
    host = make_host(plugins, strict=False)

    error = only_error(host)
    assert error.plugin == "bad"
    assert error.error == "qualys_register_prompts() raised RuntimeError: boom"
    assert [a.name for a in host.aggregators] == ["good.x"]
    assert [p.name for p in host.plugins] == ["good"]
    tenant: list[str] = []
    host.simulator_tenant(tenant)
    assert tenant == ["good"]

    with pytest.raises(PluginLoadError, match=r"plugin 'bad': .*boom") as raised:
        make_host(plugins)
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_a_raising_generator_counts_as_a_raising_hook():
    class Generating:
        @hookimpl
        def qualys_register_aggregators(self):
            yield agg("gen.x")
            raise ValueError("half way")

    host = make_host({"gen": Generating()}, strict=False)

    assert only_error(host).error == "qualys_register_aggregators() raised ValueError: half way"
    assert host.aggregators == ()


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (
            Fake(aggregators=[{"name": "p.x"}]),
            "qualys_register_aggregators() returned dict where Aggregator records are expected",
        ),
        (
            Fake(aggregators=[prompt("p.x")]),
            "qualys_register_aggregators() returned PromptSpec where Aggregator records are "
            "expected",
        ),
        (
            Fake(aggregators=agg("p.x")),
            "qualys_register_aggregators() returned Aggregator; return a list (or any iterable)",
        ),
        (
            Fake(prompts="triage"),
            "qualys_register_prompts() returned str; return a list",
        ),
        (
            Fake(tiers=[("t", 10)]),
            "qualys_register_cache_tiers() returned tuple where TierSpec records are expected",
        ),
        (
            Fake(instructions=["text"]),
            "qualys_server_instructions() returned list, not str or None",
        ),
    ],
    ids=["dict", "other-record", "single-record", "string", "tuple-tier", "instructions"],
)
def test_records_of_the_wrong_type_are_load_errors(plugin, message):
    host = make_host({"p": plugin}, strict=False)

    assert only_error(host).error.startswith(message)
    assert host.plugins == ()


def test_a_record_failing_validation_in_the_hook_is_a_load_error():
    class Invalid:
        @hookimpl
        def qualys_register_aggregators(self):
            return [agg("p.Not Valid")]

    host = make_host({"p": Invalid()}, strict=False)

    error = only_error(host).error
    assert error.startswith("qualys_register_aggregators() built an invalid Aggregator record: ")
    assert "name: Value error, 'p.Not Valid' is not a valid name" in error


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (Fake(aggregators=[agg("other.x")]), "aggregator 'other.x' must be named 'p.<name>'"),
        (
            Fake(aggregators=[agg("p.x").model_copy(update={"serves": ()})]),
            "aggregator 'p.x' serves no tool",
        ),
        (
            Fake(aggregators=[agg("p.x").model_copy(update={"fn": lambda ctx: None})]),
            "aggregator 'p.x': fn must be an async function",
        ),
        (
            Fake(recognisers=[rec("r").model_copy(update={"fn": run_aggregator})]),
            "recogniser 'r': fn must be a plain (sync) function",
        ),
        (
            Fake(warmups=[WarmupTask("w", run_warmup, max_calls=0)]),
            "warm-up task 'w': max_calls must be at least 1",
        ),
        (
            Fake(tiers=[TierSpec("kb", 10)]),
            "cache tier 'kb' is declared by 'core' with TTL 3600s, here with 10s",
        ),
    ],
    ids=["prefix", "serves", "sync-aggregator", "async-recogniser", "max-calls", "tier-ttl"],
)
def test_record_rules(plugin, message):
    host = make_host({"p": plugin}, strict=False)

    assert only_error(host).error.startswith(message)


def test_async_callable_objects_count_as_async_and_shared_tiers_are_fine():
    class Callable:
        async def __call__(self, ctx):
            return AggregatorResult()

    plugin = Fake(
        aggregators=[agg("p.x").model_copy(update={"fn": Callable()})],
        tiers=[TierSpec("kb", 3600)],
    )
    host = make_host({"p": plugin})

    assert host.cache_tiers == (TierSpec("kb", 3600, owner="p"),)


def test_a_cache_tier_clash_between_plugins():
    plugins = {"a": Fake(tiers=[TierSpec("hosts", 60)]), "b": Fake(tiers=[TierSpec("hosts", 30)])}

    host = make_host(plugins, strict=False)

    assert only_error(host).plugin == "b"
    assert "cache tier 'hosts' is declared by 'a' with TTL 60s" in only_error(host).error


def test_a_correlation_needing_an_unloaded_plugin_waits_for_it():
    plugins = {
        "a": Fake(aggregators=[agg("a.x")]),
        "b": Fake(correlations=[cor("b_ok", "a.x")]),
        "c": Fake(aggregators=[agg("c.y")], correlations=[cor("c_cross", "c.y", "z.missing")]),
    }

    host = make_host(plugins)  # strict: a cross-product correlation is not an error

    assert host.load_errors == ()
    assert [c.name for c in host.correlations] == ["b_ok"]
    info = {p.name: p for p in host.plugins}
    assert info["c"].aggregators == ("c.y",)
    assert info["c"].correlations == ()
    assert info["c"].dormant_correlations == ("c_cross",)


def test_a_correlation_naming_a_missing_aggregator_of_its_own_plugin_is_a_load_error():
    plugins = {
        "a": Fake(aggregators=[agg("a.x")]),
        "c": Fake(aggregators=[agg("c.y")], correlations=[cor("c_bad", "a.x", "c.typo")]),
    }

    host = make_host(plugins, strict=False)

    assert only_error(host) == LoadError(
        "c",
        None,
        None,
        "correlation 'c_bad' needs aggregators its own plugin does not register: c.typo",
    )
    with pytest.raises(PluginLoadError, match="plugin 'c': correlation 'c_bad'"):
        make_host(plugins)


def test_dropping_a_plugin_leaves_the_correlations_that_needed_it_dormant():
    class Raising(Fake):
        @hookimpl
        def qualys_warmup(self):
            raise RuntimeError("no warm-up")

    plugins = {
        "a": Raising(aggregators=[agg("a.x")]),
        "b": Fake(aggregators=[agg("b.y")], correlations=[cor("b_needs_a", "a.x", "b.y")]),
        "c": Fake(correlations=[cor("c_needs_b", "b.y")]),
    }

    host = make_host(plugins, strict=False)

    assert [e.plugin for e in host.load_errors] == ["a"]
    assert [c.name for c in host.correlations] == ["c_needs_b"]
    assert {p.name: p.dormant_correlations for p in host.plugins} == {
        "b": ("b_needs_a",),
        "c": (),
    }


def test_an_impl_argument_the_spec_lacks_is_a_load_error():
    class ExtraArgument:
        @hookimpl
        def qualys_register_aggregators(self, settings):
            return []

    plugins = {"extra": ExtraArgument(), "ok": Fake("ok")}
    host = make_host(plugins, strict=False)

    error = only_error(host)
    assert error.plugin == "extra"
    assert "{'settings'} are declared in the hookimpl but can not be found" in error.error
    assert [p.name for p in host.plugins] == ["ok"]
    with pytest.raises(PluginLoadError) as raised:
        make_host(plugins)
    assert isinstance(raised.value.__cause__, pluggy.PluginValidationError)


def test_an_impl_of_an_unknown_hook_is_a_load_error():
    class Unknown:
        @hookimpl
        def qualys_unknown_hook(self):
            return []

    class Optional:
        @hookimpl(optionalhook=True)
        def qualys_future_hook(self):
            return []

    host = make_host({"unknown": Unknown(), "optional": Optional()}, strict=False)

    error = only_error(host)
    assert error.plugin == "unknown"
    assert error.error.startswith(
        "implements hooks that have no specification: qualys_unknown_hook"
    )
    assert [p.name for p in host.plugins] == ["optional"]
    with pytest.raises(PluginLoadError, match="qualys_unknown_hook"):
        make_host({"unknown": Unknown()})


def test_one_object_registered_under_two_names():
    plugin = Fake()

    host = make_host({"one": plugin, "two": plugin}, strict=False)

    assert only_error(host) == LoadError(
        "two", None, None, "the same object is already plugin 'one'"
    )


# --- allow and block lists --------------------------------------------------------------


def three_plugins():
    return {name: Fake(name, prompts=[prompt(name)]) for name in ["a", "b", "c"]}


def test_allow_and_block_lists(caplog):
    def loaded(**kwargs):
        return [p.name for p in make_host(three_plugins(), **kwargs).plugins]

    assert loaded() == ["a", "b", "c"]
    assert loaded(allow=["a", "c"]) == ["a", "c"]
    assert loaded(block=["b"]) == ["a", "c"]
    assert loaded(allow=["a", "b"], block=["b"]) == ["a"]
    assert loaded(allow=[]) == []
    assert loaded(allow=["a", "nope"]) == ["a"]
    assert "allowed plugins that are not installed: nope" in caplog.text


def test_the_environment_maps_onto_the_lists_and_strict_mode():
    def loaded(environ):
        host = PluginHost.from_env(environ, load_entrypoints=False, plugins=three_plugins())
        return [p.name for p in host.plugins]

    assert loaded({}) == ["a", "b", "c"]
    assert loaded({"QUALYS_MCP_PLUGINS": " a , c,"}) == ["a", "c"]
    assert loaded({"QUALYS_MCP_PLUGINS": ""}) == ["a", "b", "c"]
    assert loaded({"QUALYS_MCP_DISABLE_PLUGINS": "b,c"}) == ["a"]
    assert loaded({"QUALYS_MCP_PLUGINS": "a,b", "QUALYS_MCP_DISABLE_PLUGINS": "a"}) == ["b"]

    broken = {"bad": Fake(aggregators=[agg("wrong.prefix")])}
    lenient = PluginHost.from_env({"QUALYS_MCP_STRICT_PLUGINS": "0"}, plugins=broken)
    assert only_error(lenient).plugin == "bad"
    with pytest.raises(PluginLoadError, match="plugin 'bad'"):
        PluginHost.from_env({"QUALYS_MCP_STRICT_PLUGINS": "1"}, plugins=broken)
    with pytest.raises(ConfigError, match="QUALYS_MCP_STRICT_PLUGINS='maybe'"):
        PluginHost.from_env({"QUALYS_MCP_STRICT_PLUGINS": "maybe"})


def test_the_default_environment_is_os_environ(monkeypatch):
    monkeypatch.setenv("QUALYS_MCP_PLUGINS", "b")

    host = PluginHost.from_env(load_entrypoints=False, plugins=three_plugins())

    assert [p.name for p in host.plugins] == ["b"]


def test_order_is_by_name_whatever_the_registration_order():
    names = ["m", "c", "x", "a"]
    plugins = {name: Fake(name, aggregators=[agg(f"{name}.agg")]) for name in names}

    host = make_host(plugins)

    assert [p.name for p in host.plugins] == ["a", "c", "m", "x"]
    assert [a.plugin for a in host.aggregators] == ["a", "c", "m", "x"]


# --- entry points -----------------------------------------------------------------------


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Installs fake distributions (dist-info plus modules) on sys.path for one test."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    modules: list[str] = []

    def install(
        dist, *, eps, modules_src, requires=("qualys-mcp-core>=0.1,<0.2",), version="1.0.0"
    ):
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
        metadata += "".join(f"Requires-Dist: {req}\n" for req in requires)
        (info / "METADATA").write_text(metadata)
        lines = "".join(f"{name} = {target}\n" for name, target in eps.items())
        (info / "entry_points.txt").write_text(f"[qualys_mcp.plugins]\n{lines}")
        for module, source in modules_src.items():
            (root / f"{module}.py").write_text(textwrap.dedent(source))
            modules.append(module)
        importlib.invalidate_caches()

    yield install
    for module in modules:
        sys.modules.pop(module, None)
    importlib.invalidate_caches()


GOOD_PLUGIN = """
    from qualys_core.plugins import Aggregator, AggregatorResult, Serves, hookimpl

    async def run(ctx):
        return AggregatorResult()

    @hookimpl
    def qualys_register_aggregators():
        return [Aggregator(name="fake.hosts", title="Fake hosts", fn=run,
                           serves=(Serves(tool="investigate"),), module="VMDR")]
"""


def test_the_installed_product_plugins_load_through_entry_points():
    host = create_plugin_host(strict=True)

    infos = {p.name: p for p in host.plugins}
    assert set(PRODUCTS) <= set(infos)
    for product in PRODUCTS:
        info = infos[product]
        assert info.source == "entry_point"
        assert info.distribution == f"qualys-mcp-{product}"
        assert info.version == importlib.metadata.version(f"qualys-mcp-{product}")
    assert host.load_errors == ()
    assert [p.name for p in host.plugins] == sorted(infos)


def test_a_fake_distribution_is_discovered_and_blockable(site):
    site(
        "qualys-mcp-fake",
        eps={"fake": "qualys_fake_plugin"},
        modules_src={"qualys_fake_plugin": GOOD_PLUGIN},
    )

    host = create_plugin_host(strict=True)
    blocked = create_plugin_host(strict=True, block=["fake"])
    only = create_plugin_host(strict=True, allow=["fake"], plugins={"extra": Fake()})

    info = next(p for p in host.plugins if p.name == "fake")
    assert (info.distribution, info.version, info.source) == (
        "qualys-mcp-fake",
        "1.0.0",
        "entry_point",
    )
    assert info.aggregators == ("fake.hosts",)
    assert info.tools == ("investigate",)
    assert host.aggregator("fake.hosts").plugin == "fake"
    assert "fake" not in [p.name for p in blocked.plugins]
    assert [p.name for p in only.plugins] == ["fake"]


def test_a_plugin_for_another_core_version_is_skipped_before_import(site, caplog):
    site(
        "qualys-mcp-future",
        eps={"future": "qualys_future_plugin"},
        modules_src={"qualys_future_plugin": "raise AssertionError('imported')\n"},
        requires=["httpx", "qualys-mcp-core>=9,<10", 'qualys-mcp-core<0.1; extra == "old"'],
        version="9.0.0",
    )

    host = create_plugin_host(strict=False)

    error = next(e for e in host.load_errors if e.plugin == "future")
    assert (error.distribution, error.version) == ("qualys-mcp-future", "9.0.0")
    assert "requires qualys-mcp-core" in error.error
    assert f"but {qualys_core.__version__} is installed" in error.error
    assert "qualys_future_plugin" not in sys.modules
    assert "skipping plugin 'future' (qualys-mcp-future 9.0.0)" in caplog.text
    assert set(PRODUCTS) <= {p.name for p in host.plugins}
    with pytest.raises(PluginLoadError, match="plugin 'future'"):
        create_plugin_host(strict=True)


def test_a_plugin_that_fails_to_import_is_skipped_with_its_distribution(site, caplog):
    site(
        "qualys-mcp-broken",
        eps={"broken": "qualys_broken_plugin"},
        modules_src={"qualys_broken_plugin": "import qualys_no_such_module\n"},
        version="0.3.1",
    )
    caplog.set_level(logging.WARNING, logger="qualys_core.plugins")

    host = create_plugin_host(strict=False)

    error = next(e for e in host.load_errors if e.plugin == "broken")
    assert error == LoadError(
        "broken",
        "qualys-mcp-broken",
        "0.3.1",
        "cannot import qualys_broken_plugin: ModuleNotFoundError: "
        "No module named 'qualys_no_such_module'",
    )
    (record,) = [r for r in caplog.records if "broken" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "qualys-mcp-broken 0.3.1" in record.getMessage()
    assert set(PRODUCTS) <= {p.name for p in host.plugins}
    with pytest.raises(PluginLoadError) as raised:
        create_plugin_host(strict=True)
    assert isinstance(raised.value.__cause__, ImportError)
    assert create_plugin_host(strict=True, block=["broken"]).load_errors == ()


def test_two_distributions_with_one_entry_point_name(site):
    for dist in ["qualys-mcp-twin-b", "qualys-mcp-twin-a"]:
        module = dist.replace("-", "_")
        site(dist, eps={"twin": module}, modules_src={module: ""})

    host = create_plugin_host(strict=False)

    twin = next(p for p in host.plugins if p.name == "twin")
    assert twin.distribution == "qualys-mcp-twin-a"
    assert [(e.plugin, e.distribution) for e in host.load_errors] == [("twin", "qualys-mcp-twin-b")]
    assert host.load_errors[0].error == "plugin name is already used by qualys-mcp-twin-a"


def test_a_registered_object_cannot_take_an_entry_point_name():
    host = create_plugin_host(strict=False, plugins={"vmdr": Fake()})

    vmdr = next(p for p in host.plugins if p.name == "vmdr")
    assert vmdr.source == "entry_point"
    assert only_error(host) == LoadError(
        "vmdr", None, None, "plugin name is already used by qualys-mcp-vmdr"
    )
