"""Cross-source insights the TotalCloud plugin owns."""

from __future__ import annotations

from qualys_core.plugins import Correlation
from qualys_totalcloud import cloud_correlations, container_correlations

__all__ = ["CORRELATIONS"]

CORRELATIONS: list[Correlation] = [
    *cloud_correlations.CORRELATIONS,
    *container_correlations.CORRELATIONS,
]
