"""Plain factory functions for test data."""

from __future__ import annotations

from typing import Any

from app.db import transaction
from app.runtime import Runtime
from app.workspaces.service import create_workspace


async def make_workspace(
    runtime: Runtime, name: str = "Example Media", currency: str = "USD", timezone: str = "UTC"
) -> dict[str, Any]:
    async with transaction(runtime.sessions) as session:
        created = await create_workspace(session, name, currency, timezone)
    return {
        "id": created.workspace.id,
        "api_key": created.api_key,
        "headers": {"Authorization": f"Bearer {created.api_key}"},
    }
