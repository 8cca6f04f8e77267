"""Qualys VMDR plugin for the Qualys MCP server."""

from qualys_vmdr.__about__ import __version__

__all__ = ["__version__"]
