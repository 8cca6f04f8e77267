"""Async calls to the TotalCloud, CDR and Container Security APIs, with pydantic records."""
