"""Programs (brands) a connection reaches: stored as the network lists them, read back
across one workspace's connections."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import keyset
from app.ledger.ingest import Target
from app.ledger.records import ProgramRecord
from app.models import Connection, Program


async def list_programs(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    q: str | None = None,
    connection_id: uuid.UUID | None = None,
    after: tuple[str, uuid.UUID] | None = None,
    limit: int,
) -> list[tuple[Program, str]]:
    """Each program with its connection's network, by name, from after the program `after`
    names (its name and id); `q` matches names and domains, any case."""
    query = (
        select(Program, Connection.network)
        .join(Connection, Connection.id == Program.connection_id)
        .where(Program.workspace_id == workspace_id)
    )
    if q:
        query = query.where(
            or_(
                Program.name.icontains(q, autoescape=True),
                Program.domain.icontains(q, autoescape=True),
            )
        )
    if connection_id:
        query = query.where(Program.connection_id == connection_id)
    query = keyset(query, Program.name, Program.id, after)
    return [(row[0], row[1]) for row in await session.execute(query.limit(limit))]


async def upsert_programs(
    session: AsyncSession, target: Target, programs: Sequence[ProgramRecord]
) -> None:
    """Insert new programs and refresh known ones; a rerun changes nothing."""
    unique = list({p.external_id: p for p in programs}.values())
    for start in range(0, len(unique), _CHUNK):
        await _upsert_chunk(session, target, unique[start : start + _CHUNK])


# Seven parameters a row; stay well under Postgres's 32767 bind parameters.
_CHUNK = 2000


async def _upsert_chunk(
    session: AsyncSession, target: Target, programs: Sequence[ProgramRecord]
) -> None:
    statement = insert(Program).values(
        [
            {
                "workspace_id": target.workspace_id,
                "connection_id": target.connection_id,
                "external_id": p.external_id,
                "name": p.name,
                "domain": p.domain,
                "relationship_status": p.relationship_status,
                "details": p.details,
            }
            for p in programs
        ]
    )
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["connection_id", "external_id"],
            set_={
                "name": func.coalesce(excluded.name, Program.name),
                "domain": func.coalesce(excluded.domain, Program.domain),
                "relationship_status": func.coalesce(
                    excluded.relationship_status, Program.relationship_status
                ),
                "details": excluded.details,
                "updated_at": func.now(),
            },
            where=(
                Program.name.is_distinct_from(func.coalesce(excluded.name, Program.name))
                | Program.domain.is_distinct_from(func.coalesce(excluded.domain, Program.domain))
                | Program.relationship_status.is_distinct_from(
                    func.coalesce(excluded.relationship_status, Program.relationship_status)
                )
                | Program.details.is_distinct_from(excluded.details)
            ),
        )
    )
