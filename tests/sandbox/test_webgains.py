"""The Webgains sandbox over real HTTP, held to the fact sheet: bearer tokens (personal JWT or
password grant), paths under the publisher, Unix-second filters with both ends included,
the site filter, `page`/`size` capped at 250 with `pagination.last_page`, integer amounts in
ten-thousandths, Laravel-style errors, 60 calls a minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.webgains import CONNECTIONS, PUBLISHER, TOKEN, expected
from app.sandbox.webgains_records import publisher_of, sites_of
from tests.sandbox.support import SPEC, TODAY, fresh_client

SITES = sites_of(PUBLISHER)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT = f"/publishers/{PUBLISHER}/reports/transactions"
MIDNIGHT = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["webgains"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["webgains"]) as c:
        yield c


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def report(client: httpx.Client, start: datetime, end: datetime, *extra: tuple[str, Any]):  # type: ignore[no-untyped-def]
    query = [("filters[start_date]", unix(start)), ("filters[end_date]", unix(end)), *extra]
    return client.get(REPORT, params=query, headers=AUTH)


def test_connections_are_two_sites_of_one_publisher() -> None:
    assert [c.accounts for c in CONNECTIONS] == [(SITES[0],), (SITES[1],)]
    assert {c.credentials["publisher_id"] for c in CONNECTIONS} == {PUBLISHER}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer bad.token.value", "Bearer not-a-jwt", f"Token {TOKEN}", "Bearer"],
)
def test_no_valid_bearer_is_unauthenticated(client: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/publishers/{PUBLISHER}/campaigns", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_sites_and_another_publisher(client: httpx.Client) -> None:
    sites = client.get(f"/publishers/{PUBLISHER}/campaigns", headers=AUTH).json()["data"]
    assert [s["id"] for s in sites] == [int(s) for s in SITES]
    assert all(isinstance(s["name"], str) for s in sites)
    other = client.get("/publishers/123/campaigns", headers=AUTH)
    assert other.status_code == 404
    assert "message" in other.json()


def test_rows_have_the_sheet_shape_and_both_ends_are_included(client: httpx.Client) -> None:
    start, end = MIDNIGHT - timedelta(days=20), MIDNIGHT - timedelta(seconds=1)
    body = report(client, start, end, ("size", 250), ("sort_order", "ASC")).json()
    rows = body["data"]
    assert (
        rows
        == [
            t.record
            for t in sorted(
                [t for s in SITES for t in expected(s, 0, SPEC, start, end + timedelta(seconds=1))],
                key=lambda t: (t.event_at, int(t.external_id)),
            )
        ][:250]
    )
    row = rows[0]
    assert {"id", "date", "status", "status_changed_date", "program", "value", "commission"} <= set(
        row
    )
    for number in (row["id"], row["date"], row["status"], row["value"]["amount"]):
        assert isinstance(number, int)
    assert set(row["commission"]) == {"amount", "currency_code"}
    # The end is inclusive: a window that ends on a row's second includes it, one before not.
    moment = datetime.fromtimestamp(row["date"], UTC)
    ids = [r["id"] for r in report(client, moment, moment, ("size", 250)).json()["data"]]
    assert row["id"] in ids
    before = report(client, moment - timedelta(hours=1), moment - timedelta(seconds=1)).json()
    assert row["id"] not in [r["id"] for r in before["data"]]


def test_the_site_filter_and_the_default_order(client: httpx.Client) -> None:
    start, end = MIDNIGHT - timedelta(days=30), MIDNIGHT
    both = report(client, start, end, ("size", 250)).json()["pagination"]["total"]
    one = report(client, start, end, ("filters[campaign_ids][]", SITES[0]), ("size", 250)).json()
    assert one["pagination"]["total"] == len(expected(SITES[0], 0, SPEC, start, end))
    assert 0 < one["pagination"]["total"] < both
    dates = [r["date"] for r in one["data"]]
    assert dates == sorted(dates, reverse=True), "newest first unless ASC is asked"
    foreign = report(client, start, end, ("filters[campaign_ids][]", "42"))
    assert foreign.status_code == 422
    assert foreign.json()["message"] == "The selected filters.campaign_ids.0 is invalid."


def test_paging_is_capped_at_250(client: httpx.Client) -> None:
    start, end = MIDNIGHT - timedelta(days=200), MIDNIGHT
    body = report(client, start, end, ("size", 1000)).json()
    pagination = body["pagination"]
    assert pagination["per_page"] == 250
    assert len(body["data"]) == 250
    assert pagination["last_page"] == -(-pagination["total"] // 250) > 1
    last = report(client, start, end, ("size", 1000), ("page", pagination["last_page"])).json()
    assert last["pagination"]["current_page"] == pagination["last_page"]
    assert 0 < len(last["data"]) <= 250


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"filters[start_date]": "2026-06-01", "filters[end_date]": "1781481600"}, "integer"),
        ({"filters[start_date]": "1749945600", "filters[end_date]": "1749859200"}, "after"),
        ({"filters[start_date]": "1717200000", "filters[end_date]": "1749945600"}, "one year"),
    ],
)
def test_bad_filters_are_422(client: httpx.Client, query: dict[str, str], message: str) -> None:
    response = client.get(REPORT, params=query, headers=AUTH)
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert "errors" in response.json()


def test_the_password_grant(client: httpx.Client) -> None:
    form = {"grant_type": "password", "client_id": "7", "client_secret": "operator-secret"}
    form |= {"username": "signin@example.com", "password": "pw", "scope": "*"}
    token = client.post("/oauth/token", data=form).json()
    assert token["token_type"].lower() == "bearer"
    assert token["expires_in"] > 0
    publisher = publisher_of("signin@example.com")
    sites = client.get(
        f"/publishers/{publisher}/campaigns",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert [s["id"] for s in sites.json()["data"]] == [int(s) for s in sites_of(publisher)]
    bad_client = client.post("/oauth/token", data={**form, "client_secret": "bad"})
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
    bad_user = client.post("/oauth/token", data={**form, "password": "bad-pw"})
    assert (bad_user.status_code, bad_user.json()["error"]) == (400, "invalid_grant")


def test_memberships_per_site(client: httpx.Client) -> None:
    body = client.get(f"/publishers/{PUBLISHER}/program_memberships", headers=AUTH).json()
    rows = body["data"]
    assert rows
    assert {r["campaign"]["id"] for r in rows} == {int(s) for s in SITES}
    assert all(isinstance(r["status"], int) and r["program"]["name"] for r in rows)
    assert body["pagination"]["current_page"] == 1


def test_sixty_calls_a_minute(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["webgains"]) as client:
        statuses = [
            client.get(f"/publishers/{PUBLISHER}/campaigns", headers=AUTH).status_code
            for _ in range(61)
        ]
        assert statuses[:60] == [200] * 60
        assert statuses[60] == 429
        limited = client.get(f"/publishers/{PUBLISHER}/campaigns", headers=AUTH)
        assert limited.json() == {"message": "Too Many Attempts."}
        assert "retry-after" in limited.headers
