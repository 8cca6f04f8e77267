"""(being written)"""

from __future__ import annotations

from qualys_core.plugins import Correlation

CORRELATIONS: tuple[Correlation, ...] = ()
