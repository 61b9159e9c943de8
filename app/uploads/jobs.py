"""The `ingest_upload` job and its enqueueing (job id per upload: a rerun is the same job)."""

from __future__ import annotations

import uuid

from arq.connections import ArqRedis

from app.syncs.service import QUEUE_NAME
from app.uploads.ingest import run_upload
from app.workers.tasks import JobContext, task


def job_id(upload_id: uuid.UUID | str) -> str:
    return f"upload:{upload_id}"


async def enqueue_upload(redis: ArqRedis, upload_id: uuid.UUID) -> None:
    await redis.enqueue_job(
        "ingest_upload", str(upload_id), _job_id=job_id(upload_id), _queue_name=QUEUE_NAME
    )


@task
async def ingest_upload(ctx: JobContext, upload_id: str) -> str:
    """Parse and ingest one uploaded file; a rerun after a crash starts it over."""
    return await run_upload(ctx.runtime, uuid.UUID(upload_id))
