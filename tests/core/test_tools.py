"""Tool parameter models: valid calls, one actionable message per problem, cross-field rules."""

import pytest

from qualys_core.plugins.records import TOOLS
from qualys_core.tools import (
    SCOPES,
    TOOL_MODELS,
    WRITE_ACTIONS,
    AssessRiskParams,
    CacheStatusParams,
    InvestigateParams,
    PlanRemediationParams,
    ReportsParams,
    ToolInputError,
    allowed_values,
    describe,
    requested_write,
    validate_params,
)


def problems(tool, raw):
    with pytest.raises(ToolInputError) as caught:
        validate_params(tool, raw)
    assert caught.value.tool == tool
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


VALID_CALLS = {
    "investigate": {"target": "CVE-2024-3400", "depth": "deep", "scope": "vulns", "limit": 10},
    "assess_risk": {"scope": "cloud", "provider": "aws", "account_id": "123", "sort_by": "qds"},
    "check_compliance": {
        "framework": "PCI DSS",
        "exception_status": "pending",
        "days_to_expiry": 30,
    },
    "plan_remediation": {"scope": "patches", "platform": "windows", "severity": 4, "qids": [38739]},
    "security_overview": {"period": "month", "scope": "certs", "quick": True},
    "reports": {"action": "generate", "template_id": "91", "format": "csv", "title": "Q3"},
    "cache_status": {"clear": True, "tier": "kb"},
}


def test_every_tool_has_a_model_and_a_valid_call():
    assert tuple(TOOL_MODELS) == TOOLS
    assert set(VALID_CALLS) == set(TOOLS)


@pytest.mark.parametrize("tool", TOOLS)
def test_valid_call(tool):
    params = validate_params(tool, VALID_CALLS[tool])
    assert isinstance(params, TOOL_MODELS[tool])
    dumped = params.model_dump()
    for key, value in VALID_CALLS[tool].items():
        assert dumped[key] == value


def test_defaults_of_investigate():
    params = validate_params("investigate", {"target": "  web01  "})
    assert isinstance(params, InvestigateParams)
    assert params.model_dump() == {
        "target": "web01",
        "depth": "standard",
        "scope": "all",
        "tag": None,
        "asset_group": None,
        "threat_type": None,
        "software": None,
        "days": 30,
        "limit": 25,
        "detail": False,
    }


@pytest.mark.parametrize("tool", TOOLS)
def test_every_field_has_a_description(tool):
    schema = TOOL_MODELS[tool].model_json_schema()
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert len(prop.get("description", "")) > 10, name


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_parameter_names_the_real_ones(tool):
    raw = {**VALID_CALLS[tool], "bogus_param": 1}
    names = ", ".join(TOOL_MODELS[tool].model_fields)
    assert problems(tool, raw) == [
        f"unknown parameter 'bogus_param'; parameters of {tool} are: {names}"
    ]


def test_unknown_parameter_suggests_a_close_name():
    assert problems("investigate", {"target": "x", "scopes": "all"}) == [
        "unknown parameter 'scopes' (did you mean 'scope'?); parameters of investigate are: "
        "target, depth, scope, tag, asset_group, threat_type, software, days, limit, detail"
    ]


def test_unknown_tool():
    assert problems("nope", {}) == [
        "unknown tool 'nope'; tools are: investigate, assess_risk, check_compliance, "
        "plan_remediation, security_overview, reports, cache_status"
    ]


def test_missing_and_empty_target():
    hint = "(a CVE id, QID, IP, hostname, asset id, threat name or free text)"
    assert problems("investigate", {}) == [f"target: required {hint}"]
    assert problems("investigate", {"target": None}) == [f"target: required {hint}"]
    assert problems("investigate", {"target": "   "}) == [f"target: must not be empty {hint}"]
    assert problems("investigate", {"target": "x" * 501}) == [
        "target: at most 500 characters (got 501)"
    ]


