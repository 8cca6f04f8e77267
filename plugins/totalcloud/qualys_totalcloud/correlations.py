"""Cross-source insights the TotalCloud plugin owns."""

from __future__ import annotations

from qualys_core.plugins import Correlation

__all__ = ["CORRELATIONS"]

CORRELATIONS: list[Correlation] = []
