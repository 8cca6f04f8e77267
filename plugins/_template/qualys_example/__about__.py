"""The qualys-mcp-example distribution's version."""

__version__ = "0.1.0"
