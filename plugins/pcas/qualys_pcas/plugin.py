"""Entry point of the Policy Audit (PCAS) plugin: the hook implementations the core loads.

The plugin registers no aggregators yet; its product issue adds them here.
"""

PLUGIN_NAME = "pcas"
