"""The rate refresh job and its schedule."""

from __future__ import annotations

import logging

from arq.cron import cron

from app.db import transaction
from app.fx.ecb import FeedError
from app.fx.refresh import feed_url, refresh_from_feed
from app.reporting.cache import bump_rates
from app.workers.tasks import CRONS, TASKS, JobContext, task

log = logging.getLogger("netledger.fx")


@task
async def refresh_rates(ctx: JobContext, url: str | None = None) -> int:
    """Upsert the ECB's latest reference rates and return how many rows changed.

    When the feed is unreachable or malformed this logs a warning and returns 0: the
    stored rates (shipped history plus earlier refreshes) stay as they are, and the next
    run catches up (the default 90-day feed covers any gap shorter than that).
    """
    source = url or feed_url(ctx.runtime.settings)
    try:
        async with transaction(ctx.runtime.sessions) as session:
            result = await refresh_from_feed(session, ctx.runtime.http, source)
    except FeedError as exc:
        log.warning("fx rates not refreshed, keeping the stored rates: %s", exc)
        return 0
    if result.written:
        await bump_rates(ctx.runtime.redis)
    log.info(
        "fx rates refreshed from %s: %d rates over %d days (%s to %s), %d written, %d skipped",
        source,
        result.rates,
        len(result.days),
        result.days[0],
        result.days[-1],
        result.written,
        result.skipped,
    )
    return result.written


async def _cron_refresh_rates(ctx: dict[str, object]) -> int:
    written: int = await TASKS["refresh_rates"](ctx)
    return written


# The ECB publishes around 16:00 CET (14:00-15:00 UTC): 15:30 UTC picks the day's rates
# up in winter and summer; 06:30 UTC catches up after a late publication or a down worker.
CRONS.append(
    cron(
        _cron_refresh_rates,
        name="cron:refresh_rates",
        hour={6, 15},
        minute=30,
        second=0,
        unique=True,
        run_at_startup=False,
    )
)
