"""What a plugin author imports: the ``hookimpl`` marker and the records hooks return.

The plugin host lives in `qualys_core.plugins.manager`; it is not imported here so that a
plugin module stays cheap to import.
"""

from qualys_core.cache import TierSpec
from qualys_core.plugins.markers import hookimpl
from qualys_core.plugins.records import (
    TOOLS,
    WORKFLOW_TOOLS,
    Action,
    Aggregator,
    AggregatorContext,
    AggregatorResult,
    Correlation,
    CorrelationContext,
    CorrelationFinding,
    Finding,
    Intent,
    PromptSpec,
    Recogniser,
    Serves,
    WarmupTask,
)

__all__ = [
    "TOOLS",
    "WORKFLOW_TOOLS",
    "Action",
    "Aggregator",
    "AggregatorContext",
    "AggregatorResult",
    "Correlation",
    "CorrelationContext",
    "CorrelationFinding",
    "Finding",
    "Intent",
    "PromptSpec",
    "Recogniser",
    "Serves",
    "TierSpec",
    "WarmupTask",
    "hookimpl",
]
