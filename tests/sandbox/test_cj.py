"""The CJ sandbox (GraphQL commissions and XML advertiser lookup) over real local HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from app.sandbox.cj_schema import RECORD
from app.sandbox.expected import expected_records, expected_transactions
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client, windows

CID = "4567890"
PAT = "pat0123456789abcdefghijklm"
AUTH = {"Authorization": f"Bearer {PAT}"}
FIELDS = " ".join(name for name, nested in RECORD.items() if nested is None)
QUERY = f"""
query Commissions($cid: String!, $since: String, $before: String, $cursor: String) {{
  publisherCommissions(forPublishers: [$cid], sinceEventDate: $since,
                       beforeEventDate: $before, sinceCommissionId: $cursor) {{
    count limit payloadComplete maxCommissionId
    records {{ {FIELDS} items {{ commissionItemId sku quantity perItemSaleAmountPubCurrency
      perItemSaleAmountUsd perItemSaleAmountAdvCurrency totalCommissionPubCurrency
      totalCommissionUsd totalCommissionAdvCurrency discountPubCurrency discountUsd
      discountAdvCurrency itemListId }} }}
  }}
}}
"""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["cj"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["cj"], rate_limit_per_minute=1000) as c:
        yield c


def run(
    client: httpx.Client, lo: datetime, hi: datetime, cursor: str | None = None, query: str = QUERY
) -> httpx.Response:
    variables = {"cid": CID, "since": iso(lo), "before": iso(hi), "cursor": cursor}
    return client.post("/query", json={"query": query, "variables": variables}, headers=AUTH)


def follow(client: httpx.Client, lo: datetime, hi: datetime) -> tuple[list[Any], int]:
    records, pages, cursor = [], 0, None
    while True:
        body = run(client, lo, hi, cursor).json()
        assert "errors" not in body, body
        page = body["data"]["publisherCommissions"]
        pages += 1
        records.extend(page["records"])
        assert page["count"] == len(page["records"])
        if page["payloadComplete"]:
            return records, pages
        cursor = page["maxCommissionId"]


def test_auth_and_authorization(client: httpx.Client) -> None:
    lo = datetime(2026, 6, 1, tzinfo=UTC)
    missing = client.post("/query", json={"query": QUERY})
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["message"]
    bad = client.post(
        "/query",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer invalid-token"},
    )
    assert bad.status_code == 401
    foreign = client.post(
        "/query",
        json={
            "query": QUERY,
            "variables": {
                "cid": "9999999",
                "since": iso(lo),
                "before": iso(lo + timedelta(days=1)),
            },
        },
        headers=AUTH,
    )
    assert foreign.status_code == 200
    assert foreign.json()["data"] is None
    assert "9999999" in foreign.json()["errors"][0]["message"]


def test_raw_query_body_aliases_and_selected_fields_only(client: httpx.Client) -> None:
    raw = (
        f'{{ pc: publisherCommissions(forPublishers: ["{CID}"], sinceEventDate: '
        '"2026-06-01T00:00:00Z", beforeEventDate: "2026-06-10T00:00:00Z") '
        "{ count rows: records { commissionId actionStatus } } }"
    )
    body = client.post("/query", content=raw, headers=AUTH).json()
    page = body["data"]["pc"]
    assert set(page) == {"count", "rows"}
    assert page["rows"]
    assert all(set(r) == {"commissionId", "actionStatus"} for r in page["rows"])
    unknown = client.post("/query", content=raw.replace("actionStatus", "nope"), headers=AUTH)
    assert "FieldUndefined" in unknown.json()["errors"][0]["message"]


def test_window_limit_and_date_range_required(client: httpx.Client) -> None:
    lo = datetime(2026, 4, 1, tzinfo=UTC)
    assert "errors" not in run(client, lo, lo + timedelta(days=31)).json()
    too_long = run(client, lo, lo + timedelta(days=31, seconds=1)).json()
    assert "31 days" in too_long["errors"][0]["message"]
    no_dates = client.post(
        "/query",
        content=f'{{ publisherCommissions(forPublishers: ["{CID}"]) {{ count }} }}',
        headers=AUTH,
    ).json()
    assert "date range" in no_dates["errors"][0]["message"]


def test_cursor_pages_to_the_end_return_exactly_the_generator_rows(
    client: httpx.Client,
) -> None:
    client.post("/_sandbox/config", json={"page_size": 25})
    start, end = TODAY - timedelta(days=90), TODAY - timedelta(days=1)
    got, pages = [], 0
    for lo, hi in windows(start, end, 31):
        records, n = follow(client, lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC))
        got.extend(records)
        pages += n
    expected = [
        r
        for lo, hi in windows(start, end, 31)
        for r in expected_records(
            "cj", CID, 0, lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC), spec=SPEC
        )
    ]
    assert got == json.loads(json.dumps(expected))
    assert pages > 3
    assert client.get("/_sandbox/stats").json()["by_route"]["POST /query"] == pages
    assert all(isinstance(r["pubCommissionAmountPubCurrency"], str) for r in got)
    assert any(not r["original"] for r in got)  # earlier reversals


def test_epoch_bump_adds_corrections_and_changes_statuses(client: httpx.Client) -> None:
    lo = datetime(2026, 5, 20, tzinfo=UTC)
    hi = datetime(2026, 6, 15, tzinfo=UTC)
    before, _ = follow(client, lo, hi)
    client.post("/_sandbox/epoch")
    after, _ = follow(client, lo, hi)
    old = {r["commissionId"]: r for r in before}
    new = {r["commissionId"]: r for r in after}
    assert old.keys() < new.keys()
    added = [new[i] for i in new.keys() - old.keys()]
    assert all(not r["original"] and r["correctionReason"] for r in added)
    assert any(old[i]["actionStatus"] != new[i]["actionStatus"] for i in old)
    rows = expected_transactions("cj", CID, 1, lo, hi, spec=SPEC)
    assert [t.external_id for t in rows] == sorted(new, key=int)
    # Corrections are posted today: a posting-date window over today finds them all.
    today = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    posted = client.post(
        "/query",
        headers=AUTH,
        content=(
            f'{{ publisherCommissions(forPublishers: ["{CID}"], '
            f'sincePostingDate: "{iso(today)}", '
            f'beforePostingDate: "{iso(today + timedelta(days=1))}") '
            "{ records { commissionId } } }"
        ),
    ).json()
    posted_ids = {r["commissionId"] for r in posted["data"]["publisherCommissions"]["records"]}
    assert {r["commissionId"] for r in added} <= posted_ids


def test_rate_limit_and_injected_failures(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rate_limit_per_minute": 25})
    lo = datetime(2026, 6, 1, tzinfo=UTC)
    for _ in range(25):
        assert run(client, lo, lo + timedelta(days=1)).status_code == 200
    limited = run(client, lo, lo + timedelta(days=1))
    assert limited.status_code == 429
    assert "retry-after" not in limited.headers
    assert limited.json()["errors"]
    client.post("/_sandbox/reset")
    client.post("/_sandbox/config", json={"fail_next": [503], "malformed_next": 1})
    assert run(client, lo, lo + timedelta(days=1)).status_code == 503
    with pytest.raises(ValueError):  # noqa: PT011 - json.JSONDecodeError
        run(client, lo, lo + timedelta(days=1)).json()


def test_advertiser_lookup_xml(client: httpx.Client) -> None:
    url = "/v2/advertiser-lookup"
    assert client.get(url).status_code == 401
    assert "Authorization header" in client.get(url).text
    no_cid = client.get(url, params={"advertiser-ids": "joined"}, headers=AUTH)
    assert no_cid.status_code == 400
    assert "requestor-cid" in no_cid.text
    response = client.get(
        url,
        params={"requestor-cid": CID, "advertiser-ids": "joined", "records-per-page": 2},
        headers=AUTH,
    )
    root = ET.fromstring(response.content)
    page = root.find("advertisers")
    assert page is not None
    assert int(page.get("records-returned", "0")) == len(page.findall("advertiser")) <= 2
    assert int(page.get("total-matched", "0")) >= 2
    assert {a.findtext("relationship-status") for a in page} == {"joined"}
    record_advertisers = {t.advertiser_id for t in expected_transactions("cj", CID, 0, spec=SPEC)}
    listed = set()
    for which in ("joined", "notjoined"):
        xml = client.get(
            url,
            headers=AUTH,
            params={"requestor-cid": CID, "advertiser-ids": which, "records-per-page": 100},
        ).content
        listed |= {a.findtext("advertiser-id") for a in ET.fromstring(xml).iter("advertiser")}
    assert record_advertisers <= listed
