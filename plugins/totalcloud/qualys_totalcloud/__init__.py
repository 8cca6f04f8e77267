"""Qualys TotalCloud plugin for the Qualys MCP server."""

from qualys_totalcloud.__about__ import __version__

__all__ = ["__version__"]
