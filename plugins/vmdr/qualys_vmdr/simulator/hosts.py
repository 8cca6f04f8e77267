"""(being written)"""

from __future__ import annotations

from qualys_core.simulator import SimRoute


def routes() -> list[SimRoute]:
    return []
