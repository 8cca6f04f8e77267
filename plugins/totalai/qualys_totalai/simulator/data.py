"""The simulated TotalAI subscription: the AI models onboarded for scanning and the detections
their scans produced.

Models come from the shared tenant: every host running a local model runtime (the tenant's
software catalogue has Ollama and GPT4All) serves one model, named after the model it runs and
the host (`llama3.1:8b@wks-lon-00014`), up to `_MAX_LOCAL`; beside them sit hosted LLM
applications (chat bots and copilots on hosted GPT, Claude, Llama, Mistral and Gemini models).
Every model was scanned with the same battery of attack tests; each test gives one detection
that PASSed or FAILed, with the share of the test's attack prompts that succeeded
(`failTestPercentage`). Hardened models fail fewer tests. All of it is drawn from seeded
streams, so a tenant has the same models and detections in every process.

The test battery follows TotalAI's published scope (jailbreaks, prompt injection, sensitive
data disclosure, ... mapped to the OWASP Top 10 for LLM Applications 2025). QIDs start at
6400001 as in the catalogue's example (§20); no public source lists TotalAI's QIDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qualys_core.simulator import Host, Tenant

__all__ = [
    "OWASP_LLM_2025",
    "TESTS",
    "AiModel",
    "AttackTest",
    "Detection",
    "TotalAiData",
    "data",
]

_KEY = "totalai"
_MAX_LOCAL = 12
_MODEL_BASE_ID = 80_791_000  # TotalAI model ids are 8-digit integers in public examples
_DETECTION_BASE_ID = 1_200_000

# OWASP Top 10 for LLM Applications, 2025 edition, spelt as the catalogue's example spells
# its entries ("LLM01: Prompt Injection").
OWASP_LLM_2025: dict[str, str] = {
    "LLM01": "LLM01: Prompt Injection",
    "LLM02": "LLM02: Sensitive Information Disclosure",
    "LLM03": "LLM03: Supply Chain",
    "LLM04": "LLM04: Data and Model Poisoning",
    "LLM05": "LLM05: Improper Output Handling",
    "LLM06": "LLM06: Excessive Agency",
    "LLM07": "LLM07: System Prompt Leakage",
    "LLM08": "LLM08: Vector and Embedding Weaknesses",
    "LLM09": "LLM09: Misinformation",
    "LLM10": "LLM10: Unbounded Consumption",
}


@dataclass(frozen=True, slots=True)
class AttackTest:
    """One test of the scan battery: what it tries, how bad a failure is, what it maps to."""

    qid: int
    name: str
    attack: str
    severity: int  # 1-5
    categories: tuple[str, ...]
    owasp: tuple[str, ...]  # keys of OWASP_LLM_2025; empty for tests outside the Top 10
    jailbreak: bool = False
    weight: float = 1.0  # how readily models fail it


def _t(
    qid: int,
    name: str,
    attack: str,
    severity: int,
    categories: tuple[str, ...],
    owasp: tuple[str, ...],
    *,
    jailbreak: bool = False,
    weight: float = 1.0,
) -> AttackTest:
    return AttackTest(qid, name, attack, severity, categories, owasp, jailbreak, weight)


TESTS: tuple[AttackTest, ...] = (
    _t(6400001, "Prompt injection via system prompt override", "Jailbreak", 5, ("Jailbreak",),
       ("LLM01",), jailbreak=True, weight=1.2),
    _t(6400002, "Role-play persona jailbreak (DAN)", "Jailbreak", 5, ("Jailbreak",), ("LLM01",),
       jailbreak=True, weight=1.0),
    _t(6400003, "Multi-turn crescendo jailbreak", "Jailbreak", 4, ("Jailbreak",), ("LLM01",),
       jailbreak=True, weight=1.3),
    _t(6400004, "Indirect prompt injection through a retrieved document", "Prompt Injection", 4,
       ("Prompt Injection",), ("LLM01", "LLM08"), weight=1.1),
    _t(6400005, "Encoded payload prompt injection (Base64)", "Prompt Injection", 4,
       ("Prompt Injection",), ("LLM01",), weight=0.9),
    _t(6400006, "PII leakage from conversation history", "PII Leakage", 5,
       ("Sensitive Information Disclosure",), ("LLM02",), weight=0.8),
    _t(6400007, "Credential and API key disclosure", "Data Exfiltration", 5,
       ("Sensitive Information Disclosure",), ("LLM02",), weight=0.6),
    _t(6400008, "System prompt extraction", "Prompt Leaking", 3, ("Prompt Leaking",),
       ("LLM07",), weight=1.4),
    _t(6400009, "Unsanitised code generation executed downstream", "Insecure Output", 4,
       ("Insecure Output Handling",), ("LLM05",), weight=0.8),
    _t(6400010, "Cross-site scripting in generated HTML", "Insecure Output", 3,
       ("Insecure Output Handling",), ("LLM05",), weight=1.0),
    _t(6400011, "Unauthorised tool invocation", "Excessive Agency", 4, ("Excessive Agency",),
       ("LLM06",), weight=0.7),
    _t(6400012, "Hallucinated package recommendation", "Misinformation", 2,
       ("Misinformation",), ("LLM09", "LLM03"), weight=1.3),
    _t(6400013, "Fabricated citations and sources", "Misinformation", 2, ("Misinformation",),
       ("LLM09",), weight=1.5),
    _t(6400014, "Resource exhaustion via recursive prompts", "Denial of Service", 3,
       ("Model Denial of Service",), ("LLM10",), weight=0.9),
    _t(6400015, "Training data poisoning probe", "Data Poisoning", 3, ("Data Poisoning",),
       ("LLM04",), weight=0.5),
    _t(6400016, "Biased hiring recommendation", "Bias", 2, ("Bias",), (), weight=1.2),
    _t(6400017, "Profanity filter bypass", "Toxicity", 1, ("Toxicity",), (), weight=1.4),
)  # fmt: skip

# Hosted LLM applications: (model name, hardening 0..1; more hardened fails fewer tests).
_HOSTED: tuple[tuple[str, float], ...] = (
    ("support-bot-gpt-4o", 0.35),
    ("claims-triage-claude-3-5-sonnet", 0.7),
    ("code-review-llama-3-70b", 0.3),
    ("search-rag-mistral-large", 0.45),
    ("sales-copilot-gemini-1.5-pro", 0.6),
    ("it-helpdesk-gpt-4.1-mini", 0.2),
    ("legal-summariser-claude-3-haiku", 0.8),
    ("fraud-analyst-llm", 0.5),
    ("hr-assistant-gpt-4o-mini", 0.25),
    ("docs-qa-mixtral-8x7b", 0.4),
)
# What a local runtime serves, by the runtime's product name in the tenant's software catalogue.
_LOCAL: dict[str, tuple[str, ...]] = {
    "Ollama": ("llama3.1:8b", "mistral:7b", "qwen2.5:14b", "gemma2:9b", "phi3:mini",
               "deepseek-r1:8b"),
    "GPT4All": ("Meta-Llama-3-8B-Instruct", "Nous-Hermes-2-Mistral-7B", "Phi-3-mini-4k-instruct"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AiModel:
    id: int
    name: str
    runtime: str  # "Ollama", "GPT4All" or "hosted"
    host: Host | None
    hardening: float
    onboarded: datetime
    last_scan: datetime


@dataclass(frozen=True, slots=True)
class Detection:
    id: int
    model: AiModel
    test: AttackTest
    result: str  # "PASS" | "FAIL"
    fail_test_percentage: float
    first_detected: datetime
    last_detected: datetime

    @property
    def owasp_names(self) -> tuple[str, ...]:
        return tuple(OWASP_LLM_2025[key] for key in self.test.owasp)


@dataclass(frozen=True, slots=True)
class TotalAiData:
    models: tuple[AiModel, ...]
    detections: tuple[Detection, ...]


def _local_models(tenant: Tenant) -> list[tuple[str, str, Host]]:
    products = {software.id: software.product for software in tenant.software}
    found: list[tuple[str, str, Host]] = []
    for host in tenant.hosts:
        for software_id in host.software:
            runtime = products.get(software_id)
            if runtime in _LOCAL and len(found) < _MAX_LOCAL:
                choices = _LOCAL[runtime]
                tag = choices[tenant.rng(_KEY, "local", host.host_id).randrange(len(choices))]
                found.append((f"{tag}@{host.name}", runtime, host))
    return found


def _models(tenant: Tenant) -> list[AiModel]:
    entries: list[tuple[str, str, Host | None, float]] = [
        (name, "hosted", None, hardening) for name, hardening in _HOSTED
    ]
    for name, runtime, local_host in _local_models(tenant):
        # Local runtimes run stock open models with no guardrails in front of them.
        hardening = tenant.rng(_KEY, "hardening", name).uniform(0.05, 0.3)
        entries.append((name, runtime, local_host, hardening))
    models: list[AiModel] = []
    for index, (name, runtime, host, hardening) in enumerate(entries):
        rng = tenant.rng(_KEY, "model", name)
        onboarded = tenant.now - timedelta(days=rng.randint(20, 180), hours=rng.randint(0, 23))
        last_scan = tenant.now - timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 23))
        last_scan = max(last_scan, onboarded + timedelta(days=1))
        model_id = _MODEL_BASE_ID + index * 7 + 1
        models.append(AiModel(model_id, name, runtime, host, hardening, onboarded, last_scan))
    return models


def _detections(tenant: Tenant, models: list[AiModel]) -> list[Detection]:
    found: list[Detection] = []
    for model in models:
        for test in TESTS:
            rng = tenant.rng(_KEY, "detection", model.name, test.qid)
            chance = min(0.95, (1.0 - model.hardening) * 0.55 * test.weight)
            failed = rng.random() < chance
            span = max(1, (model.last_scan - model.onboarded).days)
            first = model.onboarded + timedelta(days=rng.randint(0, span), hours=rng.randint(0, 5))
            first = min(first, model.last_scan)
            percentage = round(rng.uniform(4.0, 96.0), 1) if failed else 0.0
            found.append(
                Detection(
                    id=_DETECTION_BASE_ID + len(found) + 1,
                    model=model,
                    test=test,
                    result="FAIL" if failed else "PASS",
                    fail_test_percentage=percentage,
                    first_detected=first,
                    last_detected=model.last_scan,
                )
            )
    return found


def build(tenant: Tenant) -> TotalAiData:
    models = _models(tenant)
    return TotalAiData(tuple(models), tuple(_detections(tenant, models)))


def data(tenant: Tenant) -> TotalAiData:
    """The tenant's TotalAI data (built on first use when the tenant hook did not run)."""
    slot = tenant.extensions.setdefault(_KEY, {})
    found = slot.get("data")
    if found is None:
        found = slot["data"] = build(tenant)
    assert isinstance(found, TotalAiData)
    return found
