"""The marker plugin authors put on hook implementations: ``@hookimpl``."""

from __future__ import annotations

import pluggy

from qualys_core.plugins.hookspecs import PROJECT

__all__ = ["hookimpl"]

hookimpl = pluggy.HookimplMarker(PROJECT)