@pytest.mark.parametrize(
    ("tool", "raw", "message"),
    [
        (
            "investigate",
            {"target": "x", "depth": "fast"},
            "depth: 'fast' is not allowed; use one of quick, standard, deep",
        ),
        (
            "investigate",
            {"target": "x", "scope": "cloud"},
            "scope: 'cloud' is not allowed; use one of all, vulns, threats, assets, edr, fim",
        ),
        (
            "assess_risk",
            {"provider": "ibm"},
            "provider: 'ibm' is not allowed; use one of aws, azure, gcp, oci",
        ),
        (
            "assess_risk",
            {"sort_by": "name"},
            "sort_by: 'name' is not allowed; use one of risk, severity, qds, last_seen",
        ),
        (
            "check_compliance",
            {"exception_status": "open"},
            "exception_status: 'open' is not allowed; use one of pending, approved, rejected, "
            "expired, all",
        ),
        (
            "plan_remediation",
            {"platform": "bsd"},
            "platform: 'bsd' is not allowed; use one of windows, linux, mac",
        ),
        (
            "security_overview",
            {"period": "year"},
            "period: 'year' is not allowed; use one of today, week, month",
        ),
        (
            "reports",
            {"format": "rtf"},
            "format: 'rtf' is not allowed; use one of pdf, html, csv, xml, docx",
        ),
        (
            "reports",
            {"action": "email"},
            "action: 'email' is not allowed; use one of list, templates, generate, status, "
            "download, delete",
        ),
    ],
)
def test_literal_errors_list_the_allowed_values(tool, raw, message):
    assert problems(tool, raw) == [message]


@pytest.mark.parametrize(
    ("tool", "raw", "message"),
    [
        ("investigate", {"target": "x", "limit": 0}, "limit: must be between 1 and 500 (got 0)"),
        (
            "investigate",
            {"target": "x", "limit": 501},
            "limit: must be between 1 and 500 (got 501)",
        ),
        ("assess_risk", {"days": 366}, "days: must be between 1 and 365 (got 366)"),
        (
            "check_compliance",
            {"days_to_expiry": 0},
            "days_to_expiry: must be between 1 and 365 (got 0)",
        ),
        ("plan_remediation", {"severity": 6}, "severity: must be between 1 and 5 (got 6)"),
        ("plan_remediation", {"qids": [1, 0]}, "qids[1]: must be at least 1 (got 0)"),
    ],
)
def test_range_errors(tool, raw, message):
    assert problems(tool, raw) == [message]


def test_type_errors():
    assert problems("investigate", {"target": "x", "limit": "ten"}) == [
        "limit: must be a whole number (got 'ten')"
    ]
    assert problems("investigate", {"target": "x", "days": 2.5}) == [
        "days: must be a whole number (got 2.5)"
    ]
    assert problems("investigate", {"target": "x", "detail": "maybe"}) == [
        "detail: must be true or false (got 'maybe')"
    ]
    assert problems("investigate", {"target": 42}) == ["target: must be text (got 42)"]
    assert problems("plan_remediation", {"qids": [1, "x"]}) == [
        "qids[1]: must be a whole number (got 'x')"
    ]
    assert problems("plan_remediation", {"qids": {"a": 1}}) == [
        "qids: must be a list (got {'a': 1})"
    ]


def test_several_problems_one_line_each():
    assert problems("investigate", {"depth": "fast", "limit": 0, "extra": 1}) == [
        "target: required (a CVE id, QID, IP, hostname, asset id, threat name or free text)",
        "depth: 'fast' is not allowed; use one of quick, standard, deep",
        "limit: must be between 1 and 500 (got 0)",
        "unknown parameter 'extra'; parameters of investigate are: target, depth, scope, tag, "
        "asset_group, threat_type, software, days, limit, detail",
    ]


def test_messages_never_contain_pydantic_text():
    message = "\n".join(
        problems("assess_risk", {"scope": 3, "limit": "x", "provider": "ibm", "nope": None})
    )
    for noise in ("validation error", "pydantic", "For further information", "input_value"):
        assert noise not in message


