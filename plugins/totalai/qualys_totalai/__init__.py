"""Qualys TotalAI plugin for the Qualys MCP server."""

from qualys_totalai.__about__ import __version__

__all__ = ["__version__"]
