"""Container Security correlations (filled in by the issue-6 work)."""

from __future__ import annotations

from qualys_core.plugins import Correlation

__all__ = ["CORRELATIONS"]

CORRELATIONS: list[Correlation] = []
