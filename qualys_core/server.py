"""The MCP server: the seven tools, their annotations, prompts and instructions, on mcp 2.x.

Tools validate their own arguments (for short, actionable errors instead of pydantic dumps),
report progress as each source finishes, and return the envelope twice: as markdown text for
the analyst and as structured content for programs. Write actions exist in the schema and
are allowed only when the server was started with writes allowed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts import Prompt
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from qualys_core.__about__ import __version__
from qualys_core.engine.dispatch import Outcome
from qualys_core.engine.envelope import Envelope
from qualys_core.engine.render import render_markdown
from qualys_core.engine.workflow import Engine
from qualys_core.plugins.records import TOOLS, PromptSpec
from qualys_core.prompts import CORE_PROMPTS
from qualys_core.tools import TOOL_MODELS, ToolInputError, describe

__all__ = ["INSTRUCTIONS_LIMIT", "build_instructions", "build_server"]

log = logging.getLogger("qualys_core.server")

INSTRUCTIONS_LIMIT = 2048
_CORE_INSTRUCTIONS = (
    "Qualys security tools. Start with security_overview for a briefing, investigate for one "
    "CVE, QID, host, IP or threat, assess_risk for a risk ranking by scope, check_compliance "
    "for frameworks and exceptions, plan_remediation for what to fix first. Each answer lists "
    "its sources: a source marked not_licensed, timeout or unavailable did not contribute."
)
_DEMO_NOTE = (
    "DEMO MODE: no Qualys credentials are configured; every answer comes from a synthetic "
    "demo tenant, not a real subscription."
)


def build_instructions(engine: Engine) -> str:
    """Core guidance plus each plugin's fragment, kept under INSTRUCTIONS_LIMIT characters."""
    parts = [_DEMO_NOTE] if engine.demo else []
    parts.append(_CORE_INSTRUCTIONS)
    for plugin, fragment in engine.host.instructions():
        candidate = f"{plugin}: {fragment.strip()}"
        if len("\n".join([*parts, candidate])) > INSTRUCTIONS_LIMIT:
            log.warning("server instructions full: leaving out the fragment of %s", plugin)
            continue
        parts.append(candidate)
    return "\n".join(parts)


class _WorkflowTool(Tool):
    """A Tool whose raw arguments go straight to the engine, which validates them itself."""

    handler: Callable[[dict[str, Any], Context[Any, Any]], Awaitable[CallToolResult]] = Field(
        exclude=True
    )

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        result = await self.handler(arguments, context)
        return self.fn_metadata.convert_result(result) if convert_result else result


async def _envelope_signature(ctx: Context[Any, Any]) -> Annotated[CallToolResult, Envelope]:
    """Gives every tool the Envelope as its output schema; never called."""
    raise NotImplementedError


def _schema(tool: str, allow_writes: bool) -> dict[str, Any]:
    schema = copy.deepcopy(TOOL_MODELS[tool].model_json_schema())
    if allow_writes:
        return schema
    properties = schema.get("properties", {})
    if tool == "reports":
        action = properties.get("action", {})
        if "enum" in action:
            action["enum"] = [a for a in action["enum"] if a not in ("generate", "delete")]
    if tool == "cache_status":
        properties.pop("clear", None)
    return schema


def _annotations(tool: str, allow_writes: bool) -> ToolAnnotations:
    if allow_writes and tool == "reports":
        return ToolAnnotations(
            title="Qualys reports (can generate and delete)",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=False,
            open_world_hint=True,
        )
    if allow_writes and tool == "cache_status":
        return ToolAnnotations(
            title="Cache status (can clear)",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        )
    return ToolAnnotations(
        title=tool.replace("_", " ").capitalize(),
        read_only_hint=True,
        open_world_hint=tool != "cache_status",
    )


def _error(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def _tool(engine: Engine, name: str) -> Tool:
    async def handle(arguments: dict[str, Any], ctx: Context[Any, Any]) -> CallToolResult:
        async def progress(outcome: Outcome, done: int, total: int) -> None:
            await ctx.report_progress(
                done, total, message=f"{outcome.aggregator.title}: {outcome.status}"
            )

        try:
            envelope = await engine.call(name, arguments or {}, progress=progress)
        except ToolInputError as exc:
            return _error(f"Invalid arguments for {name}:\n{exc}")
        except Exception:
            log.exception("tool %s failed", name)
            return _error(f"{name} failed inside the server; the log on stderr has the details.")
        return CallToolResult(
            content=[TextContent(type="text", text=render_markdown(envelope))],
            structured_content=envelope.model_dump(mode="json"),
        )

    base = Tool.from_function(_envelope_signature, name=name, structured_output=True)
    return _WorkflowTool(
        fn=base.fn,
        name=name,
        title=_annotations(name, engine.allow_writes).title,
        description=describe(name),
        parameters=_schema(name, engine.allow_writes),
        fn_metadata=base.fn_metadata,
        is_async=True,
        context_kwarg=base.context_kwarg,
        annotations=_annotations(name, engine.allow_writes),
        handler=handle,
    )


def _prompt(spec: PromptSpec) -> Prompt:
    return Prompt.from_function(spec.fn, name=spec.name, description=spec.description)


def build_server(engine: Engine) -> MCPServer:
    """The MCP server for `engine`: seven tools, prompts from core and plugins, instructions."""
    tools = [_tool(engine, name) for name in TOOLS]
    server: MCPServer = MCPServer(
        "qualys",
        instructions=build_instructions(engine),
        version=__version__,
        tools=tools,
    )
    names: set[str] = set()
    for spec in (*CORE_PROMPTS, *engine.host.prompts):
        if spec.name in names:
            log.warning("prompt %s from %s ignored: the name is taken", spec.name, spec.plugin)
            continue
        names.add(spec.name)
        server.add_prompt(_prompt(spec))
    return server
