"""Recognising AI targets for `investigate`: a model name, or an AI security topic.

Recognisers run before the core's rules, so this one must never take what the core knows
better: anything naming a CVE, an IP address, a URL or a fully qualified host name is left
alone, and so is a single word that is only a host name (`web01`, `dc-01`). It claims a
target when it names
- an AI security topic (prompt injection, jailbreaks, an OWASP LLM Top 10 entry `LLM01`..),
  which maps to a detection filter (attribute `topic`: an OWASP key or `jailbreak`);
- a model, by a model family's name (GPT, Llama, Mistral, Claude, ...) in the target; a
  single word then is the model's name (`support-bot-gpt-4o`, `llama3.1:8b`), and in a
  sentence the word that holds the family name is (attribute `model`);
- AI in general (LLM, AI model, generative AI, ...): every detection.

Plain functions over patterns, no I/O: recognisers cannot ask TotalAI which models exist.
"""

from __future__ import annotations

import ipaddress
import re

from qualys_core.plugins import Intent, Recogniser

__all__ = ["KIND", "RECOGNISERS", "TOPICS", "ai_target", "recognise"]

KIND = "ai_model"

# (OWASP LLM 2025 key or "jailbreak", label, pattern). AI-specific phrases: they claim a
# target alone.
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("jailbreak", "Jailbreak", r"jail[\s-]?break(?:s|ing)?"),
    ("LLM01", "LLM01: Prompt Injection", r"prompt[\s-]+injections?|\bllm0?1\b"),
    ("LLM07", "LLM07: System Prompt Leakage",
     r"system[\s-]+prompt(?:[\s-]+(?:leak(?:age|s)?|extraction|disclosure))?|\bllm0?7\b"),
    ("LLM04", "LLM04: Data and Model Poisoning",
     r"(?:data|model|training)[\s-]+(?:and[\s-]+model[\s-]+)?poisoning|\bllm0?4\b"),
    ("LLM06", "LLM06: Excessive Agency", r"excessive[\s-]+agency|\bllm0?6\b"),
    ("LLM05", "LLM05: Improper Output Handling",
     r"(?:improper|insecure)[\s-]+output[\s-]+handling|\bllm0?5\b"),
    ("LLM08", "LLM08: Vector and Embedding Weaknesses",
     r"vector[\s-]+and[\s-]+embedding|embedding[\s-]+weakness(?:es)?|\bllm0?8\b"),
    ("LLM09", "LLM09: Misinformation", r"hallucinat\w*|\bllm0?9\b"),
    ("LLM10", "LLM10: Unbounded Consumption", r"unbounded[\s-]+consumption|\bllm10\b"),
    ("LLM02", "LLM02: Sensitive Information Disclosure", r"\bllm0?2\b"),
    ("LLM03", "LLM03: Supply Chain", r"\bllm0?3\b"),
)  # fmt: skip
# Generic phrases: a topic only beside an AI word ("PII leakage in our chatbots").
_GENERIC_TOPICS: tuple[tuple[str, str, str], ...] = (
    ("LLM02", "LLM02: Sensitive Information Disclosure",
     r"sensitive[\s-]+information|\bpii\b|data[\s-]+leak\w*|secret[\s-]+leak\w*"),
    ("LLM03", "LLM03: Supply Chain", r"supply[\s-]+chain"),
    ("LLM09", "LLM09: Misinformation", r"misinformation"),
    ("LLM10", "LLM10: Unbounded Consumption", r"denial[\s-]+of[\s-]+service|\bdos\b"),
)  # fmt: skip
_TOPIC_RULES = tuple((key, label, re.compile(p, re.IGNORECASE)) for key, label, p in TOPICS)
_GENERIC_RULES = tuple(
    (key, label, re.compile(p, re.IGNORECASE)) for key, label, p in _GENERIC_TOPICS
)

