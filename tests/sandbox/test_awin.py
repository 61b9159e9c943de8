"""The Awin sandbox over real local HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.sandbox.awin import publisher_ids
from app.sandbox.expected import expected_records, expected_transactions
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client, windows

TOKEN = "awin-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PID = publisher_ids(TOKEN)[0]
TX = f"/publishers/{PID}/transactions/"
FMT = "%Y-%m-%dT%H:%M:%S"


def params(start: datetime, end: datetime, **extra: str) -> dict[str, str]:
    return {"startDate": start.strftime(FMT), "endDate": end.strftime(FMT), **extra}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["awin"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["awin"]) as c:
        yield c


def test_auth_header_or_query_accepted_bad_tokens_refused(client: httpx.Client) -> None:
    assert client.get("/accounts", headers=AUTH).status_code == 200
    assert client.get("/accounts", params={"accessToken": TOKEN}).status_code == 200
    missing = client.get("/accounts")
    assert missing.status_code == 401
    assert missing.json()["error"] == "unauthorized"
    bad = client.get("/accounts", headers={"Authorization": "Bearer bad-token"})
    assert bad.status_code == 401
    assert set(bad.json()) == {"error", "description"}


def test_accounts_fan_out_and_foreign_publisher(client: httpx.Client) -> None:
    body = client.get("/accounts", params={"type": "publisher"}, headers=AUTH).json()
    assert [a["accountId"] for a in body["accounts"]] == publisher_ids(TOKEN)
    assert {a["accountType"] for a in body["accounts"]} == {"publisher"}
    everything = client.get("/accounts", headers=AUTH).json()["accounts"]
    assert "advertiser" in {a["accountType"] for a in everything}
    start = datetime(2026, 6, 1)
    other = publisher_ids("someone-else")[0]
    response = client.get(
        f"/publishers/{other}/transactions/", params=params(start, start), headers=AUTH
    )
    assert response.status_code == 403


def test_window_limit_and_parameter_checks(client: httpx.Client) -> None:
    start = datetime(2026, 5, 1)
    ok = client.get(TX, params=params(start, start + timedelta(days=31)), headers=AUTH)
    assert ok.status_code == 200
    assert isinstance(ok.json(), list)
    too_long = client.get(
        TX, params=params(start, start + timedelta(days=31, seconds=1)), headers=AUTH
    )
    assert too_long.status_code == 400
    assert "31 days" in too_long.json()["description"]
    for bad in (
        {"startDate": "2026-05-01"},
        params(start, start, timezone="Asia/Tokyo"),
        params(start, start, dateType="posting"),
        params(start, start, status="paid"),
        params(start + timedelta(days=1), start),
    ):
        assert client.get(TX, params=bad, headers=AUTH).status_code == 400, bad


def test_windows_followed_to_the_end_return_exactly_the_generator_rows(
    client: httpx.Client,
) -> None:
    client.post("/_sandbox/config", json={"rate_limit_per_minute": 1000})
    start, end = TODAY - timedelta(days=120), TODAY - timedelta(days=1)
    got = []
    for lo, hi in windows(start, end, 31):
        last_second = hi - timedelta(seconds=1)
        response = client.get(TX, params=params(lo, last_second), headers=AUTH)
        assert response.status_code == 200
        got.extend(response.json())
    expected = expected_records("awin", PID, 0, start, end, spec=SPEC)
    assert got == json.loads(json.dumps(expected))
    assert len({r["id"] for r in got}) == len(got) > 100
    stats = client.get("/_sandbox/stats").json()
    assert stats["by_route"]["GET /publishers/{publisher_id}/transactions/"] == 4
    assert stats["by_credential"][TOKEN] == 4
    assert {r["query"]["startDate"] for r in stats["requests"]} == {
        lo.strftime(FMT) for lo, _ in windows(start, end, 31)
    }


def test_dates_are_rendered_in_the_requested_timezone(client: httpx.Client) -> None:
    lo, hi = datetime(2026, 3, 1), datetime(2026, 3, 31, 23, 59, 59)
    utc = client.get(TX, params=params(lo, hi), headers=AUTH).json()
    pacific = client.get(TX, params=params(lo, hi, timezone="US/Pacific"), headers=AUTH).json()
    assert pacific == json.loads(
        json.dumps(
            expected_records(
                "awin", PID, 0, lo, hi + timedelta(seconds=1), spec=SPEC, timezone="US/Pacific"
            )
        )
    )
    by_id = {r["id"]: r for r in utc}
    shared = [r for r in pacific if r["id"] in by_id]
    assert shared
    for row in shared:
        local = datetime.strptime(row["transactionDate"], FMT)
        in_utc = datetime.strptime(by_id[row["id"]]["transactionDate"], FMT)
        assert in_utc - local in (timedelta(hours=7), timedelta(hours=8))
        assert "+" not in row["transactionDate"]
        assert not row["transactionDate"].endswith("Z")


def test_record_shape_and_money(client: httpx.Client) -> None:
    rows = expected_transactions("awin", PID, 0, TODAY - timedelta(days=400), TODAY, spec=SPEC)
    records = [t.record for t in rows]
    assert {r["commissionStatus"] for r in records} >= {"pending", "approved", "declined"}
    assert len({r["commissionAmount"]["currency"] for r in records}) >= 3
    assert any(r["commissionAmount"]["amount"] == 0 for r in records)
    assert any(r["paidToPublisher"] for r in records)
    assert any(len(r["transactionParts"]) > 1 for r in records)
    for txn in rows:
        assert Decimal(str(txn.record["commissionAmount"]["amount"])) == txn.commission_amount
    lo = datetime(2026, 6, 1)
    basket = client.get(
        TX, params=params(lo, lo + timedelta(days=10), showBasketProducts="true"), headers=AUTH
    ).json()
    assert basket
    assert all(r["basketProducts"] for r in basket)


def test_epoch_bump_changes_status_and_amounts(client: httpx.Client) -> None:
    lo, hi = datetime(2026, 5, 16), datetime(2026, 6, 14, 23, 59, 59)
    before = {r["id"]: r for r in client.get(TX, params=params(lo, hi), headers=AUTH).json()}
    assert client.post("/_sandbox/epoch").json() == {"epoch": 1}
    after = {r["id"]: r for r in client.get(TX, params=params(lo, hi), headers=AUTH).json()}
    assert before.keys() == after.keys()
    status_changed = [
        i for i in before if before[i]["commissionStatus"] != after[i]["commissionStatus"]
    ]
    amount_changed = [
        i for i in before if before[i]["commissionAmount"] != after[i]["commissionAmount"]
    ]
    assert status_changed
    assert amount_changed
    assert all(before[i]["commissionStatus"] == "pending" for i in status_changed)
    assert all(after[i]["amended"] for i in amount_changed)
    expected = expected_records("awin", PID, 1, lo, hi + timedelta(seconds=1), spec=SPEC)
    assert list(after.values()) == json.loads(json.dumps(expected))
    # The changes are dated today, so a validation-date window over today finds them.
    today = datetime.combine(TODAY, datetime.min.time())
    validated = client.get(
        TX,
        params=params(today, today + timedelta(hours=23), dateType="validation"),
        headers=AUTH,
    ).json()
    assert {r["id"] for r in validated} >= {i for i in status_changed}


def test_rate_limit_20_a_minute_per_token_without_retry_after(client: httpx.Client) -> None:
    for _ in range(20):
        assert client.get("/accounts", headers=AUTH).status_code == 200
    limited = client.get("/accounts", headers=AUTH)
    assert limited.status_code == 429
    assert "retry-after" not in limited.headers
    other = client.get("/accounts", headers={"Authorization": "Bearer another-token"})
    assert other.status_code == 200
    client.post("/_sandbox/config", json={"rate_limit_per_minute": 1000})
    assert client.get("/accounts", headers=AUTH).status_code == 200


def test_injected_failures_malformed_bodies_and_latency(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"fail_next": [429, 503, 500]})
    statuses = [client.get("/accounts", headers=AUTH) for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 503, 500, 200]
    assert "retry-after" not in statuses[0].headers
    assert statuses[1].json()["error"] == "service_unavailable"
    client.post("/_sandbox/config", json={"fail_next": [429], "retry_after": 1})
    assert client.get("/accounts", headers=AUTH).headers["retry-after"] == "1"

    client.post("/_sandbox/config", json={"malformed_next": 1})
    with pytest.raises(ValueError):  # noqa: PT011 - json.JSONDecodeError
        client.get("/accounts", headers=AUTH).json()
    assert client.get("/accounts", headers=AUTH).json()["accounts"]
    client.post("/_sandbox/config", json={"malformed_next": 1, "malformed_kind": "wrong_type"})
    corrupt = client.get("/accounts", headers=AUTH).json()
    assert not isinstance(corrupt["accounts"][0]["accountId"], int)

    client.post("/_sandbox/config", json={"latency_ms": 250})
    started = time.monotonic()
    client.get("/accounts", headers=AUTH)
    assert time.monotonic() - started >= 0.25


def test_programmes_and_link_builder(client: httpx.Client) -> None:
    joined = client.get(
        f"/publishers/{PID}/programmes", params={"relationship": "joined"}, headers=AUTH
    ).json()
    assert joined
    assert {"id", "name", "displayUrl", "clickThroughUrl", "currencyCode"} <= joined[0].keys()
    advertiser_ids = {
        t.record["advertiserId"]
        for t in expected_transactions("awin", PID, 0, date(2025, 6, 1), TODAY, spec=SPEC)
    }
    everyone = client.get(f"/publishers/{PID}/programmes", headers=AUTH).json()
    assert advertiser_ids <= {p["id"] for p in everyone}
    link = client.post(
        f"/publishers/{PID}/linkbuilder/generate",
        json={"advertiserId": joined[0]["id"], "parameters": {"clickref": "abc"}},
        headers=AUTH,
    )
    assert link.status_code == 200
    assert link.json()["url"].startswith("https://www.awin1.com/cread.php?awinmid=")
    groups = client.get(
        f"/publishers/{PID}/commissiongroups",
        params={"advertiserId": joined[0]["id"]},
        headers=AUTH,
    ).json()
    assert groups["commissionGroups"]
