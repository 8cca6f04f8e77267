"""Qualys Policy Audit (PCAS) plugin for the Qualys MCP server."""

from qualys_pcas.__about__ import __version__

__all__ = ["__version__"]
