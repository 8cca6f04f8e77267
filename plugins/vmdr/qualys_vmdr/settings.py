"""The VMDR plugin's own settings (QUALYS_VMDR_* environment variables).

Read on each use, not at import, so a changed environment (or a test's) applies to the next
tool call.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["VmdrSettings"]


class VmdrSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUALYS_VMDR_", extra="ignore")

    detection_page_hosts: int = Field(
        1000,
        ge=1,
        le=10_000,
        description="Hosts per detection API page (truncation_limit). Qualys' default is 1000; "
        "smaller pages start answering sooner and hold the API's concurrency slot less long.",
    )
    partitions: int = Field(
        4,
        ge=1,
        le=16,
        description="Host-ID ranges a large detection pull is split into and fetched in "
        "parallel, never more at once than the subscription's concurrency limit.",
    )
