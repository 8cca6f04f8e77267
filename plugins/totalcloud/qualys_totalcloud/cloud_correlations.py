"""Placeholder until this area's module lands (issue 6)."""

from __future__ import annotations

from qualys_core.plugins import Correlation

__all__ = ["CORRELATIONS"]

CORRELATIONS: list[Correlation] = []
