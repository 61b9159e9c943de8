"""Reading sync runs, scoped to one workspace."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import keyset
from app.errors import NotFound
from app.models import SyncRun


async def list_runs(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    connection_id: uuid.UUID | None = None,
    state: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
) -> list[SyncRun]:
    """Newest first, from after the run `after` names (its `queued_at` and id)."""
    query = select(SyncRun).where(SyncRun.workspace_id == workspace_id)
    if connection_id:
        query = query.where(SyncRun.connection_id == connection_id)
    if state:
        query = query.where(SyncRun.state == state)
    query = keyset(query, SyncRun.queued_at, SyncRun.id, after, descending=True)
    return list(await session.scalars(query.limit(limit)))


async def get_run(session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID) -> SyncRun:
    run = await session.scalar(
        select(SyncRun).where(SyncRun.id == run_id, SyncRun.workspace_id == workspace_id)
    )
    if run is None:
        raise NotFound(f"Sync run {run_id} not found.")
    return run
