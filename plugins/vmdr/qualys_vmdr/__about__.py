"""The qualys-mcp-vmdr distribution's version."""

__version__ = "0.1.0"