def test_cves_are_normalised_and_validated():
    params = validate_params("plan_remediation", {"cves": [" cve-2024-3400", "CVE-2023-44487"]})
    assert isinstance(params, PlanRemediationParams)
    assert params.cves == ["CVE-2024-3400", "CVE-2023-44487"]
    assert problems("plan_remediation", {"cves": ["CVE-2024-3400", "CVE-24-1"]}) == [
        "cves: 'CVE-24-1' is not a CVE id (expected CVE-YYYY-NNNN)"
    ]


def test_lists_accept_comma_separated_text():
    params = validate_params(
        "plan_remediation", {"cves": "cve-2024-3400, CVE-2021-44228", "qids": "38739 91234"}
    )
    assert isinstance(params, PlanRemediationParams)
    assert params.cves == ["CVE-2024-3400", "CVE-2021-44228"]
    assert params.qids == [38739, 91234]


def test_list_sizes_are_capped():
    assert problems("plan_remediation", {"qids": list(range(1, 202))}) == [
        "qids: at most 200 items (got 201)"
    ]
    cves = [f"CVE-2024-{n:04d}" for n in range(1000, 1101)]
    assert problems("plan_remediation", {"cves": cves}) == ["cves: at most 100 items (got 101)"]


def test_leniency_null_means_default_and_enums_ignore_case():
    params = validate_params("assess_risk", {"provider": "AWS", "scope": " Cloud ", "limit": None})
    assert isinstance(params, AssessRiskParams)
    assert (params.provider, params.scope, params.limit) == ("aws", "cloud", 25)
    params = validate_params("assess_risk", {"tag": "   ", "provider": None})
    assert isinstance(params, AssessRiskParams)
    assert (params.tag, params.provider) == (None, None)


@pytest.mark.parametrize("action", ["status", "download", "delete"])
def test_report_actions_need_a_report_id(action):
    assert problems("reports", {"action": action}) == [
        f"report_id: required when action is '{action}' (get ids with action 'list')"
    ]
    params = validate_params("reports", {"action": action, "report_id": "7"})
    assert isinstance(params, ReportsParams)
    assert params.report_id == "7"


def test_generate_needs_a_template_id():
    assert problems("reports", {"action": "generate", "report_id": "7"}) == [
        "template_id: required when action is 'generate' (get ids with action 'templates')"
    ]
    assert validate_params("reports", {"action": "list"}).model_dump()["action"] == "list"


def test_allowed_values_and_scopes():
    assert allowed_values("investigate", "depth") == ("quick", "standard", "deep")
    assert allowed_values("assess_risk", "provider") == ("aws", "azure", "gcp", "oci")
    assert allowed_values("investigate", "target") is None
    assert allowed_values("investigate", "nope") is None
    assert allowed_values("nope", "depth") is None
    assert SCOPES["assess_risk"] == (
        "all",
        "vms",
        "cloud",
        "containers",
        "web",
        "certs",
        "saas",
        "ai",
        "assets",
    )
    assert SCOPES["plan_remediation"] == ("all", "patches", "mitigations", "program")
    assert SCOPES["check_compliance"] == ()
    assert set(SCOPES) == set(TOOLS)


def test_write_actions():
    assert WRITE_ACTIONS == {"reports": ("generate", "delete"), "cache_status": ("clear",)}
    assert requested_write("reports", ReportsParams(action="delete", report_id="1")) == "delete"
    assert requested_write("reports", ReportsParams(action="download", report_id="1")) is None
    assert requested_write("cache_status", CacheStatusParams(clear=True)) == "clear"
    assert requested_write("cache_status", CacheStatusParams()) is None


@pytest.mark.parametrize("tool", TOOLS)
def test_descriptions(tool):
    text = describe(tool)
    assert 60 < len(text) < 500
    assert text.count(". ") <= 3
    assert ("writes allowed" in text) == (tool in WRITE_ACTIONS)


def test_describe_unknown_tool():
    with pytest.raises(ToolInputError, match="unknown tool 'x'"):
        describe("x")
