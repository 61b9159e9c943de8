"""arq worker settings: startup builds the runtime and HTTP client, shutdown closes them."""

from __future__ import annotations

import asyncio
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker

from app.fx import jobs as fx_jobs  # noqa: F401  (registers the rate refresh)
from app.logging import configure_logging
from app.runtime import Runtime
from app.settings import Settings
from app.syncs.service import QUEUE_NAME
from app.uploads import jobs as upload_jobs  # noqa: F401  (registers upload ingestion)
from app.workers import jobs  # noqa: F401  (registers the tasks)
from app.workers.tasks import CRONS, TASKS


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    """An arq worker for these settings (`burst=True` in tests)."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set")

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["runtime"] = Runtime.build(settings, pool_size=10)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["runtime"].close()

    options: dict[str, Any] = {
        "functions": list(TASKS.values()),
        "cron_jobs": list(CRONS),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": QUEUE_NAME,
        "max_jobs": 50,
        "job_timeout": 3600,
        # A kept result would block the next job with the same id (arq issue 432).
        "keep_result": 0,
        "handle_signals": True,
    }
    options.update(overrides)
    return Worker(**options)


def run_worker(settings: Settings) -> None:
    configure_logging()
    asyncio.run(_run(settings))


async def _run(settings: Settings) -> None:
    worker = build_worker(settings)
    try:
        await worker.async_run()
    except asyncio.CancelledError:
        pass  # arq cancels its main task on SIGTERM/SIGINT once jobs are wound down
    finally:
        await worker.close()
