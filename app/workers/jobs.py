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
from app.syncs import service
from app.syncs.runner import run_sync
from app.workers.tasks import CRONS, TASKS, JobContext, task

log = logging.getLogger("netledger.worker")


@task
async def sync_connection(ctx: JobContext, run_id: str) -> str:
    """Run one sync to the end (a rerun of the same run converges to the same rows)."""
    return await run_sync(ctx.runtime, uuid.UUID(run_id))


@task
async def sync_due(ctx: JobContext) -> int:
    """Fan-out: a sync for every active connection whose last sync is older than the
    interval, across all workspaces; then re-enqueue queued runs whose job went missing."""
    settings = ctx.runtime.settings
    due_before = datetime.now(UTC) - timedelta(minutes=settings.sync_interval_minutes)
    async with transaction(ctx.runtime.sessions) as session:
        connections = list(
            await session.scalars(
                select(Connection).where(
                    Connection.status.in_(("active", "error")),
                    or_(Connection.last_sync_at.is_(None), Connection.last_sync_at < due_before),
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
    redis = ctx.runtime.redis
    orphans = [
        run
        for run in active
        if await Job(
            service.job_id(run.connection_id, run.id), redis, _queue_name=service.QUEUE_NAME
        ).status()
        == JobStatus.not_found
    ]
    runs = [run for run, _ in requested] + orphans
    await service.enqueue(redis, runs)
    return len(runs)


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
