"""Gateway JSON clients of the SaaSDR APIs, with pydantic records at the edge."""
