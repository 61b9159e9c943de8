"""Amazon uploads through the API and a real arq worker: exact totals, the same file
twice, overlapping downloads, and every bad input refused with nothing written."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from app.amazon.mapping import OrderedDay
from app.amazon.sample import build_sample
from app.ledger.clicks import DayClicks
from app.uploads.ingest import _daily_statistics
from tests.amazon.support import EARNINGS_CSV, zip_of
from tests.workers.support import drain

AMAZON = {
    "network": "amazon",
    "nickname": "Amazon US",
    "credentials": {"store_id": "mysite-20", "currency": "USD", "marketplace": "US"},
}


async def amazon_connection(client: httpx.AsyncClient, headers: dict) -> str:
    response = await client.post("/v1/connections", json=AMAZON, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def upload(client, headers, connection_id: str, data: bytes, name: str = "reports.zip"):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/v1/connections/{connection_id}/uploads",
        files={"file": (name, data, "application/zip")},
        headers=headers,
    )


async def totals(runtime) -> tuple[int, Decimal]:  # type: ignore[no-untyped-def]
    async with runtime.engine.connect() as db:
        row = (
            await db.execute(
                text("select count(*), coalesce(sum(commission_amount), 0) from transaction")
            )
        ).one()
    return int(row[0]), Decimal(row[1])


async def test_upload_is_ingested_exactly_once(client, workspace, runtime, settings) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection_id = await amazon_connection(client, headers)
    sample = build_sample(start=date(2024, 1, 1), days=30, seed=3)
    assert sample.data is not None

    response = await upload(client, headers, connection_id, sample.data)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["state"] == "queued"
    await drain(settings)

    done = (await client.get(f"/v1/uploads/{queued['id']}", headers=headers)).json()
    assert done["state"] == "succeeded", done
    assert done["rows_parsed"] > 0
    assert done["report_counts"]["Fee-Earnings"] == sample.totals.earnings_rows
    assert done["date_start"] == "2024-01-01"
    assert done["date_end"] <= "2024-01-30"
    count, commission = await totals(runtime)
    assert commission == sample.totals.commission
    assert done["inserted"] == count

    # The same file again is recognised and counts once.
    again = await upload(client, headers, connection_id, sample.data, name="copy.zip")
    assert again.status_code == 200
    assert again.json()["id"] == queued["id"]
    await drain(settings)
    assert await totals(runtime) == (count, commission)

    listed = (await client.get("/v1/uploads", headers=headers)).json()["data"]
    assert [u["id"] for u in listed] == [queued["id"]]

    # Daily trends became click statistics the reports use.
    report = (
        await client.get(
            "/v1/reports/performance",
            params={"start": "2024-01-01", "end": "2024-01-31", "group_by": "network"},
            headers=headers,
        )
    ).json()["data"][0]
    assert report["clicks"] == sample.totals.clicks
    # The orders report says what is coming: ordered items and their value, not commission.
    assert sample.totals.orders_rows > 0
    assert report["ordered_items"] == sample.totals.ordered_items
    assert report["ordered_amount"] == str(sample.totals.ordered_amount.quantize(Decimal("0.01")))
    assert report["commission_amount"] == str(sample.totals.commission.quantize(Decimal("0.01")))


async def test_overlapping_downloads_do_not_double_count(
    client, workspace, runtime, settings
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection_id = await amazon_connection(client, headers)
    options = {"empty": ("Fee-Orders", "Bounty"), "seed": 5}
    jan_mar = build_sample(start=date(2024, 1, 1), days=91, **options)  # type: ignore[arg-type]
    feb_apr = build_sample(start=date(2024, 2, 1), days=90, **options)  # type: ignore[arg-type]
    jan_apr = build_sample(start=date(2024, 1, 1), days=121, **options)  # type: ignore[arg-type]
    for sample in (jan_mar, feb_apr):
        assert (await upload(client, headers, connection_id, sample.data)).status_code == 202
        await drain(settings)
    count, commission = await totals(runtime)
    assert commission == jan_apr.totals.commission
    assert count == jan_apr.totals.earnings_rows


def nested_zip() -> bytes:
    inner = zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    return zip_of({"inner.zip": inner})


def encrypted_zip() -> bytes:
    data = bytearray(zip_of({"Fee-Earnings.csv": EARNINGS_CSV}, method=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local header and the central directory.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x01
    return bytes(data)


def bomb_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Fee-Earnings.csv", b"0" * (300 * 1024 * 1024))
    return out.getvalue()


def traversal_zip() -> bytes:
    return zip_of({"../../etc/Fee-Earnings.csv": EARNINGS_CSV})


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"this is not a zip at all", "not a zip"),
        (nested_zip(), "archive"),
        (encrypted_zip(), "encrypt"),
        (bomb_zip(), "zip bomb"),
        (traversal_zip(), ".."),
    ],
    ids=["not-zip", "nested", "encrypted", "bomb", "traversal"],
)
async def test_bad_archives_are_refused_and_nothing_is_written(
    client, workspace, runtime, data, says
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection_id = await amazon_connection(client, headers)
    response = await upload(client, headers, connection_id, data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert says.lower() in response.json()["detail"].lower()
    async with runtime.engine.connect() as db:
        assert await db.scalar(text("select count(*) from upload")) == 0


async def test_over_50_mb_is_413(client, workspace) -> None:  # type: ignore[no-untyped-def]
    connection_id = await amazon_connection(client, workspace["headers"])
    response = await upload(client, workspace["headers"], connection_id, b"0" * (51 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


async def test_only_amazon_connections_take_uploads(client, workspace) -> None:  # type: ignore[no-untyped-def]
    awin = await client.post(
        "/v1/connections",
        json={
            "network": "awin",
            "credentials": {"api_token": "d6a3b1c2-0f4e-4b8a-9c77-5e2f1a0b9c8d", "timezone": "UTC"},
        },
        headers=workspace["headers"],
    )
    response = await upload(client, workspace["headers"], awin.json()["id"], zip_of({"a.csv": "x"}))
    assert response.status_code == 409
    assert "Only Amazon" in response.json()["detail"]


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ({"notes.txt": "hello"}, "no amazon report"),
        (
            {"Fee-Earnings.csv": EARNINGS_CSV.replace("mysite-20", "someoneelse-20")},
            "someoneelse-20",
        ),
        (
            {"Fee-Earnings.csv": EARNINGS_CSV.replace(",Ad Fees($)", "").replace(",2.00,", ",")},
            "ad_fees",
        ),
    ],
    ids=["no-report", "foreign-store", "missing-column"],
)
async def test_bad_reports_fail_the_upload_and_write_no_lines(
    client, workspace, runtime, settings, entries, says
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection_id = await amazon_connection(client, headers)
    response = await upload(client, headers, connection_id, zip_of(entries))
    assert response.status_code == 202, response.text
    await drain(settings)
    done = (await client.get(f"/v1/uploads/{response.json()['id']}", headers=headers)).json()
    assert done["state"] == "failed"
    assert says.lower() in str(done["errors"]).lower()
    assert await totals(runtime) == (0, Decimal(0))


async def test_another_workspace_cannot_see_uploads(client, workspace, runtime, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_workspace

    connection_id = await amazon_connection(client, workspace["headers"])
    created = await upload(
        client, workspace["headers"], connection_id, zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    )
    other = await make_workspace(runtime, name="Other")
    assert (
        await client.get(f"/v1/uploads/{created.json()['id']}", headers=other["headers"])
    ).status_code == 404
    assert (await client.get("/v1/uploads", headers=other["headers"])).json()["data"] == []
    assert (await upload(client, other["headers"], connection_id, b"x")).status_code == 404


async def test_a_failed_file_is_processed_again_once_the_connection_is_fixed(  # type: ignore[no-untyped-def]
    client, workspace, runtime, settings
) -> None:
    headers = workspace["headers"]
    connection_id = await amazon_connection(client, headers)
    data = zip_of({"Fee-Earnings.csv": EARNINGS_CSV.replace("mysite-20", "otherblog-20")})
    first = await upload(client, headers, connection_id, data)
    await drain(settings)
    assert (await client.get(f"/v1/uploads/{first.json()['id']}", headers=headers)).json()[
        "state"
    ] == "failed"
    fixed = await client.patch(
        f"/v1/connections/{connection_id}",
        json={"credentials": {"store_id": "otherblog-20"}},
        headers=headers,
    )
    assert fixed.status_code == 200
    again = await upload(client, headers, connection_id, data)
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    await drain(settings)
    done = (await client.get(f"/v1/uploads/{first.json()['id']}", headers=headers)).json()
    assert done["state"] == "succeeded"
    assert done["errors"] == []
    assert await totals(runtime) == (3, Decimal("3.15"))


def test_daily_statistics_take_items_from_trends_and_value_from_orders() -> None:
    monday, tuesday, wednesday = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)
    trends = {monday: DayClicks(monday, clicks=100, ordered_items=7), tuesday: DayClicks(tuesday)}
    ordered = {
        monday: OrderedDay(monday, items=7, amount=Decimal("70.00")),
        wednesday: OrderedDay(wednesday, items=2, amount=Decimal("19.98")),
    }
    days = {d.day: d for d in _daily_statistics(trends, ordered, "USD", has_orders=True)}
    assert (days[monday].clicks, days[monday].ordered_items) == (100, 7)
    assert (days[monday].ordered_amount, days[monday].currency) == (Decimal("70.00"), "USD")
    # The orders report covers Tuesday and lists nothing: worth 0, not unknown.
    assert days[tuesday].ordered_amount == Decimal(0)
    # A day only the orders report covers counts its items.
    assert (days[wednesday].clicks, days[wednesday].ordered_items) == (0, 2)
    # Without an orders report, what orders are worth is unknown.
    without = _daily_statistics(trends, {}, "USD", has_orders=False)
    assert [d.ordered_amount for d in without] == [None, None]
