"""Parameters of the seven MCP tools: pydantic models, actionable validation errors, descriptions.

The models are the tools' MCP input schemas, so every field says what it means and which values
it takes. `validate_params` turns pydantic's errors into one short line per problem that names
the parameter and what it accepts, so that the caller (usually an LLM) can correct the call.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo

__all__ = [
    "SCOPES",
    "TOOL_MODELS",
    "WRITE_ACTIONS",
    "AssessRiskParams",
    "CacheStatusParams",
    "CheckComplianceParams",
    "InvestigateParams",
    "PlanRemediationParams",
    "ReportsParams",
    "SecurityOverviewParams",
    "ToolInputError",
    "allowed_values",
    "describe",
    "requested_write",
    "validate_params",
]

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
_TARGET_HINT = "a CVE id, QID, IP, hostname, asset id, threat name or free text"


class ToolInputError(Exception):
    """A tool was called with bad parameters; the message has one actionable line per problem."""

    def __init__(self, problems: str | Sequence[str], *, tool: str | None = None) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        self.tool = tool
        super().__init__("\n".join(self.problems))


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def _split_list(value: Any) -> Any:
    # LLMs often send "CVE-2024-1, CVE-2024-2" or a single value where a list is expected.
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return value


def _cve_id(value: str) -> str:
    normalized = value.strip().upper()
    if not _CVE.match(normalized):
        raise ValueError(f"{value!r} is not a CVE id (expected CVE-YYYY-NNNN)")
    return normalized


def _name(description: str, max_length: int = 200) -> Any:
    """An optional free-text filter; blank means not given."""
    return Field(None, description=description, max_length=max_length)


_Text = Annotated[str | None, AfterValidator(_blank_to_none)]
_TAG = "Only assets carrying this Qualys tag (tag name, e.g. 'Production' or 'PCI')."
_GROUP = "Only assets in this Qualys asset group (name or id)."
_LIMIT = "Most records to return per data source (1-500); lower it for shorter answers."
_DETAIL = "true returns full records; false (default) returns compact summaries."
_DAYS = "Look-back window in days (1-365)."


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        """Read null as "use the default" and enumeration values in any case."""
        if not isinstance(data, Mapping):
            return data
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            if field is not None:
                if value is None and field.default is not None:
                    continue
                if isinstance(value, str) and _choices(field.annotation) is not None:
                    value = value.strip().lower()
            cleaned[key] = value
        return cleaned


class InvestigateParams(_Params):
    target: str = Field(
        min_length=1,
        max_length=500,
        description="What to investigate: a CVE id (CVE-2024-3400), a QID (38739 or 'qid:38739'), "
        "an IP, a hostname, an asset id ('asset:123456789'), a threat ('ransomware', 'CISA KEV', "
        "'LockBit'), a software name ('openssl') or free text.",
    )
    depth: Literal["quick", "standard", "deep"] = Field(
        "standard",
        description="quick: key facts only; standard: usual sources; deep: every source.",
    )
    scope: Literal["all", "vulns", "threats", "assets", "edr", "fim"] = Field(
        "all",
        description="Restrict to one kind of data: vulns, threats, assets, edr or fim events.",
    )
    tag: _Text = _name(_TAG)
    asset_group: _Text = _name(_GROUP)
    threat_type: _Text = _name(
        "Qualys threat tag to filter on, e.g. 'Ransomware', 'Active_Attacks', 'Zero_Day'."
    )
    software: _Text = _name("Only findings on this software, e.g. 'openssl' or 'Apache Tomcat'.")
    days: int = Field(30, ge=1, le=365, description=_DAYS)
    limit: int = Field(25, ge=1, le=500, description=_LIMIT)
    detail: bool = Field(False, description=_DETAIL)


class AssessRiskParams(_Params):
    scope: Literal["all", "vms", "cloud", "containers", "web", "certs", "saas", "ai", "assets"] = (
        Field(
            "all",
            description="Which estate to assess: vms (host vulnerabilities), cloud, containers, "
            "web (web apps), certs (certificates), saas, ai (AI models), assets, or all.",
        )
    )
    tag: _Text = _name(_TAG)
    asset_group: _Text = _name(_GROUP)
    asset_id: _Text = _name("Assess one asset by its Qualys asset id.")
    provider: Literal["aws", "azure", "gcp", "oci"] | None = Field(
        None, description="Cloud provider, for scope cloud; omit for every provider."
    )
    account_id: _Text = _name("Cloud account / subscription / project id, for scope cloud.")
    service: _Text = _name("Cloud service, e.g. 'S3', 'EC2', 'Storage Account', for scope cloud.")
    image_id: _Text = _name("Container image id or sha, for scope containers.")
    days: int = Field(30, ge=1, le=365, description=_DAYS)
    limit: int = Field(25, ge=1, le=500, description=_LIMIT)
    detail: bool = Field(False, description=_DETAIL)
    sort_by: Literal["risk", "severity", "qds", "last_seen"] = Field(
        "risk",
        description="Order of results: risk (TruRisk), severity, qds (detection score), last_seen.",
    )


class CheckComplianceParams(_Params):
    framework: _Text = _name(
        "Compliance framework in free text, e.g. 'PCI DSS', 'CIS', 'NIST 800-53', 'HIPAA', "
        "'ISO 27001', 'SOC 2'; omit for overall posture.",
        100,
    )
    platform: _Text = _name(
        "Only policies for this platform, e.g. 'Windows Server 2019', 'RHEL 9'."
    )
    tag: _Text = _name(_TAG)
    asset_group: _Text = _name(_GROUP)
    include_exceptions: bool = Field(True, description="Include risk acceptances (exceptions).")
    exception_status: Literal["pending", "approved", "rejected", "expired", "all"] = Field(
        "all", description="Which exceptions to include, by status."
    )
    days_to_expiry: int | None = Field(
        None, ge=1, le=365, description="Only exceptions expiring within this many days (1-365)."
    )
    limit: int = Field(25, ge=1, le=500, description=_LIMIT)
    detail: bool = Field(False, description=_DETAIL)


class PlanRemediationParams(_Params):
    scope: Literal["all", "patches", "mitigations", "program"] = Field(
        "all",
        description="patches: what to patch first and deployment status; mitigations: "
        "workarounds where no patch exists; program: remediation progress and SLAs; or all.",
    )
    tag: _Text = _name(_TAG)
    asset_group: _Text = _name(_GROUP)
    platform: Literal["windows", "linux", "mac"] | None = Field(
        None, description="Only patches for this operating system family."
    )
    severity: int | None = Field(
        None, ge=1, le=5, description="Minimum Qualys severity (1-5; 5 is most severe)."
    )
    qids: Annotated[
        list[Annotated[int, Field(ge=1)]] | None,
        BeforeValidator(_split_list),
        Field(max_length=200),
    ] = Field(None, description="Plan for these QIDs only (up to 200), e.g. [38739, 91234].")
    cves: Annotated[
        list[Annotated[str, AfterValidator(_cve_id)]] | None,
        BeforeValidator(_split_list),
        Field(max_length=100),
    ] = Field(None, description="Plan for these CVE ids only (up to 100), e.g. ['CVE-2024-3400'].")
    limit: int = Field(25, ge=1, le=500, description=_LIMIT)
    detail: bool = Field(False, description=_DETAIL)


class SecurityOverviewParams(_Params):
    period: Literal["today", "week", "month"] = Field(
        "week", description="Briefing period: today, week or month."
    )
    scope: Literal[
        "all", "vulns", "cloud", "containers", "web", "certs", "saas", "ai", "assets"
    ] = Field("all", description="Restrict the briefing to one area, or all.")
    quick: bool = Field(False, description="true for headline numbers only (fastest).")
    tag: _Text = _name(_TAG)
    asset_group: _Text = _name(_GROUP)
    limit: int = Field(25, ge=1, le=500, description=_LIMIT)
    detail: bool = Field(False, description=_DETAIL)


class ReportsParams(_Params):
    action: Literal["list", "templates", "generate", "status", "download", "delete"] = Field(
        "list",
        description="list reports, list templates, generate a report from a template, check the "
        "status of, download or delete a report.",
    )
    report_id: _Text = _name("Report id (from action list); needed by status, download, delete.")
    template_id: _Text = _name("Template id (from action templates); needed by generate.")
    format: Literal["pdf", "html", "csv", "xml", "docx"] = Field(
        "pdf", description="Output format, for generate."
    )
    title: _Text = _name("Title of the generated report, for generate.")
    output_path: _Text = _name("Where to save the file, for download.", 1000)
    limit: int = Field(25, ge=1, le=500, description="Most reports or templates to list (1-500).")

    @model_validator(mode="after")
    def _needs_ids(self) -> ReportsParams:
        problems = []
        if self.action in ("status", "download", "delete") and not self.report_id:
            problems.append(
                f"report_id: required when action is '{self.action}' (get ids with action 'list')"
            )
        if self.action == "generate" and not self.template_id:
            problems.append(
                "template_id: required when action is 'generate' (get ids with action 'templates')"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class CacheStatusParams(_Params):
    clear: bool = Field(False, description="true empties the caches (needs writes allowed).")
    tier: _Text = _name("Only this cache tier, e.g. 'kb' or 'detections'; omit for every tier.")


TOOL_MODELS: Mapping[str, type[BaseModel]] = types.MappingProxyType(
    {
        "investigate": InvestigateParams,
        "assess_risk": AssessRiskParams,
        "check_compliance": CheckComplianceParams,
        "plan_remediation": PlanRemediationParams,
        "security_overview": SecurityOverviewParams,
        "reports": ReportsParams,
        "cache_status": CacheStatusParams,
    }
)
WRITE_ACTIONS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {"reports": ("generate", "delete"), "cache_status": ("clear",)}
)


def _choices(annotation: Any) -> tuple[str, ...] | None:
    """The values of a Literal annotation, also inside Optional and Annotated."""
    origin = get_origin(annotation)
    if origin is Literal:
        return tuple(str(arg) for arg in get_args(annotation))
    if origin is Annotated:
        return _choices(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        for arg in get_args(annotation):
            found = _choices(arg)
            if found is not None:
                return found
    return None


def _model(tool: str) -> type[BaseModel]:
    try:
        return TOOL_MODELS[tool]
    except KeyError:
        raise ToolInputError(
            f"unknown tool {tool!r}; tools are: {', '.join(TOOL_MODELS)}", tool=tool
        ) from None


def allowed_values(tool: str, param: str) -> tuple[str, ...] | None:
    """The values an enumerated parameter accepts, or None for a free or unknown parameter."""
    field = TOOL_MODELS[tool].model_fields.get(param) if tool in TOOL_MODELS else None
    return None if field is None else _choices(field.annotation)


SCOPES: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {tool: allowed_values(tool, "scope") or () for tool in TOOL_MODELS}
)


def requested_write(tool: str, params: BaseModel) -> str | None:
    """The write action these validated parameters ask for ('generate', 'clear'...), if any."""
    if isinstance(params, ReportsParams) and params.action in WRITE_ACTIONS["reports"]:
        return params.action
    if isinstance(params, CacheStatusParams) and params.clear:
        return "clear"
    return None


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounds(field: FieldInfo | None, ctx: Mapping[str, Any]) -> tuple[Any, Any]:
    low, high = ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt"))
    for item in field.metadata if field is not None else ():
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _explain(tool: str, model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """One actionable line for one pydantic error."""
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    value = error.get("input")
    if not loc:
        return str(ctx.get("error", error["msg"]))
    param = str(loc[0])
    where = param + "".join(f"[{part}]" for part in loc[1:] if isinstance(part, int))
    field = model.model_fields.get(param)
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(param, model.model_fields, n=1)
        guess = f" (did you mean '{close[0]}'?)" if close else ""
        names = ", ".join(model.model_fields)
        return f"unknown parameter '{param}'{guess}; parameters of {tool} are: {names}"
    if kind == "missing":
        return f"{param}: required ({_TARGET_HINT})" if param == "target" else f"{param}: required"
    if kind in ("literal_error", "enum"):
        choices = ", ".join(_choices(field.annotation) or ()) if field else ""
        return f"{where}: {_show(value)} is not allowed; use one of {choices}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(field if where == param else None, ctx)
        if low is not None and high is not None:
            return f"{where}: must be between {low} and {high} (got {_show(value)})"
        limit = f"at least {low}" if low is not None else f"at most {high}"
        return f"{where}: must be {limit} (got {_show(value)})"
    if kind == "string_too_short":
        hint = f" ({_TARGET_HINT})" if param == "target" else ""
        return f"{where}: must not be empty{hint}"
    if kind == "string_too_long":
        return f"{where}: at most {ctx['max_length']} characters (got {len(str(value))})"
    if kind == "too_long":
        return f"{where}: at most {ctx['max_length']} items (got {ctx['actual_length']})"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{where}: must be a whole number (got {_show(value)})"
    if kind in ("bool_parsing", "bool_type"):
        return f"{where}: must be true or false (got {_show(value)})"
    if kind == "string_type":
        return f"{where}: must be text (got {_show(value)})"
    if kind == "list_type":
        return f"{where}: must be a list (got {_show(value)})"
    if kind == "value_error":
        return f"{param}: {ctx.get('error', error['msg'])}"
    return f"{where}: {error['msg']}"


def validate_params(tool: str, raw: Mapping[str, Any]) -> BaseModel:
    """Validate a tool's arguments; raises ToolInputError with one line per problem."""
    model = _model(tool)
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        lines = [_explain(tool, model, error) for error in exc.errors(include_url=False)]
        # One cross-field error may hold several lines; keep each problem once, in order.
        problems = dict.fromkeys(line for text in lines for line in text.split("\n"))
        raise ToolInputError(list(problems), tool=tool) from None


