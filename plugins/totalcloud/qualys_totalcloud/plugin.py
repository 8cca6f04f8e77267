"""Entry point of the TotalCloud plugin: the hook implementations the core loads.

The plugin registers no aggregators yet; its product issue adds them here.
"""

PLUGIN_NAME = "totalcloud"
