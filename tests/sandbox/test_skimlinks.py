"""The Skimlinks sandbox (authentication, reporting and merchant hosts on one app) over real
HTTP: the token exchange, the commission report in the recorded record's shape, its
parameters and paging, the publisher in the path, merchants, limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox.expected import expected_records, expected_transactions
from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.skimlinks import CONNECTIONS, currency_of, publisher_of, sites_of
from tests.sandbox.support import SPEC, TODAY, fresh_client

CLIENT = "1a2b3c4d5e6f708192a3b4c5d6e7f809"
SECRET = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
PUBLISHER = publisher_of(CLIENT)
REPORT = f"/publisher/{PUBLISHER}/commission-report"
MERCHANTS = f"/v4/publisher/{PUBLISHER}/merchants"
MONTH = {"start_date": "2026-05-15T00:00:00", "end_date": "2026-06-14T23:59:59"}
FIXTURE = Path("/work/shared/networks/fixtures/skimlinks/commission_report_record_2024.json")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["skimlinks"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["skimlinks"], rate_limits={}) as c:
        yield c


def token(client: httpx.Client, client_id: str = CLIENT) -> str:
    body = {"client_id": client_id, "client_secret": SECRET, "grant_type": "client_credentials"}
    answer = client.post("/access_token", json=body)
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["access_token"]
    return value


def report(client: httpx.Client, **query: Any) -> httpx.Response:
    return client.get(REPORT, params={"access_token": token(client), **query})


def keys(value: Any) -> Any:
    """The nested key structure of a record."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    return None


def test_the_token_exchange(client: httpx.Client) -> None:
    body = {"client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials"}
    answer = client.post("/access_token", json=body).json()
    assert set(answer) == {"access_token", "timestamp", "expiry_timestamp"}
    assert re.fullmatch(
        rf"{PUBLISHER}:{answer['timestamp']}:[0-9a-f]{{32}}", answer["access_token"]
    )
    assert answer["expiry_timestamp"] - answer["timestamp"] == 7 * 24 * 3600
    refused = client.post("/access_token", json=body | {"client_secret": "bad-secret"})
    assert refused.status_code == 401
    wrong_grant = client.post("/access_token", json=body | {"grant_type": "password"})
    assert wrong_grant.status_code == 400


def test_the_report_serves_what_expected_computes(client: httpx.Client) -> None:
    response = report(client, limit=5000, sort_by="id", sort_dir="ASC", **MONTH)
    assert response.status_code == 200
    body = response.json()
    want = expected_records(
        "skimlinks", PUBLISHER, 0, date(2026, 5, 15), date(2026, 6, 14), spec=SPEC
    )
    assert body["commissions"] == want
    assert body["pagination"] == {
        "has_next": False,
        "total_count": len(want),
        "offset": 0,
        "limit": 5000,
    }
    assert {r["transaction_details"]["basket"]["currency"] for r in want} == {
        currency_of(PUBLISHER)
    }


