"""Entry point of the SaaS Detection & Response plugin: the hook implementations the core loads.

The plugin registers no aggregators yet; its product issue adds them here.
"""

PLUGIN_NAME = "sdr"
