"""Reading uploads, scoped to one workspace."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import keyset
from app.errors import NotFound
from app.models import Upload


async def list_uploads(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    connection_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
) -> list[Upload]:
    """Newest first, from after the upload `after` names (its `created_at` and id)."""
    query = select(Upload).where(Upload.workspace_id == workspace_id)
    if connection_id:
        query = query.where(Upload.connection_id == connection_id)
    query = keyset(query, Upload.created_at, Upload.id, after, descending=True)
    return list(await session.scalars(query.limit(limit)))


async def get_upload(
    session: AsyncSession, workspace_id: uuid.UUID, upload_id: uuid.UUID
) -> Upload:
    upload = await session.scalar(
        select(Upload).where(Upload.id == upload_id, Upload.workspace_id == workspace_id)
    )
    if upload is None:
        raise NotFound(f"Upload {upload_id} not found.")
    return upload
