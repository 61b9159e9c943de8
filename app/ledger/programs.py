"""Programs (brands) a connection reaches, as the network lists them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.ledger.ingest import Target
from app.ledger.records import ProgramRecord
from app.models import Program


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
