"""Requesting syncs. A run is a row first and a job second: the job is enqueued only after
the commit that makes the row visible, with a job id that keeps one sync per connection."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from arq.connections import ArqRedis
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.connectors.registry import connector_class
from app.errors import Conflict, FieldError, ValidationFailed
from app.models import Connection, SyncRun
from app.settings import Settings

ACTIVE_STATES = ("queued", "running")
QUEUE_NAME = "netledger:queue"


def job_id(connection_id: uuid.UUID | str, run_id: uuid.UUID | str, seq: int = 0) -> str:
    """Deterministic per run and job sequence: enqueueing the same job twice is one job.
    A run that continues (after a slice, or on another worker after a crash) bumps its
    sequence. One sync per connection at a time is the database's promise (a unique index
    over active runs); one worker per run at a time is the run's lease."""
    return f"sync:{connection_id}:{run_id}:{seq}"


def default_window(connection: Connection, settings: Settings, today: date) -> tuple[date, date]:
    """From the last success minus the lookback (to catch status changes) up to today."""
    since = connection.last_success_at.date() if connection.last_success_at else today
    return since - timedelta(days=settings.sync_lookback_days), today


def check_window(start: date | None, end: date | None, today: date) -> None:
    errors = []
    if start and end and start > end:
        errors.append(FieldError("start", "must not be after end"))
    if end and end > today + timedelta(days=1):
        errors.append(FieldError("end", "must not be in the future"))
    if start and start < today - timedelta(days=3650):
        errors.append(FieldError("start", "must be within the last ten years"))
    if errors:
        raise ValidationFailed(errors)


def syncable(connection: Connection) -> str | None:
    """Why this connection cannot sync now, or None."""
    if connector_class(connection.network) is None:
        return f"{connection.network} has no API sync in netledger (it takes file uploads)"
    if connection.status == "paused":
        return "the connection is paused; resume it first"
    if connection.status == "auth_failed":
        return "the network refused this connection's credentials; replace them first"
    return None


async def request_sync(
    session: AsyncSession,
    connection: Connection,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    trigger: str = "api",
) -> tuple[SyncRun, bool]:
    """The connection's active run if it has one, else a new queued run.
    Returns (run, created): only a created run needs enqueueing."""
    today = datetime.now(UTC).date()
    check_window(start, end, today)
    default_start, default_end = default_window(connection, settings, today)
    # A network that lists changes since a time is read incrementally after a success,
    # unless the caller asked for a window.
    connector = connector_class(connection.network)
    since = None
    if start is None and connection.last_success_at and connector and connector.incremental:
        since = connection.last_success_at.date()
    statement = (
        insert(SyncRun)
        .values(
            workspace_id=connection.workspace_id,
            connection_id=connection.id,
            window_start=start or default_start,
            window_end=end or default_end,
            since=since,
            trigger=trigger,
        )
        .on_conflict_do_nothing(
            # Literal, to match the partial unique index's own predicate.
            index_elements=["connection_id"],
            index_where=text("state IN ('queued', 'running')"),
        )
        .returning(SyncRun.id)
    )
    run_id = await session.scalar(statement)
    created = run_id is not None
    if not created:
        run_id = await session.scalar(
            select(SyncRun.id).where(
                SyncRun.connection_id == connection.id, SyncRun.state.in_(ACTIVE_STATES)
            )
        )
    run = await session.get(SyncRun, run_id, populate_existing=True)
    assert run is not None
    return run, created


async def request_connection_sync(
    session: AsyncSession,
    connection: Connection,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
) -> tuple[SyncRun, bool]:
    if reason := syncable(connection):
        raise Conflict(f"Connection {connection.id} cannot sync: {reason}.")
    return await request_sync(session, connection, settings, start=start, end=end)


async def request_workspace_sync(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    trigger: str = "api",
) -> list[tuple[SyncRun, bool]]:
    """A run for every connection of the workspace that can sync now."""
    check_window(start, end, datetime.now(UTC).date())
    connections = await session.scalars(
        select(Connection)
        .where(Connection.workspace_id == workspace_id)
        .order_by(Connection.created_at, Connection.id)
    )
    return [
        await request_sync(session, c, settings, start=start, end=end, trigger=trigger)
        for c in connections
        if syncable(c) is None
    ]


async def enqueue(redis: ArqRedis, runs: list[SyncRun]) -> None:
    """Enqueue each run's job; arq refuses a duplicate job id, so enqueueing twice is safe."""
    for run in runs:
        await redis.enqueue_job(
            "sync_connection",
            str(run.id),
            _job_id=job_id(run.connection_id, run.id, run.job_seq),
            _queue_name=QUEUE_NAME,
        )
