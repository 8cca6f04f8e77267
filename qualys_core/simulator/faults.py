"""Fault injection: which call fails, and how its answer is broken.

Decisions come from the simulator's seeded random source, so a run with a 20 % error rate fails
the same calls every time. Broken bodies are built from the real answer, the way a proxy cutting
a connection or a half-written export would break it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from qualys_core.simulator.config import FaultKind, FaultRule

__all__ = ["FaultPlan", "break_body"]


class FaultPlan:
    """The configured rules plus how often each has fired."""

    def __init__(self, rules: Sequence[FaultRule], rng: random.Random) -> None:
        self._rules = list(rules)
        self._fired = [0] * len(self._rules)
        self._rng = rng

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)
        self._fired.append(0)

    def clear(self) -> None:
        self._rules.clear()
        self._fired.clear()

    def pick(self, *, name: str, module: str, path: str) -> FaultRule | None:
        """The first matching rule that fires for this call, counting it."""
        for index, rule in enumerate(self._rules):
            if not rule.matches(name=name, module=module, path=path):
                continue
            if rule.count is not None and self._fired[index] >= rule.count:
                continue
            if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                continue
            self._fired[index] += 1
            return rule
        return None

    def fired(self, kind: FaultKind | None = None) -> int:
        return sum(
            fired
            for rule, fired in zip(self._rules, self._fired, strict=True)
            if kind is None or rule.kind == kind
        )


def break_body(body: bytes, kind: FaultKind) -> bytes:
    """`truncated`: the first half of the answer, as when a connection drops mid-transfer.
    `malformed`: the answer with its structure damaged (an unclosed element in XML, a stray
    brace in JSON), as from a buggy proxy or a corrupted export."""
    if kind == "truncated":
        return body[: max(1, len(body) // 2)]
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        # Cut before the last closing tag and leave an element open: never well-formed.
        cut = body.rfind(b"</")
        head = body[:cut] if cut > 0 else body
        return head + b'<BROKEN attr="unterminated></BROKEN'
    return b"{" + body[: max(1, len(body) // 2)]
