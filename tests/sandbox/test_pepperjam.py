"""The Pepperjam sandbox over real HTTP: the report and advertiser resources in the
`{"meta", "data"}` envelope, next links, parameters, the key, the daily quota."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.sandbox.expected import expected_records, expected_transactions
from app.sandbox.pepperjam import ADVERTISERS, CONNECTIONS, TRANSACTIONS, add_months
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client

FIRST, CANADA = CONNECTIONS
KEY = FIRST.credentials["api_key"]
LOGIN = FIRST.accounts[0]
EASTERN = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["pepperjam"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["pepperjam"], rate_limits={}, page_size=2500) as c:
        yield c


def report(client: httpx.Client, start: str, end: str, **extra: str) -> httpx.Response:
    query = {"apiKey": KEY, "format": "json", "startDate": start, "endDate": end, **extra}
    return client.get(TRANSACTIONS, params=query)


def test_the_report_is_what_expected_computes(client: httpx.Client) -> None:
    start, end = TODAY - timedelta(days=60), TODAY
    body = report(client, start.isoformat(), end.isoformat()).json()
    assert list(body) == ["meta", "data"]
    assert body["meta"]["status"] == {"code": 200, "message": "OK"}
    want = expected_records("pepperjam", LOGIN, 0, start, end, spec=SPEC)
    assert body["data"] == want
    assert body["meta"]["pagination"]["total_results"] == len(want)
    assert "next" not in body["meta"]["pagination"]
    row = want[0]
    assert isinstance(row["transaction_id"], int)
    assert isinstance(row["program_id"], str)
    assert "currency" not in row
    assert row["commission"].count(".") == 1
    words = {r["status"] for r in expected_records("pepperjam", LOGIN, 0, spec=SPEC)}
    assert words == {"pending", "unconfirmed", "delayed", "locked", "paid"}


def test_reversed_orders_stay_at_nothing(client: httpx.Client) -> None:
    rows = expected_transactions("pepperjam", LOGIN, 0, spec=SPEC)
    declined = [t for t in rows if t.status == "declined"]
    assert declined
    for t in declined:
        assert (t.record["commission"], t.record["sale_amount"]) == ("0.00", "0.00")
        assert t.record["status"] in ("pending", "locked", "delayed", "unconfirmed")


def test_times_are_us_eastern_and_the_end_date_is_inclusive(client: httpx.Client) -> None:
    day = TODAY - timedelta(days=3)
    rows = report(client, day.isoformat(), f"{day.isoformat()}T00:00:00").json()["data"]
    assert rows
    assert all(r["date"].startswith(day.isoformat()) for r in rows)
    for t in expected_transactions("pepperjam", LOGIN, 0, day, day, spec=SPEC):
        local = t.event_at.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S")
        assert t.record["date"] == local


def test_next_links_carry_the_key_and_format(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"page_size": 10}).raise_for_status()
    start, end = TODAY - timedelta(days=40), TODAY
    body = report(client, start.isoformat(), end.isoformat()).json()
    assert len(body["data"]) == 10
    seen = list(body["data"])
    while "next" in body["meta"]["pagination"]:
        link = body["meta"]["pagination"]["next"]
        assert link["rel"] == "next"
        query = parse_qs(urlsplit(link["href"]).query)
        assert query["apiKey"] == [KEY]
        assert query["format"] == ["json"]
        body = client.get(link["href"]).json()
        seen += body["data"]
    assert seen == expected_records("pepperjam", LOGIN, 0, start, end, spec=SPEC)
    assert len(seen) == body["meta"]["pagination"]["total_results"] > 10


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"startDate": "2026-06-01"}, "endDate is required"),
        ({"startDate": "2026-06-01", "endDate": "06/02/2026"}, "Invalid endDate"),
        ({"startDate": "2026-06-02", "endDate": "2026-06-01"}, "before startDate"),
        ({"startDate": "2026-01-01", "endDate": "2026-07-01"}, "exceed 6 months"),
    ],
)
def test_bad_parameters_are_400_in_the_envelope(
    client: httpx.Client, query: dict[str, str], words: str
) -> None:
    response = client.get(TRANSACTIONS, params={"apiKey": KEY, "format": "json", **query})
    assert response.status_code == 400
    assert words in response.json()["meta"]["status"]["message"]
    assert response.json()["meta"]["status"]["code"] == 400


def test_six_months_is_the_longest_range() -> None:
    assert add_months(TODAY, 6).isoformat() == "2026-12-15"
    assert add_months(TODAY.replace(month=8, day=31), 6).isoformat() == "2027-02-28"


def test_format_is_required(client: httpx.Client) -> None:
    query = {"apiKey": KEY, "startDate": "2026-06-01", "endDate": "2026-06-02"}
    assert client.get(TRANSACTIONS, params=query).status_code == 400
    assert client.get(TRANSACTIONS, params={**query, "format": "json"}).status_code == 200


@pytest.mark.parametrize("key", [None, "", "bad-key-123", "invalid-key"])
def test_a_missing_or_bad_key_is_an_authentication_error(
    client: httpx.Client, key: str | None
) -> None:
    query = {"format": "json", "status": "joined"}
    if key is not None:
        query["apiKey"] = key
    response = client.get(ADVERTISERS, params=query)
    assert response.status_code == 401
    assert "Authentication error" in response.json()["meta"]["status"]["message"]


def test_a_spent_day_answers_429_without_retry_after(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rate_limits": {"86400": 2}}).raise_for_status()
    query = {"apiKey": KEY, "format": "json", "status": "joined"}
    assert [client.get(ADVERTISERS, params=query).status_code for _ in range(2)] == [200, 200]
    spent = client.get(ADVERTISERS, params=query)
    assert spent.status_code == 429
    assert "retry-after" not in spent.headers
    assert "Daily request limit of 2" in spent.json()["meta"]["status"]["message"]
    other = {**query, "apiKey": CANADA.credentials["api_key"]}
    assert client.get(ADVERTISERS, params=other).status_code == 200  # per key


def test_advertisers_filter_on_status_words(client: httpx.Client) -> None:
    query = {"apiKey": KEY, "format": "json"}
    everyone = client.get(ADVERTISERS, params=query).json()["data"]
    assert {a["status"] for a in everyone} >= {"joined", "applied", "invited"}
    joined = client.get(ADVERTISERS, params={**query, "status": "joined"}).json()["data"]
    assert joined
    assert {a["status"] for a in joined} == {"joined"}
    assert all(800000 <= int(a["id"]) <= 899999 and a["website"] for a in joined)
    both = client.get(ADVERTISERS, params={**query, "status": "joined,applied"}).json()["data"]
    assert len(both) == len(joined) + 1
