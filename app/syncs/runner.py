"""Running one sync: walk its units (an account and a window each), ingest each page in its
own transaction together with the run's counters, checkpoint each finished unit, and
record the outcome on the run and the connection.

A run holds a lease while it works (`app.syncs.lease`). It works for one slice
(`sync_slice_seconds`) per job and then continues in a new job; a worker that dies lets
its lease lapse and the scheduler carries the run on elsewhere. Either way the next job
skips the finished units and restores the counters as they stood after the last one, so
a run interrupted anywhere converges to exactly the same rows and counts."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from app.connections.service import credentials_of
from app.connectors.base import Connector, Unit
from app.connectors.errors import ConnectorError, CredentialsRejected, QuotaSpent
from app.connectors.http import RetryPolicy
from app.connectors.registry import build_connector
from app.db import transaction
from app.ledger.ingest import IngestCounts, Target, ingest
from app.models import Connection, SyncRun, Workspace
from app.reporting.cache import bump
from app.runtime import Runtime
from app.syncs.lease import Lease, LeaseLost
from app.syncs.service import enqueue

log = logging.getLogger("netledger.sync")

COUNTERS = ("pages", "seen", "inserted", "updated", "unchanged")
FINAL_STATES = ("succeeded", "failed", "rate_limited")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Started:
    run: SyncRun
    connection: Connection
    target: Target
    done: set[str]


async def _start(runtime: Runtime, run_id: uuid.UUID) -> Started | None:
    async with transaction(runtime.sessions) as session:
        run = await session.get(SyncRun, run_id, with_for_update=True)
        if run is None or run.state in FINAL_STATES:
            return None  # already finished: a duplicate or stale delivery of the job
        connection = await session.get(Connection, run.connection_id)
        workspace = await session.get(Workspace, run.workspace_id)
        assert connection is not None
        assert workspace is not None
        now = _now()
        if run.state == "queued":
            run.started_at = now
        run.state = "running"
        # Units finished before are skipped; their counters stand, the rest start again.
        checkpoint = run.checkpoint or {}
        counts = checkpoint.get("counts", {})
        for name in COUNTERS:
            setattr(run, name, int(counts.get(name, 0)))
        connection.last_sync_at = now
        target = Target(
            workspace_id=workspace.id,
            connection_id=connection.id,
            network=connection.network,
            workspace_timezone=workspace.timezone,
            sync_run_id=run.id,
        )
        return Started(run, connection, target, set(checkpoint.get("units", [])))


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


async def _checkpoint(
    runtime: Runtime,
    run_id: uuid.UUID,
    done: set[str],
    total: int,
    began: float,
    first: int,
    per_call: float,
) -> None:
    """Record a finished unit, the counters as they stand, and when the run should end at
    the pace of this job so far (never faster than the network's budget allows a call)."""
    async with transaction(runtime.sessions) as session:
        run = await session.get(SyncRun, run_id, with_for_update=True)
        assert run is not None
        finished_here = len(done) - first
        pace = max((time.monotonic() - began) / max(finished_here, 1), per_call)
        run.checkpoint = {
            "units": sorted(done),
            "counts": {name: getattr(run, name) for name in COUNTERS},
        }
        run.units_done = len(done)
        run.expected_end_at = _now() + timedelta(seconds=pace * (total - len(done)))


async def _finish(
    runtime: Runtime, run_id: uuid.UUID, connection_id: uuid.UUID, error: ConnectorError | None
) -> str:
    state = "succeeded" if error is None else "failed"
    if isinstance(error, QuotaSpent):
        state = "rate_limited"
    async with transaction(runtime.sessions) as session:
        now = _now()
        run_values: dict[str, Any] = {"state": state, "finished_at": now, "expected_end_at": None}
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
            if isinstance(error, QuotaSpent):
                run_values["resume_at"] = error.resume_at
            connection_values = {
                "last_error_code": error.code,
                "last_error_message": error.message,
                "last_error_at": now,
            }
        await session.execute(update(SyncRun).where(SyncRun.id == run_id).values(**run_values))
        status = "active"
        if isinstance(error, CredentialsRejected):
            status = "auth_failed"
        elif error is not None and state == "failed":
            status = "error"
        await session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.status != "paused")
            .values(status=status, **connection_values)
        )
    return state


async def continue_run(runtime: Runtime, run_id: uuid.UUID) -> None:
    """Hand the run to a new job (the next slice, or another worker after a crash)."""
    async with transaction(runtime.sessions) as session:
        run = await session.get(SyncRun, run_id, with_for_update=True)
        if run is None or run.state in FINAL_STATES:
            return
        run.job_seq += 1
    await enqueue(runtime.redis, [run])


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
        connection_id=str(connection.id),
    )


async def run_sync(runtime: Runtime, run_id: uuid.UUID) -> str:
    """Work on one sync run for up to a slice; returns its state, or `continued` when a
    new job carries it on, or `busy` when another worker holds it."""
    lease = Lease(runtime.redis, run_id, runtime.settings.sync_lease_seconds)
    if not await lease.acquire():
        return "busy"
    async with lease.held():
        outcome = await _run_slice(runtime, lease, run_id)
    if outcome == "continued":
        # After the lease is released, so the next job can take it at once.
        await continue_run(runtime, run_id)
    return outcome


async def _run_slice(runtime: Runtime, lease: Lease, run_id: uuid.UUID) -> str:
    started = await _start(runtime, run_id)
    if started is None:
        return "skipped"
    run, connection = started.run, started.connection
    error: ConnectorError | None = None
    try:
        connector = connector_for(runtime, connection)
        units = await connector.units(run.window_start, run.window_end, run.since)
        if await _work(runtime, lease, run_id, started, connector, units):
            return "continued"
    except LeaseLost:
        log.warning("sync %s: another worker holds the run now; stopping here", run_id)
        return "lost"
    except ConnectorError as exc:
        error = exc
        log.warning("sync %s of %s failed: %s", run_id, connection.network, exc.message)
    except Exception as exc:  # a bug: record it on the run, keep the worker alive
        log.exception("sync %s of %s crashed", run_id, connection.network)
        error = ConnectorError(connection.network, f"internal error: {type(exc).__name__}")
    return await _finish(runtime, run_id, connection.id, error)


async def _work(
    runtime: Runtime,
    lease: Lease,
    run_id: uuid.UUID,
    started: Started,
    connector: Connector,
    units: list[Unit],
) -> bool:
    """Read the units not yet done; True when the slice ended with units left."""
    done, target = started.done, started.target
    total = len(units)
    async with transaction(runtime.sessions) as session:
        await session.execute(update(SyncRun).where(SyncRun.id == run_id).values(units_total=total))
    began, first = time.monotonic(), len(done)
    # Each unit takes at least one call: the tightest budget bounds the pace.
    per_call = connector.http.budget.interval if connector.http.budget else 0.0
    todo = [unit for unit in units if unit.key not in done]
    for n, unit in enumerate(todo):
        async for records in connector.unit_pages(unit):
            lease.check()
            await _page(runtime, run_id, target, records)
        lease.check()
        done.add(unit.key)
        await _checkpoint(runtime, run_id, done, total, began, first, per_call)
        sliced = time.monotonic() - began >= runtime.settings.sync_slice_seconds
        if sliced and n + 1 < len(todo):
            return True
    return False
