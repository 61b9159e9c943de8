"""The program sync: a connection's programs, listed from its network in a job of its own
(daily and on demand), apart from transaction syncs: it never fails one, and a sync of
transactions never waits on a long program directory."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from arq.connections import ArqRedis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors.errors import ConnectorError
from app.connectors.registry import connector_class
from app.db import transaction
from app.errors import Conflict
from app.ledger.ingest import Target
from app.ledger.programs import upsert_programs
from app.models import Connection
from app.runtime import Runtime
from app.syncs.runner import connector_for
from app.syncs.service import QUEUE_NAME

log = logging.getLogger("netledger.programs")

# A daily sync: a connection is due once its last success is this old.
PROGRAMS_EVERY = timedelta(hours=24)


def job_id(connection_id: uuid.UUID | str) -> str:
    """One program sync per connection at a time: a second request while one is queued or
    running is the same job."""
    return f"programs:{connection_id}"


async def request_program_sync(session: AsyncSession, connection: Connection) -> None:
    """Mark the connection's program sync queued (the caller enqueues after its commit)."""
    if connector_class(connection.network) is None:
        raise Conflict(f"{connection.network} has no API to list programs from.")
    if connection.programs_state != "running":
        connection.programs_state = "queued"
    await session.flush()
    await session.refresh(connection)  # the flush expired `updated_at`


async def enqueue(redis: ArqRedis, connection_ids: list[uuid.UUID]) -> None:
    for connection_id in connection_ids:
        await redis.enqueue_job(
            "sync_programs",
            str(connection_id),
            _job_id=job_id(connection_id),
            _queue_name=QUEUE_NAME,
        )


async def due(session: AsyncSession, now: datetime) -> list[Connection]:
    """Active connections of API networks whose programs were last listed a day ago or
    never."""
    rows = await session.scalars(
        select(Connection).where(
            Connection.status.in_(("active", "error")),
            (Connection.programs_synced_at.is_(None))
            | (Connection.programs_synced_at < now - PROGRAMS_EVERY),
        )
    )
    return [c for c in rows if connector_class(c.network) is not None]


async def run_program_sync(runtime: Runtime, connection_id: uuid.UUID) -> str:
    """List the connection's programs into the ledger, a page per transaction; returns the
    final state. A failure is kept on the connection for the user, and touches nothing
    else: a rerun upserts the same rows."""
    async with transaction(runtime.sessions) as session:
        connection = await session.get(Connection, connection_id)
        if connection is None or connector_class(connection.network) is None:
            return "gone"
        connection.programs_state = "running"
        target = Target(connection.workspace_id, connection.id, connection.network)
        connector = connector_for(runtime, connection)
    error: str | None = None
    count = 0
    try:
        async for page in connector.programs():
            async with transaction(runtime.sessions) as session:
                count += await upsert_programs(session, target, page)
    except ConnectorError as exc:
        error = exc.message
        log.warning("programs of %s (%s): %s", connection_id, target.network, exc.message)
    except Exception as exc:  # a bug: keep it on the connection, keep the worker alive
        log.exception("programs of %s (%s) crashed", connection_id, target.network)
        error = f"internal error: {type(exc).__name__}"
    async with transaction(runtime.sessions) as session:
        connection = await session.get(Connection, connection_id)
        if connection is None:
            return "gone"
        connection.programs_state = "failed" if error else "succeeded"
        connection.programs_error = error
        if error is None:
            connection.programs_synced_at = datetime.now(UTC)
    log.info("programs of %s (%s): %d listed", connection_id, target.network, count)
    return "failed" if error else "succeeded"
