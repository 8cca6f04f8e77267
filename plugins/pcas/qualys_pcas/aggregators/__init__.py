"""The Policy Audit plugin's aggregators; each module exports AGGREGATORS and TIERS."""
