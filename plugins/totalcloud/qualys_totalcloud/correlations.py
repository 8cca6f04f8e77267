"""Cross-source insights the TotalCloud plugin owns."""

from __future__ import annotations

from qualys_core.plugins import Correlation
from qualys_totalcloud import container_correlations

__all__ = ["CORRELATIONS"]

CORRELATIONS: list[Correlation] = [*container_correlations.CORRELATIONS]