_DESCRIPTIONS: Mapping[str, str] = types.MappingProxyType(
    {
        "investigate": "Investigate one thing across every Qualys source: a CVE, QID, asset "
        "(IP, hostname or id), threat (ransomware, CISA KEV, an actor such as LockBit), "
        "software or free text. Use it for questions like 'are we exposed to CVE-2024-3400?' "
        "or 'what is wrong with web01?'.",
        "assess_risk": "Assess risk across an estate: host vulnerabilities, cloud (AWS, Azure, "
        "GCP, OCI), containers, web apps, certificates, SaaS, AI models or assets, ranked by "
        "TruRisk. Use it for 'where is our biggest risk?' or 'how risky is our AWS account?'.",
        "check_compliance": "Check compliance posture against a framework (PCI DSS, CIS, NIST "
        "800-53, HIPAA, ISO 27001, SOC 2): failing controls, policies and risk acceptances "
        "(exceptions) with their expiry. Use it for 'are we PCI compliant?' or 'which "
        "exceptions expire this month?'.",
        "plan_remediation": "Plan remediation: which patches to deploy first, patch deployment "
        "status, mitigations where no patch exists, and program progress. Use it for 'what "
        "should we patch first on Windows?' or for a list of CVEs or QIDs.",
        "security_overview": "A security briefing for today, the week or the month: headline "
        "risk, new critical findings, scanner health and trends across products. Use it for "
        "'give me this week's security summary'; quick=true for the fastest answer.",
        "reports": "List Qualys reports and templates, check a report's status, download it, "
        "or generate and delete reports. generate and delete change your subscription and "
        "work only when the server was started with writes allowed.",
        "cache_status": "Show the server's caches: tiers, sizes, hit rates and time-to-live. "
        "clear=true empties them (or one tier) and works only when the server was started "
        "with writes allowed.",
    }
)


def describe(tool: str) -> str:
    """The MCP tool description: what the tool answers and when to use it."""
    _model(tool)
    return _DESCRIPTIONS[tool]
