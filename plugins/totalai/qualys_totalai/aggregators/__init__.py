"""The TotalAI plugin's aggregators."""
