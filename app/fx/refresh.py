"""Refresh `fx_rate` from the ECB feed (or any URL serving its format)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.fx.ecb import NINETY_DAY_URL, FeedError, parse_feed
from app.fx.store import write_rates
from app.settings import Settings

log = logging.getLogger("netledger.fx")

FEED_SOURCE = "ecb-feed"
MAX_FEED_BYTES = 32 * 1024 * 1024  # the full history XML is ~10 MB; anything far larger is wrong
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class RefreshResult:
    url: str
    days: list[date]  # publication days the feed carried
    rates: int  # valid rates read
    written: int  # rows inserted or changed
    skipped: int  # malformed entries left out


def feed_url(settings: Settings) -> str:
    """`NETLEDGER_ECB_URL`; by default the ECB's 90-day feed (90 days, so a worker that was
    down for weeks still fills the gap)."""
    return settings.ecb_url or NINETY_DAY_URL


async def fetch_feed(http: httpx.AsyncClient, url: str) -> bytes:
    """The feed's body; `FeedError` when unreachable, not 200, or oversized."""
    try:
        async with http.stream("GET", url, timeout=_TIMEOUT) as response:
            if response.status_code != 200:
                raise FeedError(f"{url} answered HTTP {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError(f"{url} sent more than {MAX_FEED_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FeedError(f"{url} is unreachable: {type(exc).__name__}: {exc}") from exc
    return b"".join(chunks)


async def refresh_from_feed(
    session: AsyncSession, http: httpx.AsyncClient, url: str
) -> RefreshResult:
    """Fetch and parse the feed, then upsert its rates (a published rate that differs
    from the stored one replaces it). Raises `FeedError` having written nothing when the
    feed is unreachable or unreadable. Flushes, never commits."""
    parsed = parse_feed(await fetch_feed(http, url))
    for problem in parsed.skipped:
        log.warning("fx feed %s: skipped %s", url, problem)
    written = await write_rates(session, parsed.rows, source=FEED_SOURCE, replace=True)
    return RefreshResult(
        url=url,
        days=parsed.days,
        rates=len(parsed.rows),
        written=written,
        skipped=len(parsed.skipped),
    )