# Model families and runtimes, matched at the start of a word or a word's hyphenated part.
_FAMILY = re.compile(
    r"(?:^|(?<=[\s\-_/@(\"']))(?:gpt|chatgpt|gpt4all|o[134]-mini|llama|codellama|mistral|"
    r"mixtral|claude|gemini|gemma|phi-?\d|qwen|deepseek|vicuna|command-r|bedrock|ollama|"
    r"openai|anthropic|copilot|nous-hermes|starcoder)",
    re.IGNORECASE,
)
# General AI words: claim the target, with no model or topic filter.
_GENERAL = re.compile(
    r"\bllms?\b|large[\s-]+language[\s-]+models?|\bgen[\s-]?ai\b|generative[\s-]+ai|"
    r"\bai[\s-]+(?:models?|security|risks?|apps?|applications?|assistants?|agents?|"
    r"red[\s-]?team\w*)\b|\bchat[\s-]?bots?\b|\btotal[\s-]?ai\b|owasp[\s-]+(?:top[\s-]+10[\s-]+for[\s-]+)?llm|"
    r"machine[\s-]+learning[\s-]+models?|\bml[\s-]+models?\b",
    re.IGNORECASE,
)
# A hyphenated part that says "AI" in a single-word name ("fraud-analyst-llm").
_GENERAL_PART = re.compile(r"(?:^|[\-_/@])(?:llm|genai|chatbot|ai)(?:$|[\-_/@])", re.IGNORECASE)
_CVE = re.compile(r"cve[-_ ]?\d{4}[-_ ]\d{4,}", re.IGNORECASE)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)
_TRIM = "?!.,;:\"'()[]"


def _is_address(text: str) -> bool:
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _is_fqdn(text: str) -> bool:
    labels = text.rstrip(".").split(".")
    return (
        len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
        and labels[-1].isalpha()
    )


def _not_ours(text: str) -> bool:
    """True for what the core's rules own: CVEs, addresses, URLs, FQDNs."""
    lowered = text.lower()
    return (
        _CVE.search(text) is not None
        or lowered.startswith(("http://", "https://"))
        or _is_address(text)
        or (" " not in text and _is_fqdn(text))
    )


def _topic(text: str) -> tuple[str, str] | None:
    found = next(((k, label) for k, label, rule in _TOPIC_RULES if rule.search(text)), None)
    if found is None and (_GENERAL.search(text) or _FAMILY.search(text)):
        found = next(((k, label) for k, label, rule in _GENERIC_RULES if rule.search(text)), None)
    return found


def _model(text: str) -> str | None:
    """The model name a target gives: the whole single word, or a sentence's family word."""
    words = text.split()
    if len(words) == 1:
        word = words[0].strip(_TRIM)
        if _FAMILY.search(word) or (_GENERAL_PART.search(word) and not _GENERAL.fullmatch(word)):
            return word
        return None
    for word in words:
        word = word.strip(_TRIM)
        if _FAMILY.search(word):
            return word
    return None


def ai_target(target: str) -> Intent | None:
    """An `ai_model` Intent for an AI target, or None."""
    text = " ".join(target.split())
    if not text or len(text) > 300 or _not_ours(text):
        return None
    topic = _topic(text)
    model = _model(text)
    if topic is None and model is None and not _GENERAL.search(text):
        return None
    attributes: dict[str, str] = {}
    if topic is not None:
        attributes["topic"], attributes["topic_label"] = topic
    if model is not None:
        attributes["model"] = model
    if topic is not None and model is None:
        normalized = topic[1]
    elif model is not None and len(text.split()) == 1:
        normalized = model
    else:
        normalized = text
    return Intent(
        kind=KIND,
        value=target,
        normalized=normalized,
        recogniser="totalai.model",
        attributes=attributes,
    )


def recognise(target: str) -> Intent | None:
    return ai_target(target)


# Plugin recognisers all run before the core's rules; 70 orders this one among them.
RECOGNISERS = [Recogniser(name="totalai.model", kind=KIND, fn=recognise, priority=70)]
