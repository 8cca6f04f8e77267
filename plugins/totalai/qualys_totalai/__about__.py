"""The qualys-mcp-totalai distribution's version."""

__version__ = "0.1.0"
