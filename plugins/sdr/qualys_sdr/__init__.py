"""Qualys SaaS Detection & Response plugin for the Qualys MCP server."""

from qualys_sdr.__about__ import __version__

__all__ = ["__version__"]
