"""Running real arq workers against the test Redis, and reading what a sync wrote."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from app.runtime import Runtime
from app.settings import Settings
from app.workers.main import build_worker


async def work_until(settings: Settings, done: Callable[[], Awaitable[bool]]) -> None:
    """A real arq worker that runs until `done()` (for a queue that keeps a dead worker's
    job, where a burst worker would never see the queue empty); two minutes at most."""
    worker = build_worker(settings, poll_delay=0.05, handle_signals=False, cron_jobs=[])
    running = asyncio.create_task(worker.async_run())
    try:
        for _ in range(1200):
            if await done():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the worker did not finish in two minutes")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await worker.close()


async def drain(settings: Settings) -> None:
    """A real arq worker in burst mode: runs every queued job, then returns."""
    worker = build_worker(settings, burst=True, poll_delay=0.05, handle_signals=False, cron_jobs=[])
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def rows_of(runtime: Runtime, connection_id: str | uuid.UUID) -> dict[str, tuple[Any, ...]]:
    """external_id -> (status, commission, sale, currency, event_at) as stored."""
    async with runtime.engine.connect() as connection:
        result = await connection.execute(
            text(
                "select external_id, status, commission_amount, sale_amount, currency, event_at "
                "from transaction where connection_id = :id"
            ),
            {"id": str(connection_id)},
        )
        return {r[0]: tuple(r[1:]) for r in result}


def normal(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.normalize()


_RAW = """
    select t.workspace_id, (t.event_at at time zone w.timezone)::date as day,
           t.connection_id, t.program_id, t.currency, t.status{extra}, count(*) as n,
           sum(coalesce(t.sale_amount, 0)) as sale, sum(t.commission_amount) as commission
    from transaction t join workspace w on w.id = t.workspace_id
    group by 1, 2, 3, 4, 5, 6{extra_group}
"""
_ROLLED = """
    select workspace_id, day, connection_id, program_id, currency, status{extra},
           transactions as n, sale_amount as sale, commission_amount as commission
    from {table} where transactions <> 0 or sale_amount <> 0 or commission_amount <> 0
"""
_DIFF = """
    with raw as ({raw}), rolled as ({rolled})
    select count(*) from (
        (select * from raw except all select * from rolled)
        union all
        (select * from rolled except all select * from raw)
    ) differences
"""


async def rollups_match_transactions(runtime: Runtime) -> None:
    """Every rollup total (coarse and detail) equals the sums over the raw rows."""
    detail = ", click_ref, country, device"
    coarse = _RAW.replace("t.program_id, ", "").replace("1, 2, 3, 4, 5, 6", "1, 2, 3, 4, 5")
    cases = [
        (
            coarse.format(extra="", extra_group=""),
            _ROLLED.replace("program_id, ", "").format(extra="", table="daily_connection_rollup"),
        ),
        (_RAW.format(extra="", extra_group=""), _ROLLED.format(extra="", table="daily_rollup")),
        (
            _RAW.format(extra=", t.click_ref, t.country, t.device", extra_group=", 7, 8, 9"),
            _ROLLED.format(extra=detail, table="daily_detail_rollup"),
        ),
    ]
    # The statuses-as-columns level, folded back to rows, equals the coarse level's sums.
    statuses = ("pending", "approved", "declined", "paid")
    unpivoted = " UNION ALL ".join(
        f"SELECT workspace_id, day, connection_id, currency, '{s}' AS status, "
        f"{s}_transactions AS n, {s}_commission AS commission FROM daily_connection_totals"
        for s in statuses
    )
    by_status = (
        "SELECT workspace_id, day, connection_id, currency, status, sum(n) AS n, "
        f"sum(commission) AS commission FROM ({unpivoted}) u "
        "GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(commission) <> 0"
    )
    coarse_by_status = (
        "SELECT workspace_id, day, connection_id, currency, status, sum(transactions) AS n, "
        "sum(commission_amount) AS commission FROM daily_connection_rollup "
        "GROUP BY 1, 2, 3, 4, 5 HAVING sum(transactions) <> 0 OR sum(commission_amount) <> 0"
    )
    totals = (
        "SELECT workspace_id, day, connection_id, currency, sum(transactions), sum(sale_amount),"
        " sum(commission_amount) FROM {table} GROUP BY 1, 2, 3, 4"
        " HAVING sum(transactions) <> 0 OR sum(sale_amount) <> 0 OR sum(commission_amount) <> 0"
    )
    cases += [
        (by_status, coarse_by_status),
        (
            totals.format(table="daily_connection_totals"),
            totals.format(table="daily_connection_rollup"),
        ),
    ]
    async with runtime.engine.connect() as connection:
        for raw, rolled in cases:
            assert await connection.scalar(text(_DIFF.format(raw=raw, rolled=rolled))) == 0
