"""The Tune sandbox over real HTTP, held to the recorded responses
(shared/networks/fixtures/tune/): the envelope, strings for numbers, `current` 0, rows keyed
by id, errors at HTTP 200, the odd unknown-network object, the 50-per-10-s limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.tune import CONNECTIONS, affiliate_id, expected
from tests.sandbox.support import SPEC, TODAY, fresh_client

# From the recorded responses (shared/networks/fixtures/tune/, pyoffers cassettes): a
# paged `findAll` with `limit`, the rate-limit error, the unknown-network object.
RECORDED_PAGED = {
    "request": {"Target": "Affiliate", "Method": "findAll", "limit": "2"},
    "response": {
        "status": 1,
        "httpStatus": 200,
        "data": {"page": 1, "current": 0, "count": 43, "pageCount": 22, "data": {"24": {}}},
        "errors": [],
        "errorMessage": None,
    },
}
RECORDED_LIMIT = {"status": -1, "httpStatus": 200, "data": "", "errors": [], "errorMessage": ""}
RECORDED_ODD = {
    "response": {
        "errors": {"publicMessage": "Network id is not valid"},
        "link": "http://developers.hasoffers.com/",
    }
}
KEY = CONNECTIONS[0].credentials["api_key"]
FIELDS = ["Stat.id", "Stat.datetime", "Stat.payout", "Stat.currency", "Offer.name"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["tune"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["tune"]) as c:
        yield c


def call(client: httpx.Client, target: str, method: str, *extra: tuple[str, str], **kw: Any):  # type: ignore[no-untyped-def]
    query = [("Target", target), ("Method", method), ("api_key", KEY), *extra]
    return client.get("/Apiv3/json", params=query, **kw)


def conversions(client: httpx.Client, start: str, end: str, *extra: tuple[str, str]):  # type: ignore[no-untyped-def]
    window = [
        ("filters[Stat.datetime][conditional]", "BETWEEN"),
        ("filters[Stat.datetime][values][]", start),
        ("filters[Stat.datetime][values][]", end),
    ]
    fields = [("fields[]", f) for f in FIELDS]
    return call(client, "Affiliate_Report", "getConversions", *fields, *window, *extra)


def test_the_envelope_is_the_recorded_one(client: httpx.Client) -> None:
    paged = RECORDED_PAGED
    body = conversions(client, "2026-05-01 00:00:00", "2026-05-31 23:59:59", ("limit", "5")).json()
    assert body.keys() == paged.keys()
    assert body["response"].keys() == paged["response"].keys()
    assert body["response"]["data"].keys() == paged["response"]["data"].keys()
    block = body["response"]["data"]
    assert block["current"] == 0
    assert block["page"] == 1
    assert block["pageCount"] == -(-block["count"] // 5)
    assert isinstance(block["data"], dict)
    assert len(block["data"]) == 5
    for row_id, row in block["data"].items():
        assert row.keys() == {"Stat", "Offer"}
        assert row["Stat"]["id"] == row_id
        assert all(isinstance(v, str) for v in row["Stat"].values())
        assert len(row["Stat"]["payout"].split(".")[1]) == 5
    echo = body["request"]
    assert echo["fields"] == FIELDS
    assert echo["filters"]["Stat.datetime"]["conditional"] == "BETWEEN"


def test_rows_follow_the_window(client: httpx.Client) -> None:
    body = conversions(client, "2026-05-01 00:00:00", "2026-05-10 23:59:59").json()
    rows = body["response"]["data"]["data"]
    may = (TODAY.replace(month=5, day=1), TODAY.replace(month=5, day=10))
    want = expected(affiliate_id(KEY), 0, SPEC, *may, **CONNECTIONS[0].options)
    assert [r["Stat"]["id"] for r in rows.values()] == [t.external_id for t in want]
    assert all("2026-05-01" <= r["Stat"]["datetime"][:10] <= "2026-05-10" for r in rows.values())


def test_rows_as_a_list_and_an_empty_page(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rows": "list"}).raise_for_status()
    body = conversions(client, "2026-05-01 00:00:00", "2026-05-03 23:59:59").json()
    assert isinstance(body["response"]["data"]["data"], list)
    empty = conversions(client, "2010-01-01 00:00:00", "2010-01-01 23:59:59").json()
    assert empty["response"]["data"] == {
        "page": 1,
        "current": 0,
        "count": 0,
        "pageCount": 0,
        "data": [],
    }


def test_a_refused_key_answers_at_200(client: httpx.Client) -> None:
    response = client.get(
        "/Apiv3/json",
        params={"Target": "Affiliate_Affiliate", "Method": "findById", "api_key": "bad-key"},
    )
    assert response.status_code == 200
    body = response.json()["response"]
    assert (body["status"], body["data"]) == (-1, "")
    assert body["errors"] == [{"publicMessage": "api_key bad-key is not authenticated"}]


def test_an_unknown_network_gets_the_recorded_odd_object(client: httpx.Client) -> None:
    odd = RECORDED_ODD
    by_host = call(
        client, "Affiliate_Affiliate", "findById", headers={"host": "bad.api.hasoffers.com"}
    )
    by_param = call(client, "Affiliate_Affiliate", "findById", ("NetworkId", "invalid-net"))
    assert by_host.status_code == by_param.status_code == 200
    assert by_host.json() == by_param.json() == odd


def test_the_rate_limit_is_an_error_at_200(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rate_limits": {10: 50}}).raise_for_status()
    answers = [call(client, "Affiliate_Affiliate", "findById") for _ in range(51)]
    assert {a.status_code for a in answers} == {200}
    assert [a.json()["response"]["status"] for a in answers[:50]] == [1] * 50
    last = answers[50].json()["response"]
    assert last.keys() == RECORDED_LIMIT.keys()
    assert last["status"] == -1
    assert "Retry-After" not in answers[50].headers
    assert "API usage exceeded rate limit.  Configured: 50/10s window" in last["errorMessage"]


def test_a_migrated_network_answers_every_call_as_disabled(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"migrated": True}).raise_for_status()
    for target, method in (("Affiliate_Report", "getConversions"), ("Affiliate_Offer", "findAll")):
        body = call(client, target, method).json()["response"]
        assert body["status"] == -1
        assert body["errorMessage"] == "Affiliate API feature is disabled"


def test_unknown_target_and_a_missing_field_list(client: httpx.Client) -> None:
    unknown = call(client, "Affiliate_Nothing", "findAll").json()["response"]
    assert unknown["status"] == -1
    assert "Target" in unknown["errorMessage"]
    no_fields = call(client, "Affiliate_Report", "getConversions").json()["response"]
    assert no_fields["status"] == -1
    assert "fields" in no_fields["errorMessage"]


def test_approved_offers_keyed_by_id_with_and_without_limit(client: httpx.Client) -> None:
    unpaged = call(client, "Affiliate_Offer", "findMyApprovedOffers").json()["response"]["data"]
    assert all(row["Offer"]["id"] == offer_id for offer_id, row in unpaged.items())
    paged = call(client, "Affiliate_Offer", "findMyApprovedOffers", ("limit", "2")).json()
    block = paged["response"]["data"]
    assert (block["current"], block["count"]) == (0, len(unpaged))
    assert list(block["data"]) == list(unpaged)[:2]


def test_paging_with_limit_and_page(client: httpx.Client) -> None:
    start, end = "2026-04-01 00:00:00", "2026-05-31 23:59:59"
    whole = conversions(client, start, end).json()["response"]["data"]
    pages, page = [], 1
    while True:
        block = conversions(client, start, end, ("limit", "7"), ("page", str(page))).json()
        block = block["response"]["data"]
        pages += list(block["data"])
        if page >= block["pageCount"]:
            break
        page += 1
    assert pages == list(whole["data"])
    assert whole["pageCount"] == 1


def test_a_network_in_another_zone_renders_its_local_times(client: httpx.Client) -> None:
    utc = conversions(client, "2026-05-01 00:00:00", "2026-05-31 23:59:59").json()
    client.post("/_sandbox/config", json={"timezone": "America/New_York"}).raise_for_status()
    local = conversions(client, "2026-05-01 00:00:00", "2026-05-31 23:59:59").json()
    first = next(iter(local["response"]["data"]["data"].values()))["Stat"]
    utc_rows = {r["Stat"]["id"]: r["Stat"] for r in utc["response"]["data"]["data"].values()}
    # The same conversion, four hours earlier on the clock (EDT).
    on_utc_clock = datetime.fromisoformat(utc_rows[first["id"]]["datetime"])
    assert on_utc_clock - datetime.fromisoformat(first["datetime"]) == timedelta(hours=4)
    want = expected(
        affiliate_id(KEY), 0, SPEC, date(2026, 5, 1), date(2026, 5, 31), timezone="America/New_York"
    )
    assert list(local["response"]["data"]["data"]) == [t.external_id for t in want]
