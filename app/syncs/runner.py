"""Running one sync: fetch page by page, ingest each page in its own transaction together
with the run's counters, and record the outcome on the run and the connection.

Each page commits its rows and counters together, so a run killed at any point and run
again re-reads its window and converges to exactly the same rows."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from app.connections.service import credentials_of
from app.connectors.base import Connector
from app.connectors.errors import ConnectorError, CredentialsRejected
from app.connectors.http import RetryPolicy
from app.connectors.registry import build_connector
from app.db import transaction
from app.ledger.ingest import IngestCounts, Target, ingest
from app.ledger.programs import upsert_programs
from app.models import Connection, SyncRun, Workspace
from app.reporting.cache import bump
from app.runtime import Runtime

log = logging.getLogger("netledger.sync")


def _now() -> datetime:
    return datetime.now(UTC)


async def _start(runtime: Runtime, run_id: uuid.UUID) -> tuple[SyncRun, Connection, Target] | None:
    async with transaction(runtime.sessions) as session:
        run = await session.get(SyncRun, run_id, with_for_update=True)
        if run is None or run.state in ("succeeded", "failed"):
            return None  # already finished: a duplicate delivery of the job
        connection = await session.get(Connection, run.connection_id)
        workspace = await session.get(Workspace, run.workspace_id)
        assert connection is not None
        assert workspace is not None
        now = _now()
        if run.state == "queued":
            run.started_at = now
        run.state = "running"
        # A rerun after a crash re-reads the window from scratch; counters start again.
        run.pages = run.seen = run.inserted = run.updated = run.unchanged = 0
        connection.last_sync_at = now
        target = Target(
            workspace_id=workspace.id,
            connection_id=connection.id,
            network=connection.network,
            workspace_timezone=workspace.timezone,
            sync_run_id=run.id,
        )
        return run, connection, target


async def _page(
    runtime: Runtime, run_id: uuid.UUID, target: Target, records: list[Any]
) -> IngestCounts:
    async with transaction(runtime.sessions) as session:
        counts = await ingest(session, target, records)
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(
                pages=SyncRun.pages + 1,
                seen=SyncRun.seen + counts.seen,
                inserted=SyncRun.inserted + counts.inserted,
                updated=SyncRun.updated + counts.updated,
                unchanged=SyncRun.unchanged + counts.unchanged,
            )
        )
    await bump(runtime.redis, target.workspace_id)
    return counts


async def _finish(
    runtime: Runtime, run_id: uuid.UUID, connection_id: uuid.UUID, error: ConnectorError | None
) -> None:
    async with transaction(runtime.sessions) as session:
        now = _now()
        run_values: dict[str, Any] = {
            "state": "succeeded" if error is None else "failed",
            "finished_at": now,
        }
        connection_values: dict[str, Any]
        if error is None:
            connection_values = {
                "last_success_at": now,
                "last_error_code": None,
                "last_error_message": None,
                "last_error_at": None,
            }
        else:
            run_values |= {"error_code": error.code, "error_message": error.message}
            connection_values = {
                "last_error_code": error.code,
                "last_error_message": error.message,
                "last_error_at": now,
            }
        await session.execute(update(SyncRun).where(SyncRun.id == run_id).values(**run_values))
        status = "active"
        if isinstance(error, CredentialsRejected):
            status = "auth_failed"
        elif error is not None:
            status = "error"
        await session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.status != "paused")
            .values(status=status, **connection_values)
        )


async def _sync_programs(runtime: Runtime, connector: Connector, target: Target) -> None:
    async for programs in connector.programs():
        async with transaction(runtime.sessions) as session:
            await upsert_programs(session, target, programs)


def connector_for(
    runtime: Runtime, connection: Connection, *, retry: RetryPolicy | None = None
) -> Connector:
    """The connector of a stored connection, on this process's HTTP client and Redis."""
    return build_connector(
        connection.network,
        credentials_of(runtime.box, connection),
        settings=runtime.settings,
        client=runtime.http,
        redis=runtime.redis,
        retry=retry,
    )


async def run_sync(runtime: Runtime, run_id: uuid.UUID) -> str:
    """Execute one sync run to the end; returns its final state."""
    started = await _start(runtime, run_id)
    if started is None:
        return "skipped"
    run, connection, target = started
    error: ConnectorError | None = None
    try:
        connector = connector_for(runtime, connection)
        await _sync_programs(runtime, connector, target)
        async for records in connector.transactions(run.window_start, run.window_end):
            await _page(runtime, run_id, target, records)
    except ConnectorError as exc:
        error = exc
        log.warning("sync %s of %s failed: %s", run_id, connection.network, exc.message)
    except Exception as exc:  # a bug: record it on the run, keep the worker alive
        log.exception("sync %s of %s crashed", run_id, connection.network)
        error = ConnectorError(connection.network, f"internal error: {type(exc).__name__}")
    await _finish(runtime, run_id, connection.id, error)
    return "succeeded" if error is None else "failed"
