"""Qualys MCP core: settings, the async Qualys client, caches and the public API for plugins."""

from qualys_core.__about__ import __version__

__all__ = ["__version__"]
