"""Entry point of the example plugin: the hook implementations the core loads.

The hook specifications arrive with the plugin system; until then the plugin only declares
its name, which is also its entry point name and the namespace of its cache keys.
"""

PLUGIN_NAME = "example"
