"""Job functions. Each is idempotent with a deterministic job id."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from arq.cron import cron
from arq.jobs import Job, JobStatus
from sqlalchemy import or_, select

from app.db import transaction
from app.models import Connection, SyncRun
from app.syncs import programs, service
from app.syncs.lease import alive as lease_alive
from app.syncs.runner import continue_run, run_sync
from app.workers.tasks import CRONS, TASKS, JobContext, task

log = logging.getLogger("netledger.worker")


@task
async def sync_connection(ctx: JobContext, run_id: str) -> str:
    """Work on one sync run for a slice (a rerun of the same run converges to the same rows)."""
    return await run_sync(ctx.runtime, uuid.UUID(run_id))


@task
async def sync_due(ctx: JobContext) -> int:
    """Fan-out: a sync for every active connection whose last sync is older than the
    interval, across all workspaces; then re-enqueue queued runs whose job went missing."""
    settings = ctx.runtime.settings
    now = datetime.now(UTC)
    due_before = now - timedelta(minutes=settings.sync_interval_minutes)
    waiting_for_quota = (
        select(SyncRun.id)
        .where(
            SyncRun.connection_id == Connection.id,
            SyncRun.state == "rate_limited",
            SyncRun.resume_at > now,
        )
        .exists()
    )
    async with transaction(ctx.runtime.sessions) as session:
        connections = list(
            await session.scalars(
                select(Connection).where(
                    Connection.status.in_(("active", "error")),
                    or_(Connection.last_sync_at.is_(None), Connection.last_sync_at < due_before),
                    ~waiting_for_quota,
                )
            )
        )
        requested = [
            await service.request_sync(session, c, settings, trigger="schedule")
            for c in connections
            if service.syncable(c) is None
        ]
        # Active runs whose job is gone from Redis (an enqueue that never happened, or a
        # queue that was lost) would block their connection for good: enqueue them again.
        active = list(
            await session.scalars(
                select(SyncRun).where(
                    SyncRun.state.in_(service.ACTIVE_STATES),
                    SyncRun.queued_at < datetime.now(UTC) - timedelta(minutes=2),
                )
            )
        )
        # Running runs whose lease lapsed: their worker died (killed, out of memory, a lost
        # machine). Carry them on from their last checkpoint in a new job.
        running = list(
            await session.scalars(
                select(SyncRun).where(
                    SyncRun.state == "running",
                    SyncRun.started_at < now - timedelta(seconds=settings.sync_lease_seconds),
                )
            )
        )
    redis = ctx.runtime.redis
    orphans = [
        run
        for run in active
        if run.state == "queued"
        and await Job(
            service.job_id(run.connection_id, run.id, run.job_seq),
            redis,
            _queue_name=service.QUEUE_NAME,
        ).status()
        == JobStatus.not_found
    ]
    runs = [run for run, _ in requested] + orphans
    await service.enqueue(redis, runs)
    dead = [run for run in running if not await lease_alive(redis, run.id)]
    for run in dead:
        log.warning("sync %s lost its worker; carrying it on from its last checkpoint", run.id)
        await continue_run(ctx.runtime, run.id)
    return len(runs) + len(dead)


async def _cron_sync_due(ctx: dict[str, object]) -> int:
    return await TASKS["sync_due"](ctx)


# Every minute: cheap when nothing is due, and any interval setting works.
CRONS.append(
    cron(
        _cron_sync_due,
        name="cron:sync_due",
        minute=None,
        second=0,
        unique=True,
        run_at_startup=False,
    )
)


@task
async def sync_programs(ctx: JobContext, connection_id: str) -> str:
    """List one connection's programs (a rerun upserts the same rows)."""
    return await programs.run_program_sync(ctx.runtime, uuid.UUID(connection_id))


@task
async def programs_due(ctx: JobContext) -> int:
    """Fan-out: a program sync for every connection whose programs are a day old."""
    async with transaction(ctx.runtime.sessions) as session:
        connections = await programs.due(session, datetime.now(UTC))
        for connection in connections:
            await programs.request_program_sync(session, connection)
    await programs.enqueue(ctx.runtime.redis, [c.id for c in connections])
    return len(connections)


async def _cron_programs_due(ctx: dict[str, object]) -> int:
    return await TASKS["programs_due"](ctx)


# Hourly: each connection comes due a day after its last program sync.
CRONS.append(
    cron(
        _cron_programs_due,
        name="cron:programs_due",
        minute=17,
        second=0,
        unique=True,
        run_at_startup=False,
    )
)
