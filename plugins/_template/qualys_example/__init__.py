"""Example plugin for the Qualys MCP server (copy this package to start a new one)."""

from qualys_example.__about__ import __version__

__all__ = ["__version__"]
