"""The performance report: conversion at each day's ECB rate, groupings, filled time
series, unconverted currencies, CSV, and workspace isolation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from app.db import transaction
from app.fx.convert import load_rates
from app.fx.money import round_money
from app.ledger.ingest import Target, ingest
from app.ledger.records import TransactionRecord
from tests.factories import make_workspace
from tests.workers.support import rollups_match_transactions


def line(
    external_id: str, when: datetime, amount: str, currency: str, status: str = "approved", **extra
):  # type: ignore[no-untyped-def]
    return TransactionRecord(
        external_id=external_id,
        status=status,
        network_status=status,
        event_at=when,
        commission_amount=Decimal(amount),
        sale_amount=Decimal(amount) * 10,
        currency=currency,
        raw={},
        **extra,
    )


async def add_connection(runtime, workspace_id, network: str, nickname: str):  # type: ignore[no-untyped-def]
    async with runtime.engine.begin() as db:
        return (
            await db.execute(
                text(
                    "insert into connection (workspace_id, network, nickname, credentials_sealed) "
                    "values (:w, :n, :k, '\\x00') returning id"
                ),
                {"w": workspace_id, "n": network, "k": nickname},
            )
        ).scalar_one()


@pytest.fixture
async def ledger(runtime):  # type: ignore[no-untyped-def]
    """A USD workspace with Awin (GBP, EUR) and CJ (USD) lines in March 2024, plus one line
    in a currency the ECB does not publish."""
    ws = await make_workspace(runtime, currency="USD", timezone="Europe/London")
    awin = await add_connection(runtime, ws["id"], "awin", "Awin UK")
    cj = await add_connection(runtime, ws["id"], "cj", "CJ")
    d = lambda day, hour=12: datetime(2024, 3, day, hour, tzinfo=UTC)  # noqa: E731
    awin_lines = [
        line(
            "a1",
            d(4),
            "10.00",
            "GBP",
            advertiser_id="p1",
            advertiser_name="Shoes",
            click_ref="post-1",
            country="GB",
            device="iPhone",
        ),
        line("a2", d(4), "5.00", "GBP", "pending", advertiser_id="p1", click_ref="post-2"),
        line(
            "a3", d(9), "20.00", "EUR", "declined", advertiser_id="p2", advertiser_name="Hats"
        ),  # a Saturday
        line("a4", d(6), "7.00", "ZWL", advertiser_id="p2"),
    ]
    cj_lines = [
        line("c1", d(5), "30.00", "USD", "paid", advertiser_id="x", advertiser_name="Tents"),
        # 23:30 UTC on the 31st of March is 00:30 on 1 April in London (BST).
        line("c2", d(31, 23).replace(minute=30), "1.00", "USD", "pending", advertiser_id="x"),
    ]
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ws["id"], awin, "awin", "Europe/London"), awin_lines)
        await ingest(session, Target(ws["id"], cj, "cj", "Europe/London"), cj_lines)
    return {**ws, "awin": str(awin), "cj": str(cj)}


async def usd(runtime, amount: str, currency: str, day: date) -> Decimal:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        rates = await load_rates(session, {currency, "USD"}, day, day)
    converted = rates.convert(Decimal(amount), currency, "USD", day)
    assert converted is not None
    return converted.amount


async def test_by_network_in_the_workspace_currency(
    client: httpx.AsyncClient, runtime, ledger
) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-03-31", "group_by": "network"},
        headers=ledger["headers"],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["currency"] == "USD"
    rows = {r["network"]: r for r in report["data"]}
    gbp = await usd(runtime, "15.00", "GBP", date(2024, 3, 4))
    eur = await usd(runtime, "20.00", "EUR", date(2024, 3, 8))  # Saturday: Friday's rate
    assert rows["awin"]["commission_amount"] == str(round_money(gbp + eur, "USD"))
    assert rows["awin"]["transactions"] == 4  # counted whatever their currency
    assert rows["awin"]["declined_commission"] == str(round_money(eur, "USD"))
    assert rows["awin"]["unconverted"] == [
        {"currency": "ZWL", "transactions": 1, "sale_amount": "70.00", "commission_amount": "7.00"}
    ]
    # c2 happened on 1 April in London: outside March.
    assert rows["cj"]["commission_amount"] == "30.00"
    assert rows["cj"]["paid_commission"] == "30.00"
    assert rows["cj"]["approval_rate"] == "1.0000"
    assert report["rates"]["first_rate_date"] == "2024-03-04"
    assert report["rates"]["last_rate_date"] == "2024-03-08"


async def test_another_currency_and_rates(client, runtime, ledger) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/v1/reports/performance",
        params={
            "start": "2024-03-04",
            "end": "2024-03-04",
            "group_by": "status",
            "currency": "GBP",
        },
        headers=ledger["headers"],
    )
    rows = {r["status"]: r for r in response.json()["data"]}
    assert rows["approved"]["commission_amount"] == "10.00"
    assert rows["pending"]["commission_amount"] == "5.00"
    assert rows["approved"]["approval_rate"] == "1.0000"


async def test_daily_series_is_filled(client, ledger) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-03-10", "group_by": "network,day"},
        headers=ledger["headers"],
    )
    data = response.json()["data"]
    assert len(data) == 2 * 10  # two networks x ten days, empty days as zeros
    awin = [r for r in data if r["network"] == "awin"]
    assert [r["day"] for r in awin] == [f"2024-03-{d:02d}" for d in range(1, 11)]
    assert awin[0]["transactions"] == 0
    assert awin[0]["commission_amount"] == "0.00"


async def test_weeks_months_and_detail_keys(client, ledger) -> None:  # type: ignore[no-untyped-def]
    weeks = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-04-30", "group_by": "month"},
        headers=ledger["headers"],
    )
    months = {r["month"]: r["transactions"] for r in weeks.json()["data"]}
    assert months == {"2024-03-01": 5, "2024-04-01": 1}
    refs = await client.get(
        "/v1/reports/performance",
        params={
            "start": "2024-03-01",
            "end": "2024-03-31",
            "group_by": "click_ref,country,device",
            "network": "awin",
        },
        headers=ledger["headers"],
    )
    by_ref = {r["click_ref"]: r for r in refs.json()["data"]}
    assert by_ref["post-1"]["country"] == "GB"
    assert by_ref["post-1"]["device"] == "iPhone"
    assert by_ref["post-1"]["clicks"] is None
    program = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-03-31", "group_by": "program,connection"},
        headers=ledger["headers"],
    )
    names = {(r["program_name"], r["connection_name"]) for r in program.json()["data"]}
    assert ("Shoes", "Awin UK") in names
    assert ("Tents", "CJ") in names


async def test_csv(client, ledger) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-03-31", "group_by": "network"},
        headers={**ledger["headers"], "Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["network"] for r in rows} == {"awin", "cj"}
    assert next(r for r in rows if r["network"] == "awin")["unconverted"] == "ZWL 7.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "planet"}, "group_by"),
        ({"group_by": "day,week"}, "group_by"),
        ({"currency": "XYZ"}, "currency"),
        ({"start": "2024-05-01", "end": "2024-04-01"}, "start"),
        ({"connection_id": "nope"}, "connection_id"),
    ],
)
async def test_bad_parameters(client, ledger, params, field) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/v1/reports/performance", params=params, headers=ledger["headers"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_another_workspace_sees_nothing(client, runtime, ledger) -> None:  # type: ignore[no-untyped-def]
    other = await make_workspace(runtime, name="Other")
    response = await client.get(
        "/v1/reports/performance",
        params={"start": "2024-03-01", "end": "2024-03-31", "group_by": "network"},
        headers=other["headers"],
    )
    assert response.json()["data"] == []


async def test_results_are_cached_until_the_ledger_changes(client, runtime, ledger) -> None:  # type: ignore[no-untyped-def]
    from app.reporting.cache import bump

    params = {"start": "2024-03-01", "end": "2024-03-31", "group_by": "network"}

    async def cj_total() -> str:
        response = await client.get(
            "/v1/reports/performance", params=params, headers=ledger["headers"]
        )
        return next(r for r in response.json()["data"] if r["network"] == "cj")["commission_amount"]

    assert await cj_total() == "30.00"
    extra = line("c3", datetime(2024, 3, 6, 12, tzinfo=UTC), "5.00", "USD")
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ledger["id"], ledger["cj"], "cj", "Europe/London"), [extra])
    assert await cj_total() == "30.00"  # served from the cache: nothing said the ledger moved
    await bump(runtime.redis, ledger["id"])  # what every write path does after committing
    assert await cj_total() == "35.00"


async def test_changing_the_timezone_recuts_days(client, runtime, ledger) -> None:  # type: ignore[no-untyped-def]
    params = {"start": "2024-04-01", "end": "2024-04-01", "group_by": "network"}
    before = await client.get("/v1/reports/performance", params=params, headers=ledger["headers"])
    assert [r["transactions"] for r in before.json()["data"]] == [1]  # 00:30 in London
    await client.patch("/v1/workspace", json={"timezone": "UTC"}, headers=ledger["headers"])
    after = await client.get("/v1/reports/performance", params=params, headers=ledger["headers"])
    assert after.json()["data"] == []  # 23:30 on 31 March in UTC
    await rollups_match_transactions(runtime)  # every level, recut
