"""Entry point of the TotalAI plugin: the hook implementations the core loads.

The plugin registers no aggregators yet; its product issue adds them here.
"""

PLUGIN_NAME = "totalai"
