"""The FlexOffers sandbox over real HTTP, held to the sheet: the `apiKey` header, the
`results`/`totalCount`/`pageSize` envelope, HTTP 204 for an empty page, `{"message"}`
errors, the page size limits, both date formats, the Eastern day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from app.sandbox.flexoffers import CONNECTIONS, domain_id, expected
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client

KEY = CONNECTIONS[0].credentials["api_key"]
DOMAIN = str(domain_id(KEY))
HEADERS = {"apiKey": KEY}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["flexoffers"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["flexoffers"]) as c:
        yield c


def sales(client: httpx.Client, **params: object) -> httpx.Response:
    query = {"startDate": "05/01/2026", "endDate": "05/31/2026", "reportType": "sales"}
    return client.get("/allsales", params={**query, **params}, headers=HEADERS)


def test_the_key_goes_in_the_apikey_header(client: httpx.Client) -> None:
    assert client.get("/domains").status_code == 401
    refused = client.get("/domains", headers={"apiKey": "bad-key"})
    assert (refused.status_code, refused.json()) == (401, {"message": "Invalid API Key"})
    domains = client.get("/domains", headers=HEADERS).json()
    assert domains == [
        {
            "domainId": int(DOMAIN),
            "domainName": "example-blog.com",
            "url": "https://example-blog.com",
        }
    ]


def test_the_envelope_and_the_row(client: httpx.Client) -> None:
    body = sales(client, page=1, pageSize=500).json()
    want = expected(
        DOMAIN, 0, SPEC, date(2026, 5, 1), date(2026, 5, 31), domain_name="example-blog.com"
    )
    assert body["totalCount"] == len(want) > 0
    assert body["pageSize"] == 500
    assert body["results"] == [t.record for t in want]
    row = body["results"][0]
    assert isinstance(row["legacyId"], int)
    assert isinstance(row["commission"], float)
    assert row["orderStatus"] in (
        "Pending",
        "Approved",
        "Cancelled",
        "Canceled",
        "Non-Commissionable",
    )
    assert "T" in row["eventDate"]
    assert "+" not in row["eventDate"]


def test_pages_and_their_limits(client: httpx.Client) -> None:
    first = sales(client, page=1, pageSize=5).json()
    second = sales(client, page=2, pageSize=5).json()
    assert len(first["results"]) == 5
    assert first["results"][0] != second["results"][0]
    too_big = sales(client, pageSize=501)
    assert too_big.status_code == 400
    assert "between 1 and 500" in too_big.json()["message"]
    assert client.get("/advertisers", params={"pageSize": 200}, headers=HEADERS).status_code == 400


def test_an_empty_page_is_204_without_a_body(client: httpx.Client) -> None:
    empty = sales(client, startDate="01/01/2001", endDate="01/02/2001")
    assert (empty.status_code, empty.content) == (204, b"")


def test_iso_dates_with_an_offset_are_accepted(client: httpx.Client) -> None:
    iso = sales(
        client,
        startDate="2026-05-01T00:00:00-04:00",
        endDate="2026-06-01T00:00:00-04:00",
        pageSize=500,
    )
    assert iso.json()["results"] == sales(client, pageSize=500).json()["results"]
    assert sales(client, startDate="yesterday").status_code == 400


def test_status_all_under_maintenance(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["flexoffers"], all_maintenance=True) as client:
        down = sales(client, status="all")
        assert down.status_code == 400
        assert "under maintenance" in down.json()["message"]
        pending = sales(client, status="pending", pageSize=500).json()["results"]
        assert {r["orderStatus"] for r in pending} == {"Pending"}


def test_the_day_is_an_eastern_day() -> None:
    rows = expected(DOMAIN, 0, SPEC, date(2026, 5, 10), date(2026, 5, 10))
    assert rows
    assert all(r.record["eventDate"].startswith("2026-05-10") for r in rows)
    assert date(2026, 5, 10) < TODAY


def test_advertisers_joined_and_not(client: httpx.Client) -> None:
    joined = client.get(
        "/advertisers",
        params={"ApplicationStatus": "Approved", "Page": 1, "pageSize": 100},
        headers=HEADERS,
    )
    every = client.get("/advertisers", params={"pageSize": 100}, headers=HEADERS).json()["results"]
    results = joined.json()["results"]
    assert results
    assert len(results) < len(every)
    assert {r["applicationStatus"] for r in results} == {"Approved"}
