"""The Sovrn Commerce sandbox (report and campaigns, two hosts on one app) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from app.sandbox.expected import expected_records
from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.sovrn import api_key, campaign_id
from tests.sandbox.support import SPEC, TODAY, fresh_client

SECRET = "sovrn-secret-1"
AUTH = {"Authorization": f"secret {SECRET}"}
SITE = str(campaign_id(SECRET))
REPORT = "/v1/reports/transactions"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["sovrn"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["sovrn"], rate_limits={}) as c:
        yield c


def busy_day() -> str:
    """A recent day with rows."""
    for back in range(1, 30):
        day = TODAY - timedelta(days=back)
        if expected_records("sovrn", SITE, 0, day, day, spec=SPEC):
            return day.isoformat()
    raise AssertionError("no busy day")


def test_a_day_by_commission_date_is_what_expected_computes(client: httpx.Client) -> None:
    day = busy_day()
    response = client.get(REPORT, params={"commissionDate": day}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["transactions"]
    want = [
        r
        for r in expected_records("sovrn", SITE, 0, spec=SPEC)
        if r["commissionDate"].startswith(day)
    ]
    assert body["transactions"] == want
    assert all("status" not in r and "currency" not in r for r in want)
    assert all(r["commissionDate"].endswith("Z") for r in want)


def test_several_dates_filter_together(client: httpx.Client) -> None:
    day = busy_day()
    both = {"commissionDate": day, "updateDate": day}
    rows = client.get(REPORT, params=both, headers=AUTH).json()["transactions"]
    assert rows
    assert all(r["updateDate"].startswith(day) for r in rows)


def test_a_day_without_rows_is_404(client: httpx.Client) -> None:
    old = (TODAY - timedelta(days=600)).isoformat()
    response = client.get(REPORT, params={"clickDate": old}, headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["errors"][0]["reason"] == "notFound"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"commissionDate": "2026-06-01,2026-06-02"},
        {"commissionDate": "2026-06-01T00:00:00"},
        {"commissionDate": ["2026-06-01", "2026-06-02"]},
        {"clickDateStart": "2026-06-01"},
    ],
)
def test_one_day_per_call(client: httpx.Client, query: dict[str, str]) -> None:
    response = client.get(REPORT, params=query, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["code"] == 400


@pytest.mark.parametrize(
    "header", [None, "secret bad-secret", f"Bearer {SECRET}", "secret invalid-x"]
)
def test_refused_secrets_get_the_documented_401(client: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get(REPORT, params={"commissionDate": busy_day()}, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 401
    [error] = body["error"]["errors"]
    assert error["reason"] == "invalidCredentials"
    assert (error["locationType"], error["location"]) == ("parameter", "secret")
    assert error["message"].startswith("Authorization secret is missing or invalid")


def test_one_report_call_a_minute_and_no_retry_after(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["sovrn"], rate_limits=None) as client:
        day = {"commissionDate": busy_day()}
        assert client.get(REPORT, params=day, headers=AUTH).status_code == 200
        throttled = client.get(REPORT, params=day, headers=AUTH)
        assert throttled.status_code == 429
        assert "retry-after" not in throttled.headers
        # The campaigns endpoint has no published limit.
        for _ in range(3):
            assert client.get("/api/account/campaigns/PRIMARY", headers=AUTH).status_code == 200
        other = {"Authorization": "secret another-site-secret"}
        assert client.get(REPORT, params=day, headers=other).status_code in (200, 404)


def test_campaigns_list_the_sites_of_the_secret(client: httpx.Client) -> None:
    body = client.get("/api/account/campaigns/PRIMARY", headers=AUTH).json()
    first, second = body["campaigns"]
    assert (first["campaignId"], first["apiKey"], first["name"]) == (
        int(SITE),
        api_key(SECRET),
        "PRIMARY",
    )
    assert second["apiKey"] != first["apiKey"]


def test_the_nested_shape_knob(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["sovrn"], rate_limits={}, shape="nested") as client:
        day = busy_day()
        rows = client.get(REPORT, params={"commissionDate": day}, headers=AUTH).json()
        record = rows["transactions"][0]
        assert set(record) == {"account", "commission", "click", "merchant", "product"}
        assert "publisherNetRevenue" in record["commission"]
        assert "publisherRevenue" not in record["commission"]
        want = expected_records("sovrn", SITE, 0, spec=SPEC, shape="nested")
        assert rows["transactions"] == [
            r for r in want if r["commission"]["commissionDate"].startswith(day)
        ]


def test_a_decline_is_a_negative_line_on_the_day_it_happens(client: httpx.Client) -> None:
    rows = expected_records("sovrn", SITE, 0, spec=SPEC)
    lines: dict[str, list[float]] = {}
    for r in rows:
        lines.setdefault(r["commissionId"], []).append(r["publisherRevenue"])
    corrected = [v for v in lines.values() if len(v) > 1]
    assert corrected
    assert any(abs(sum(v)) < 0.005 for v in corrected), "a declined sale nets to zero"