def test_records_have_the_recorded_commissions_shape(client: httpx.Client) -> None:
    record = report(client, limit=1, **MONTH).json()["commissions"][0]
    if FIXTURE.exists():
        assert keys(record) == keys(json.loads(FIXTURE.read_text()))
    details = record["transaction_details"]
    assert isinstance(details["aggregation_id"], str)
    assert isinstance(record["commission_id"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", details["transaction_date"])
    assert details["status"] in ("active", "cancelled")
    assert details["payment_status"] in ("paid", "unpaid")


def test_amounts_are_json_numbers_with_conversion_noise(client: httpx.Client) -> None:
    text = report(client, limit=5000, **MONTH).text
    amounts = re.findall(r'"publisher_amount":(-?[0-9.e-]+)', text)
    assert amounts
    assert not any(a.startswith('"') for a in amounts)
    assert any(len(a.split(".")[-1]) > 2 for a in amounts), "floats, not cents"


def test_paging_by_offset(client: httpx.Client) -> None:
    all_rows = report(client, limit=5000, sort_by="id", sort_dir="ASC", **MONTH).json()
    first = report(client, limit=7, offset=0, sort_by="id", sort_dir="ASC", **MONTH).json()
    second = report(client, limit=7, offset=7, sort_by="id", sort_dir="ASC", **MONTH).json()
    assert first["pagination"]["has_next"] is True
    assert first["commissions"] + second["commissions"] == all_rows["commissions"][:14]
    ids = [r["commission_id"] for r in all_rows["commissions"]]
    assert ids == sorted(ids)
    default = report(client, **MONTH).json()
    assert len(default["commissions"]) == 30  # the documented default limit
    dates = [r["transaction_details"]["transaction_date"] for r in default["commissions"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"end_date": "2026-06-01T00:00:00"},
        {**MONTH, "limit": "5001"},
        {**MONTH, "start_date": "June 1st"},
        {**MONTH, "status": "pending"},
        {"start_date": "2026-06-01", "end_date": "2999-01-01T00:00:00"},
    ],
)
def test_refused_parameters(client: httpx.Client, query: dict[str, str]) -> None:
    response = report(client, **query)
    assert response.status_code == 400
    assert response.json()["error"]


def test_one_site_and_changes_since_a_time(client: httpx.Client) -> None:
    site = sites_of(PUBLISHER)[1]
    rows = report(client, limit=5000, domain_id=site, **MONTH).json()["commissions"]
    assert rows
    assert {r["publisher_domain_id"] for r in rows} == {site}
    client.post("/_sandbox/epoch").raise_for_status()
    since = f"{TODAY}T00:00:00"
    changed = report(client, limit=5000, updated_since=since).json()["commissions"]
    want = expected_transactions(
        "skimlinks", PUBLISHER, 1, TODAY, None, spec=SPEC, date_type="updated"
    )
    assert sorted(r["commission_id"] for r in changed) == sorted(int(t.external_id) for t in want)
    assert changed
    assert all(r["transaction_details"]["last_updated"] >= since.replace("T", " ") for r in changed)


def test_the_token_must_be_the_paths_publishers(client: httpx.Client) -> None:
    other = token(client, CONNECTIONS[0].credentials["client_id"])
    response = client.get(REPORT, params={"access_token": other, **MONTH})
    assert response.status_code == 403
    missing = client.get(REPORT, params=MONTH)
    assert missing.status_code == 401


def test_merchants_page_and_answer_201(client: httpx.Client) -> None:
    access = token(client)
    first = client.get(MERCHANTS, params={"access_token": access, "limit": 2})
    assert first.status_code == 201
    body = first.json()
    assert body["user_currency"] == currency_of(PUBLISHER)
    assert body["num_returned"] == 2
    assert body["has_more"] is True
    merchant = body["merchants"][0]
    assert merchant["id"] == merchant["advertiser_id"]
    assert all(isinstance(i, str) for i in merchant["merchant_ids"])
    foreign = client.get(MERCHANTS, params={"access_token": access, "publisher_domain_id": 42})
    assert foreign.status_code == 400


def test_the_limits_answer_429_without_retry_after(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["skimlinks"], rate_limits={"60": 2}) as client:
        access = token(client)
        answers = [client.get(REPORT, params={"access_token": access, **MONTH}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "retry-after" not in answers[-1].headers


def test_without_an_end_date_the_report_runs_to_the_latest(client: httpx.Client) -> None:
    client.post("/_sandbox/epoch", json={"epoch": 3}).raise_for_status()
    since = f"{TODAY}T00:00:00"
    rows = report(client, limit=5000, start_date=since).json()["commissions"]
    want = expected_transactions("skimlinks", PUBLISHER, 3, TODAY, None, spec=SPEC)
    assert sorted(r["commission_id"] for r in rows) == sorted(int(t.external_id) for t in want)
    assert all(r["transaction_details"]["transaction_date"] >= f"{TODAY}" for r in rows)
