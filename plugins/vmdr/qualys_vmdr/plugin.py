"""Entry point of the VMDR plugin: the hook implementations the core loads.

The plugin registers no aggregators yet; its product issue adds them here.
"""

PLUGIN_NAME = "vmdr"
