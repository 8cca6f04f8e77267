"""tools/list is pinned: names, schemas and annotations change only deliberately.

After an intended change, regenerate with `UPDATE_SNAPSHOTS=1 hatch test tests/engine` and
review the JSON diff in the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp.client import Client

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("allow_writes", [False, True], ids=["read-only", "writes"])
async def test_tools_list_matches_snapshot(make_app, allow_writes):
    async with Client(make_app(allow_writes=allow_writes).server) as client:
        tools = (await client.list_tools()).tools
    listed = [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in tools]
    path = SNAPSHOTS / f"tools_list_{'writes' if allow_writes else 'read_only'}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(listed, indent=2, sort_keys=True) + "\n")
    expected = json.loads(path.read_text())
    assert listed == expected
