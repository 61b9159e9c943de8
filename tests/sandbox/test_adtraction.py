"""The AdTraction sandbox over real HTTP, held to the recorded v1 responses
(shared/networks/fixtures/adtraction/: approved channels, programs): X-Token or ?token=,
dates with offsets, 31-day ranges, status filters, the "No transactions found." object,
`{"status", "message"}` errors, 30 calls a minute with the reset in milliseconds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from app.sandbox.adtraction import CONNECTIONS, TRANSACTIONS, expected
from app.sandbox.adtraction_records import channel_ids
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client

TOKEN = CONNECTIONS[1].credentials["api_token"]
AUTH = {"X-Token": TOKEN}
# Key -> JSON type of the recorded responses (SebastianJ/adtraction-api cassettes).
RECORDED_CHANNEL = {"channelId": int, "channelName": str}
RECORDED_PROGRAM = {
    "programId": int,
    "market": str,
    "currency": str,
    "approvalStatus": int,
    "feed": bool,
    "programName": str,
    "programURL": str,
    "pendingActive": bool,
    "cookieDuration": int,
    "adId": int,
    "compensations": list,
    "logoURL": str,
    "category": str,
}
RECORDED_COMPENSATION = {"name": str, "value": float, "type": str, "transactionType": int}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["adtraction"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["adtraction"], rate_limits={}) as c:
        yield c


def dates(days_back: int, days: int) -> dict[str, Any]:
    start = TODAY - timedelta(days=days_back)
    end = start + timedelta(days=days)
    return {"fromDate": f"{start}T00:00:00+0100", "toDate": f"{end}T00:00:00+0100"}


def post(client: httpx.Client, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return client.post(TRANSACTIONS, json=body, headers=kw.pop("headers", AUTH), **kw)


def test_auth_by_header_or_query_and_the_error_shape(client: httpx.Client) -> None:
    body = {**dates(20, 10), "transactionStatus": 0}
    assert post(client, body).status_code == 200
    assert post(client, body, headers={}, params={"token": TOKEN}).status_code == 200
    missing = post(client, body, headers={})
    assert missing.status_code == 401
    assert missing.json()["status"] == 401
    bad = post(client, body, headers={"X-Token": "bad-token"})
    assert bad.status_code == 401
    assert set(bad.json()) == {"status", "message"}


def test_the_rows_are_what_expected_computes(client: httpx.Client) -> None:
    body = {**dates(30, 20), "transactionStatus": 0}
    rows = post(client, body).json()
    lo, hi = (datetime.strptime(body[k], "%Y-%m-%dT%H:%M:%S%z") for k in ("fromDate", "toDate"))
    hi += timedelta(seconds=1)  # toDate is inclusive
    want = sorted(
        (t for c in channel_ids(TOKEN) for t in expected(c, 0, SPEC, lo, hi)),
        key=lambda t: t.event_at,
    )
    assert [r["uniqueId"] for r in rows] == [t.external_id for t in want]
    first = rows[0]
    assert isinstance(first["transactionStatus"], int)
    assert isinstance(first["commission"], float)
    assert first["transactionDate"][-5:] in ("+0100", "+0200")
    assert set(first["click"]) == {"programId", "programName", "channelId", "clickDate", "epi"}
    assert {r["transactionStatus"] for r in rows} <= {1, 2, 4, 5}


def test_status_channel_and_market_filters(client: httpx.Client) -> None:
    base = dates(90, 31)
    everything = post(client, {**base, "transactionStatus": 0}).json()
    for code, kept in ((1, {1}), (3, {1, 2}), (5, {5})):
        rows = post(client, {**base, "transactionStatus": code}).json()
        rows = rows if isinstance(rows, list) else []
        assert {r["transactionStatus"] for r in rows} <= kept
        assert len(rows) == sum(r["transactionStatus"] in kept for r in everything)
    one = channel_ids(TOKEN)[1]
    rows = post(client, {**base, "channelId": int(one)}).json()
    assert rows
    assert {r["click"]["channelId"] for r in rows} == {int(one)}
    foreign = post(client, {**base, "channelId": 42})
    assert foreign.status_code == 403
    swedish = post(client, {**base, "market": "SE"}).json()
    assert isinstance(swedish, dict) or {r["currency"] for r in swedish} == {"SEK"}


def test_dates_need_an_offset_and_at_most_31_days(client: httpx.Client) -> None:
    naive = post(client, {"fromDate": "2026-06-01", "toDate": "2026-06-02"})
    assert naive.status_code == 400
    assert "offset" in naive.json()["message"]
    long = post(client, dates(80, 32))
    assert long.status_code == 400
    assert "31 days" in long.json()["message"]
    # 31 days across the autumn clock change are still 31 days.
    autumn = {"fromDate": "2026-10-01T00:00:00+0200", "toDate": "2026-11-01T00:00:00+0100"}
    assert post(client, autumn).status_code == 200
    assert post(client, {"toDate": "2026-06-02T00:00:00+0200"}).status_code == 400
    text = client.post(TRANSACTIONS, content=b"{}", headers={**AUTH, "Content-Type": "text/plain"})
    assert text.status_code == 415


def test_an_empty_range_is_a_message_object(client: httpx.Client) -> None:
    response = post(client, dates(900, 5))
    assert response.status_code == 200
    assert response.json() == {"message": "No transactions found."}


def test_channels_and_programs_have_the_recorded_shapes(client: httpx.Client) -> None:
    channels = client.get("/v2/affiliate/channels/", headers=AUTH).json()
    assert len(channels) == 2
    assert all({k: type(v) for k, v in c.items()} == RECORDED_CHANNEL for c in channels)
    client.post("/_sandbox/config", json={"programs_shape": "v1"}).raise_for_status()
    markets = [m["market"] for m in client.get("/v2/partner/markets/", headers=AUTH).json()]
    programs = [
        p
        for m in markets
        for p in client.get("/v2/affiliate/programs/", params={"market": m}, headers=AUTH).json()
    ]
    assert programs
    for p in programs:
        assert {k: type(v) for k, v in p.items()} == RECORDED_PROGRAM
        for c in p["compensations"]:
            assert {k: type(v) for k, v in c.items()} == RECORDED_COMPENSATION
    assert {p["approvalStatus"] for p in programs} <= {0, 1, 2, 3}
    client.post("/_sandbox/config", json={"programs_shape": "v2"}).raise_for_status()
    v2 = client.get("/v2/affiliate/programs/", params={"market": markets[0]}, headers=AUTH)
    assert all("commissions" in p and "categoryName" in p for p in v2.json())
    missing = client.get("/v2/affiliate/programs/", headers=AUTH)
    assert missing.status_code == 400


def test_thirty_calls_a_minute_then_429_with_a_millisecond_reset(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["adtraction"]) as client:
        codes = [client.get("/v2/partner/markets/", headers=AUTH).status_code for _ in range(31)]
        assert codes == [200] * 30 + [429]
        throttled = client.get("/v2/partner/markets/", headers=AUTH)
        assert throttled.json()["status"] == 429
        assert "retry-after" not in throttled.headers
        reset = int(throttled.headers["X-RateLimit-Reset"])
        assert reset > 10**11
        assert reset / 1000 > time.time() - 5
