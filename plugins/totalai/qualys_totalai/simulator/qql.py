"""A small QQL evaluator for the simulated TotalAI detection APIs.

The request's `filter` holds two queries (catalogue §20; public TotalAI clients send both):
`modelQql` on the scanned models and `detectionQql` on the detections. The vendor's release
notes (TotalAI 1.5 API) refer to "Search for Models" and "Search for Detections" token lists
that no stored source reproduces; a public client sends `finding.severity>=3` and
`finding.result:FAIL`, so detection tokens are `finding.<field>` after the JSON field names,
and model tokens `model.<field>`. Any other token is refused with a 400, as Qualys refuses an
unknown QQL token.

Grammar: terms joined by `and` / `or` (`and` binds tighter), `not`, parentheses. A term is
`token:value` (text: case-insensitive "contains"; numbers, booleans and PASS/FAIL: equals) or
`token>=value` (also `>`, `<=`, `<`) on numbers and ISO 8601 dates. Values may be quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from qualys_core.simulator import ParameterError
from qualys_totalai.simulator.data import Detection

__all__ = ["DETECTION_TOKENS", "MODEL_TOKENS", "Predicate", "compile_qql"]

Predicate = Callable[[Detection], bool]
Kind = Literal["int", "float", "text", "texts", "bool", "result", "date"]


@dataclass(frozen=True)
class _Token:
    kind: Kind
    read: Callable[[Detection], object]


DETECTION_TOKENS: dict[str, _Token] = {
    "finding.id": _Token("int", lambda d: d.id),
    "finding.qid": _Token("int", lambda d: d.test.qid),
    "finding.name": _Token("text", lambda d: d.test.name),
    "finding.attack": _Token("text", lambda d: d.test.attack),
    "finding.severity": _Token("int", lambda d: d.test.severity),
    "finding.result": _Token("result", lambda d: d.result),
    "finding.isJailBreak": _Token("bool", lambda d: d.test.jailbreak),
    "finding.failTestPercentage": _Token("float", lambda d: d.fail_test_percentage),
    "finding.category": _Token("texts", lambda d: d.test.categories),
    "finding.owaspTopTen": _Token("texts", lambda d: d.owasp_names),
    "finding.firstDetected": _Token("date", lambda d: d.first_detected),
    "finding.lastDetected": _Token("date", lambda d: d.last_detected),
}
MODEL_TOKENS: dict[str, _Token] = {
    "model.id": _Token("int", lambda d: d.model.id),
    "model.name": _Token("text", lambda d: d.model.name),
}

_LEX = re.compile(
    r"""\s*(?:
        (?P<open>\()|(?P<close>\))|
        (?P<term>(?P<token>[A-Za-z][\w.]*)\s*(?P<op>>=|<=|:|>|<)\s*
                 (?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()]+))|
        (?P<word>[A-Za-z]+)
    )""",
    re.VERBOSE,
)


def _date(value: str, field: str) -> datetime:
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(field, value, "takes an ISO 8601 date, got") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _number(value: str, field: str, kind: Kind) -> float:
    try:
        return int(value) if kind == "int" else float(value)
    except ValueError:
        raise ParameterError(field, value, "takes a number, got") from None


def _compare(left: float | datetime, op: str, right: float | datetime) -> bool:
    if op in (":", "="):
        return left == right
    if op == ">=":
        return left >= right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left < right  # type: ignore[operator]


def _term(name: str, op: str, raw: str, tokens: dict[str, _Token], field: str) -> Predicate:
    token = tokens.get(name)
    if token is None:
        allowed = ", ".join(sorted(tokens))
        raise ParameterError(field, name, f"has an unknown token (allowed: {allowed}):")
    value = raw[1:-1].replace('\\"', '"') if raw[:1] in "\"'" else raw
    read = token.read
    if token.kind in ("text", "texts", "bool", "result") and op != ":":
        raise ParameterError(field, f"{name}{op}{value}", "compares text only with ':', got")
    if token.kind == "text":
        wanted = value.lower()
        return lambda d: wanted in str(read(d)).lower()
    if token.kind == "texts":
        wanted = value.lower()
        return lambda d: any(wanted in item.lower() for item in read(d))  # type: ignore[attr-defined]
    if token.kind == "bool":
        if value.lower() not in ("true", "false"):
            raise ParameterError(field, value, f"{name} takes true or false, got")
        flag = value.lower() == "true"
        return lambda d: read(d) is flag
    if token.kind == "result":
        if value.upper() not in ("PASS", "FAIL"):
            raise ParameterError(field, value, f"{name} takes PASS or FAIL, got")
        result = value.upper()
        return lambda d: read(d) == result
    if token.kind == "date":
        if op == ":":
            raise ParameterError(field, f"{name}:{value}", "compares dates with >=, <=, > or <:")
        moment = _date(value, field)
        return lambda d: _compare(read(d), op, moment)  # type: ignore[arg-type]
    number = _number(value, field, token.kind)
    if name == "finding.severity" and not 1 <= number <= 5:
        raise ParameterError(field, value, "finding.severity ranges from 1 to 5, got")
    return lambda d: _compare(read(d), op, number)  # type: ignore[arg-type]


class _Parser:
    def __init__(self, text: str, tokens: dict[str, _Token], field: str) -> None:
        self.field = field
        self.tokens = tokens
        self.items: list[tuple[str, tuple[str, str, str] | None]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = _LEX.match(text, position)
            if found is None or found.end() == position:
                raise ParameterError(field, text[position:], "cannot be parsed near")
            position = found.end()
            if found["open"]:
                self.items.append(("(", None))
            elif found["close"]:
                self.items.append((")", None))
            elif found["term"]:
                self.items.append(("term", (found["token"], found["op"], found["value"])))
            else:
                word = found["word"].lower()
                if word not in ("and", "or", "not"):
                    raise ParameterError(field, found["word"], "expects token:value, got")
                self.items.append((word, None))
        self.at = 0

    def _peek(self) -> str | None:
        return self.items[self.at][0] if self.at < len(self.items) else None

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.at != len(self.items):
            raise ParameterError(self.field, str(self._peek()), "has an unexpected")
        return predicate

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek() == "or":
            self.at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda d: any(p(d) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._peek() == "and":
            self.at += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda d: all(p(d) for p in parts))

    def _unary(self) -> Predicate:
        kind = self._peek()
        if kind == "not":
            self.at += 1
            inner = self._unary()
            return lambda d: not inner(d)
        if kind == "(":
            self.at += 1
            inner = self._or()
            if self._peek() != ")":
                raise ParameterError(self.field, "(", "has an unclosed")
            self.at += 1
            return inner
        term = self.items[self.at][1] if kind == "term" else None
        if term is not None:
            self.at += 1
            return _term(*term, self.tokens, self.field)
        raise ParameterError(self.field, str(kind), "expects a term, got")


def compile_qql(text: str | None, tokens: dict[str, _Token], field: str) -> Predicate:
    """A predicate for `text` (everything when blank); ParameterError when it is not valid."""
    if text is None or not text.strip():
        return lambda d: True
    return _Parser(text, tokens, field).parse()
