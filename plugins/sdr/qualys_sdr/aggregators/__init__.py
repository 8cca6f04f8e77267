"""The SaaS DR aggregators: each area module exports `AGGREGATORS` and `TIERS`."""
