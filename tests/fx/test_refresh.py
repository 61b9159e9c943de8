"""The refresh job against a local copy of the ECB feed's format, over a real socket."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

import app.fx.jobs  # noqa: F401  (registers refresh_rates)
from app.db import transaction
from app.fx.convert import load_rates
from app.fx.ecb import NINETY_DAY_URL, FeedError, parse_feed
from app.fx.refresh import FEED_SOURCE, feed_url
from app.runtime import Runtime
from app.settings import Settings
from app.syncs.service import QUEUE_NAME
from app.workers.main import build_worker
from app.workers.tasks import CRONS, TASKS
from tests.fx.feed_server import FeedServer, closed_port_url, ecb_xml, running_feed

pytestmark = pytest.mark.usefixtures("seeded")

# Far-future publication days, so refreshed rows never touch the shipped history.
FRIDAY, MONDAY = date(2099, 1, 2), date(2099, 1, 5)
FEED = {
    MONDAY: {"USD": Decimal("1.2000"), "GBP": Decimal("0.80000"), "JPY": Decimal("150.00")},
    FRIDAY: {"USD": Decimal("1.1000"), "GBP": Decimal("0.88000"), "JPY": Decimal("140.50")},
}


@pytest.fixture(scope="module")
def feed() -> Iterator[FeedServer]:
    with running_feed() as server:
        yield server


@pytest.fixture(autouse=True)
async def _forget_future_rates(runtime: Runtime) -> AsyncIterator[None]:
    yield
    async with transaction(runtime.sessions) as session:
        await session.execute(text("DELETE FROM fx_rate WHERE day >= '2099-01-01'"))


async def _refresh(runtime: Runtime, url: str) -> int:
    written: int = await TASKS["refresh_rates"]({"runtime": runtime}, url=url)
    return written


async def _future_rates(runtime: Runtime) -> dict[tuple[date, str], tuple[Decimal, str]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            text("SELECT day, currency, per_eur, source FROM fx_rate WHERE day >= '2099-01-01'")
        )
        return {(day, currency): (rate, source) for day, currency, rate, source in rows}


async def test_refresh_upserts_the_feed(runtime: Runtime, feed: FeedServer) -> None:
    url = feed.serve(ecb_xml(FEED))
    assert await _refresh(runtime, url) == 6
    assert await _future_rates(runtime) == {
        (day, currency): (rate, FEED_SOURCE)
        for day, rates in FEED.items()
        for currency, rate in rates.items()
    }
    assert await _refresh(runtime, url) == 0  # unchanged rates are not rewritten
    feed.serve(ecb_xml({MONDAY: {**FEED[MONDAY], "USD": Decimal("1.2100")}}))
    assert await _refresh(runtime, url) == 1  # a corrected rate replaces the stored one
    assert (await _future_rates(runtime))[MONDAY, "USD"] == (Decimal("1.2100"), FEED_SOURCE)
    assert feed.requests == 3


async def test_refreshed_rates_are_used_with_their_date(runtime: Runtime, feed: FeedServer) -> None:
    await _refresh(runtime, feed.serve(ecb_xml(FEED)))
    async with runtime.sessions() as session:
        table = await load_rates(session, ["GBP", "USD"], date(2099, 1, 3), MONDAY)
    weekend = table.convert(Decimal("88"), "GBP", "USD", date(2099, 1, 4))
    assert weekend is not None
    assert (weekend.amount, weekend.rate_date) == (Decimal("110"), FRIDAY)


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Service unavailable</body></html>",
        b"not xml at all",
        ecb_xml(FEED)[:300],  # cut off mid-document
        b'<?xml version="1.0"?><gesmes:Envelope xmlns:gesmes="x"/>',  # no rates
        b"",
    ],
    ids=["html", "text", "truncated", "empty-envelope", "empty-body"],
)
async def test_a_malformed_feed_keeps_the_stored_rates(
    runtime: Runtime, feed: FeedServer, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    await _refresh(runtime, feed.serve(ecb_xml({FRIDAY: FEED[FRIDAY]})))
    before = await _future_rates(runtime)
    with caplog.at_level(logging.WARNING, logger="netledger.fx"):
        assert await _refresh(runtime, feed.serve(body)) == 0
    assert "fx rates not refreshed, keeping the stored rates" in caplog.text
    assert await _future_rates(runtime) == before


async def test_bad_entries_are_skipped_and_the_rest_kept(
    runtime: Runtime, feed: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = ecb_xml(
        {
            MONDAY: {
                "USD": "1.2000",
                "GBP": "abc",
                "JPY": "-150",
                "CHF": "NaN",
                "EUR": "1",
                "usd": "1.3",
                "ZAR": "1e12",
            }
        }
    ).replace(b"<Cube time='2099-01-05'>", b"<Cube time='2099-01-05'><Cube/>")
    body = body.replace(
        b"\t</Cube>\n</gesmes", b"\t\t<Cube time='2099-13-01'/>\n\t</Cube>\n</gesmes"
    )
    with caplog.at_level(logging.WARNING, logger="netledger.fx"):
        assert await _refresh(runtime, feed.serve(body)) == 1
    assert await _future_rates(runtime) == {(MONDAY, "USD"): (Decimal("1.2000"), FEED_SOURCE)}
    for problem in ("'GBP' rate='abc'", "'JPY'", "'CHF'", "'EUR'", "'usd'", "'ZAR'", "2099-13-01"):
        assert problem in caplog.text


@pytest.mark.parametrize("status", [404, 500, 503])
async def test_an_http_error_keeps_the_stored_rates(
    runtime: Runtime, feed: FeedServer, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="netledger.fx"):
        assert await _refresh(runtime, feed.serve(ecb_xml(FEED), status=status)) == 0
    assert f"answered HTTP {status}" in caplog.text
    assert await _future_rates(runtime) == {}


async def test_an_unreachable_feed_keeps_the_stored_rates(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="netledger.fx"):
        assert await _refresh(runtime, closed_port_url()) == 0
    assert "is unreachable: ConnectError" in caplog.text


def test_parse_feed_rejects_a_feed_without_rates() -> None:
    with pytest.raises(FeedError, match="no valid reference rate"):
        parse_feed(ecb_xml({MONDAY: {"GBP": "abc"}}))
    assert parse_feed(ecb_xml(FEED)).days == [FRIDAY, MONDAY]


async def test_a_worker_runs_the_refresh_job(
    runtime: Runtime, settings: Settings, feed: FeedServer
) -> None:
    url = feed.serve(ecb_xml(FEED))
    await runtime.redis.enqueue_job("refresh_rates", url=url, _queue_name=QUEUE_NAME)
    # No crons: a scheduled job falling due mid-test would be a second, unrelated job.
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[])
    try:
        await worker.main()
    finally:
        await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    assert len(await _future_rates(runtime)) == 6


def test_the_refresh_is_scheduled_daily_without_running_at_startup() -> None:
    (job,) = [c for c in CRONS if c.name == "cron:refresh_rates"]
    assert job.run_at_startup is False
    assert (job.hour, job.minute) == ({6, 15}, 30)


def test_feed_url_defaults_to_the_ecb_and_is_overridable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing is fetched here: tests always pass a local URL to the job.
    monkeypatch.delenv("NETLEDGER_ECB_URL", raising=False)
    assert feed_url(Settings()) == NINETY_DAY_URL
    monkeypatch.setenv("NETLEDGER_ECB_URL", "http://127.0.0.1:9/feed.xml")
    assert feed_url(Settings()) == "http://127.0.0.1:9/feed.xml"
