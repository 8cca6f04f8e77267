"""TotalCloud aggregators, one module per area; `plugin` collects their exports."""
