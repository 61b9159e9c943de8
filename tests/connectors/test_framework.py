"""The connector framework's pieces: windows, URL rebasing, Retry-After, paging, mapping,
and the Redis request budget."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.connectors.base import split_windows
from app.connectors.errors import BadPayload
from app.connectors.http import RequestSpec, rebase, retry_after_seconds
from app.connectors.mapping import Mapper
from app.connectors.paging import Cursor, Offset, PageNumber
from app.connectors.ratelimit import (
    Budget,
    BudgetExhausted,
    RequestBudget,
    budget_key,
    budgets_from_setting,
)


def test_windows_cover_the_range_in_the_network_zone() -> None:
    windows = list(
        split_windows(date(2026, 1, 1), date(2026, 3, 15), "Europe/London", timedelta(days=31))
    )
    assert [w.start.date() for w in windows] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 4),
    ]
    assert windows[-1].end.date() == date(2026, 3, 16)
    assert all(w.end - w.start <= timedelta(days=31) for w in windows)
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert str(windows[0].start.tzinfo) == "Europe/London"


def test_a_single_day_is_one_window() -> None:
    (window,) = split_windows(date(2026, 5, 5), date(2026, 5, 5), "UTC", timedelta(days=31))
    assert window.last_second == datetime(2026, 5, 5, 23, 59, 59, tzinfo=window.start.tzinfo)


def test_rebase_replaces_scheme_and_host_only() -> None:
    url = "https://commissions.api.cj.com/query?x=1"
    assert rebase(url, "http://127.0.0.1:9000") == "http://127.0.0.1:9000/query?x=1"
    assert rebase(url, None) == url


def test_retry_after_forms() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    in_two = (datetime.now(UTC) + timedelta(seconds=120)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 100 < (retry_after_seconds(in_two) or 0) <= 120


async def _collect(paginator, pages):  # type: ignore[no-untyped-def]
    calls = []

    async def fetch(spec: RequestSpec):  # type: ignore[no-untyped-def]
        calls.append(spec)
        payload = pages[len(calls) - 1]
        return payload, payload["records"]

    out = [r async for r in paginator.pages(RequestSpec("GET", "http://x/"), fetch)]
    return out, calls


async def test_page_number_stops_at_a_short_page() -> None:
    pages = [{"records": [1, 2]}, {"records": [3, 4]}, {"records": [5]}]
    out, calls = await _collect(PageNumber(size=2), pages)
    assert out == [[1, 2], [3, 4], [5]]
    assert [c.params["page"] for c in calls] == [1, 2, 3]
    assert calls[0].params["limit"] == 2


async def test_page_number_with_total() -> None:
    pages = [{"records": [1, 2], "total": 2}, {"records": [3, 4], "total": 2}]
    out, calls = await _collect(PageNumber(size=2, total_pages=lambda p: p["total"]), pages)
    assert len(calls) == 2
    assert out == [[1, 2], [3, 4]]


async def test_offset() -> None:
    pages = [{"records": [1, 2]}, {"records": []}]
    out, calls = await _collect(Offset(size=2), pages)
    assert out == [[1, 2]]
    assert [c.params["offset"] for c in calls] == [0, 2]


async def test_cursor_follows_until_none_and_guards_loops() -> None:
    pages = [
        {"records": [1], "next": "a"},
        {"records": [2], "next": "b"},
        {"records": [3], "next": "a"},  # a repeated cursor would loop forever
    ]
    paginator = Cursor(
        next_cursor=lambda p: p["next"], apply=lambda spec, c: spec.with_params(cursor=c)
    )
    out, calls = await _collect(paginator, pages)
    assert out == [[1], [2], [3]]
    assert [c.params.get("cursor") for c in calls] == [None, "a", "b"]


def test_mapper_parses_exactly() -> None:
    m = Mapper(
        "x", {"a": {"amount": Decimal("55.96")}, "s": "1,234.50", "t": "2024-03-02T10:31:44"}
    )
    assert m.money("a.amount") == Decimal("55.96")
    assert m.money("s") == Decimal("1234.50")
    assert m.time("t", "Europe/London") == datetime(2024, 3, 2, 10, 31, 44, tzinfo=UTC)
    assert m.time("t", "US/Pacific") == datetime(2024, 3, 2, 18, 31, 44, tzinfo=UTC)


def test_mapper_names_network_and_field() -> None:
    m = Mapper("awin", {"amount": 1.5, "when": "yesterday", "status": "weird"})
    with pytest.raises(BadPayload, match="awin record field 'amount' is a float"):
        m.money("amount")
    with pytest.raises(BadPayload, match="'when' is not a date/time"):
        m.time("when")
    with pytest.raises(BadPayload, match="unknown status 'weird'"):
        m.status("status", {"pending": "pending"})
    with pytest.raises(BadPayload, match="'missing' is missing"):
        m.required_text("missing")


def test_mapper_reads_rakuten_dates() -> None:
    m = Mapper("rakuten", {"d": "Wed Apr 30 2014 03:07:13 GMT+0000 (UTC)"})
    formats = ("%a %b %d %Y %H:%M:%S GMT%z",)
    assert m.time("d", formats=formats) == datetime(2014, 4, 30, 3, 7, 13, tzinfo=UTC)


async def test_budget_is_shared_and_sliding(runtime) -> None:  # type: ignore[no-untyped-def]
    key = budget_key("test", "credential")
    first = RequestBudget(runtime.redis, key, [Budget(3, 1.0)])
    second = RequestBudget(runtime.redis, key, [Budget(3, 1.0)])  # another worker
    assert [await first.try_take(), await second.try_take(), await first.try_take()] == [0, 0, 0]
    wait = await second.try_take()
    assert 0 < wait <= 1.0
    assert await first.take() > 0  # waits for the window to slide, then takes


async def test_every_window_of_a_budget_must_have_room(runtime) -> None:  # type: ignore[no-untyped-def]
    # Tune-like: 3 per second and 4 per 30 s; the longer window binds after the 4th.
    budget = RequestBudget(runtime.redis, budget_key("test", "two"), [Budget(3, 1), Budget(4, 30)])
    assert [await budget.try_take() for _ in range(3)] == [0, 0, 0]
    assert 0 < await budget.try_take() <= 1  # the per-second window is full
    await budget.take()
    assert 28 < await budget.try_take() <= 30  # four in 30 s: the long window is full
    # A job does not sleep through a long wait: it learns when the budget frees.
    with pytest.raises(BudgetExhausted) as spent:
        await budget.take(max_wait=5)
    assert 28 < spent.value.wait <= 30


def test_operator_budgets_replace_the_documented_ones() -> None:
    assert budgets_from_setting(600) == (Budget(600, 60),)
    assert budgets_from_setting({"per_day": 100000, "per_10_seconds": 5}) == (
        Budget(100000, 86400),
        Budget(5, 10),
    )


async def test_a_retry_after_longer_than_a_job_waits_ends_with_a_resume_time(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    from app.connectors.errors import QuotaSpent
    from tests.connectors.support import CASES, connector_for, knobs, window

    # Rakuten's gateway says: come back in an hour. A job does not sleep for it.
    knobs(sandbox["rakuten"], fail_next=[429], retry_after=3600)
    connector = connector_for(runtime, CASES["rakuten"])
    with pytest.raises(QuotaSpent) as spent:
        async for _ in connector.transactions(*window(3)):
            pass
    assert spent.value.code == "rate_limited"
    wait = (spent.value.resume_at - datetime.now(UTC)).total_seconds()
    assert 3500 < wait <= 3600
