"""Clients of the PCAS policy library API (catalogue §19) with pydantic records."""
