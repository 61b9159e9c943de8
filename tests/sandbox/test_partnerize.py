"""The Partnerize sandbox over real HTTP, held to the fact sheet (shared/networks/
partnerize.md): Basic auth and the section-0 401 body, the v1 error and 429 shapes with
`X-RateLimit-Retry-After`, the account list, the conversion report's wrappers, timezone,
date types, 300-row cap and cursor pages, `mixed` baskets, campaigns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.sandbox.partnerize import CONNECTIONS, expected
from app.sandbox.partnerize_records import publisher_ids, reporting_timezone
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, fresh_client

USER = CONNECTIONS[0].credentials["user_api_key"]
AUTH = (CONNECTIONS[0].credentials["application_key"], USER)
PID = publisher_ids(USER)[0]
REPORT = f"/reporting/report_publisher/publisher/{PID}/conversion.json"
MAY = {"start_date": "2026-05-01 00:00:00", "end_date": "2026-06-01 00:00:00"}
MAY_BOUNDS = (datetime(2026, 5, 1), datetime(2026, 6, 1))
# Section 0: the 401 body, keyed on the status.
RECORDED_401 = {
    "error": {
        "errors": [
            {
                "property": "",
                "message": "Your 'User application key' and 'User API key' combination is invalid.",
                "code": "39b4b7c2-e5b9-41b1-83d4-db3b23b5ebfa",
                "type": "unauthorised",
            }
        ],
        "message": "Unauthorized",
        "code": "401",
    }
}
# Section 4: the keys of a conversion_data object in the sheet's example.
EXAMPLE_KEYS = {
    "conversion_id", "campaign_id", "campaign_title", "publisher_id", "publisher_name",
    "conversion_time", "last_modified", "currency", "publisher_reference",
    "advertiser_reference", "conversion_reference", "customer_type", "country",
    "conversion_type", "ref_device", "ref_traffic_source", "click", "conversion_value",
    "conversion_items", "was_disputed", "conversion_lag", "clickref",
}  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["partnerize"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["partnerize"]) as c:
        yield c


def report(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get(REPORT, params={**MAY, "timezone": "UTC", **params}, auth=AUTH)


def test_refused_and_missing_keys_answer_401(client: httpx.Client) -> None:
    bad = client.get("/user/account.json", auth=(AUTH[0], "bad-key"))
    assert bad.status_code == 401
    assert bad.json() == RECORDED_401
    missing = client.get("/user/account.json")
    assert missing.status_code == 401
    assert "Account settings" in missing.json()["error"]["errors"][0]["message"]


def test_429_names_its_wait_in_the_x_header_only(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"fail_next": [429], "retry_after": 7})
    throttled = report(client)
    assert throttled.status_code == 429
    assert throttled.json() == {"error": {"message": "Too Many Requests", "type": "429"}}
    assert throttled.headers["X-RateLimit-Retry-After"] == "7"
    assert "Retry-After" not in throttled.headers


def test_accounts_list_publishers_and_a_brand(client: httpx.Client) -> None:
    body = client.get("/user/account.json", auth=AUTH).json()
    kinds = [next(iter(row)) for row in body["user_accounts"]]
    assert kinds == ["publisher", "publisher", "advertiser"]
    ids = [row["publisher"]["publisher_id"] for row in body["user_accounts"][:2]]
    assert ids == publisher_ids(USER)
    assert all("l" in pid for pid in ids)


def test_a_publisher_the_user_does_not_reach_is_forbidden(client: httpx.Client) -> None:
    other = publisher_ids("someone-else")[0]
    path = REPORT.replace(PID, other)
    answer = client.get(path, params=MAY, auth=AUTH)
    assert answer.status_code == 403
    assert answer.json()["error"]["type"] == "403"


def test_the_report_shape_matches_the_sheet(client: httpx.Client) -> None:
    body = report(client, limit="5").json()
    for key in ("total_conversion_count", "total_publisher_commission", "total_value"):
        assert isinstance(body[key], dict)
    assert body["limit"] == 5
    assert isinstance(body["cursor_id"], int)
    row = body["conversions"][0]["conversion_data"]
    assert row.keys() >= EXAMPLE_KEYS
    assert isinstance(row["conversion_value"]["publisher_commission"], int | float)
    assert row["conversion_time"][10] == " "  # naive `YYYY-MM-DD HH:MM:SS`


def test_cursor_pages_end_with_no_next_page(client: httpx.Client) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": "40"}
    while True:
        body = report(client, **params).json()
        assert "cursor_id" in body
        seen += [c["conversion_data"]["conversion_id"] for c in body["conversions"]]
        link = body["hypermedia"]["pagination"]["next_page"]
        if link is None:
            break
        assert link.startswith("/reporting/")
        assert "cursor_id=" in link
        params = dict(httpx.URL(link).params)
        params.pop("start_date"), params.pop("end_date")
    rows = expected(PID, 0, SPEC, *MAY_BOUNDS)
    assert seen == [t.external_id for t in rows]
    assert len(seen) > 40


def test_limit_is_capped_at_300(client: httpx.Client) -> None:
    body = report(client, start_date="2025-06-01 00:00:00", limit="1000").json()
    assert body["limit"] == 300
    assert len(body["conversions"]) == 300


def test_without_a_timezone_times_are_the_publishers_own(client: httpx.Client) -> None:
    utc = report(client, limit="3").json()["conversions"]
    own = client.get(REPORT, params={**MAY, "limit": "3"}, auth=AUTH).json()["conversions"]
    assert reporting_timezone(PID) != "UTC"
    assert utc
    assert own
    times = {c["conversion_data"]["conversion_time"] for c in utc}
    assert times != {c["conversion_data"]["conversion_time"] for c in own}


def test_bad_parameters_answer_the_v1_error(client: httpx.Client) -> None:
    for params in ({"date_type": "modified"}, {"statuses[]": "paid"}, {"cursor_id": "12"}):
        answer = report(client, **params)
        assert answer.status_code == 400, params
        assert answer.json()["error"]["type"] == "400"
    missing = client.get(REPORT, params={"timezone": "UTC"}, auth=AUTH)
    assert missing.status_code == 400


def test_date_types_select_by_change_and_by_approval(client: httpx.Client) -> None:
    for date_type in ("last_updated", "last_modified", "approved_at"):
        assert report(client, date_type=date_type).status_code == 200


def test_mixed_baskets_count_their_rejected_items() -> None:
    rows = [
        t
        for epoch in (1, 2, 3)
        for t in expected(PID, epoch, SPEC, None, None)
        if t.network_status == "mixed"
    ]
    assert rows, "some baskets have an item taken back"
    larger = 0
    for t in rows:
        total = Decimal(str(t.record["conversion_value"]["publisher_commission"]))
        assert total >= t.commission_amount
        larger += total > t.commission_amount
        live = [i for i in t.record["conversion_items"] if i["item_status"] != "rejected"]
        assert t.commission_amount == sum(
            (Decimal(str(i["item_publisher_commission"])) for i in live), Decimal(0)
        )
    assert larger, "the basket's totals still count the rejected items"


def test_campaigns_are_wrapped_and_filtered_by_status(client: httpx.Client) -> None:
    path = f"/user/publisher/{PID}/campaign/a.json"
    body = client.get(path, auth=AUTH).json()
    campaigns = [c["campaign"] for c in body["campaigns"]]
    assert campaigns
    assert all(c["publisher_status"] == "a" for c in campaigns)
    assert all(c["campaign_id"].startswith("1011l") for c in campaigns)
    assert client.get(path.replace("/a.json", "/x.json"), auth=AUTH).status_code == 400
