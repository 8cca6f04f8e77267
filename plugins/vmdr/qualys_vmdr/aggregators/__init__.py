"""The VMDR plugin's aggregators, one module per area; each exports AGGREGATORS and TIERS."""
