"""The core distribution's version, read by hatchling and by plugin compatibility checks."""

__version__ = "0.1.0"
