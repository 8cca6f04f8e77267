"""Clients of the TotalAI gateway APIs."""
