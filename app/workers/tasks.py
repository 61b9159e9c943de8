"""A small wrapper around arq: a typed job context and a decorator that registers tasks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from arq.cron import CronJob

from app.runtime import Runtime

log = logging.getLogger("netledger.worker")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class JobContext:
    """What every job gets: the process runtime (engine, Redis, the shared HTTP client)."""

    runtime: Runtime
    job_id: str
    job_try: int


TaskFn = Callable[..., Awaitable[Any]]
TASKS: dict[str, TaskFn] = {}
CRONS: list[CronJob] = []


def task(fn: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
    """Register `async def name(ctx: JobContext, ...)` as the arq job `name`."""

    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> R:
        job = JobContext(
            runtime=ctx["runtime"],
            job_id=ctx.get("job_id", ""),
            job_try=ctx.get("job_try", 1),
        )
        return await fn(job, *args, **kwargs)

    run.__name__ = run.__qualname__ = fn.__name__
    run.__doc__ = fn.__doc__
    TASKS[fn.__name__] = run
    return fn
