"""The Rakuten sandbox (token exchange, Events, advertisers, deep links) over real HTTP."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import httpx
import pytest

from app.sandbox.expected import expected_records, expected_transactions
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client

SID = "3456789"
BASIC = "Basic " + base64.b64encode(b"client-id:client-secret").decode()
EVENTS = "/events/1.0/transactions"
FMT = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["rakuten"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["rakuten"]) as c:
        yield c


def token(client: httpx.Client, **form: str) -> httpx.Response:
    body = {
        "grant_type": "password",
        "username": "publisher",
        "password": "secret",
        "scope": SID,
        **form,
    }
    return client.post("/token", data=body, headers={"Authorization": BASIC})


def bearer(client: httpx.Client) -> dict[str, str]:
    response = token(client)
    assert response.status_code == 200, response.text
    return {
        "Authorization": f"Bearer {response.json()['access_token']}",
        "Accept": "application/json",
    }


def test_token_exchange_and_refusals(client: httpx.Client) -> None:
    granted = token(client).json()
    assert set(granted) == {"token_type", "expires_in", "refresh_token", "access_token"}
    assert granted["expires_in"] == 3600
    assert granted["token_type"] == "bearer"
    key = base64.b64encode(b"client-id:client-secret").decode()
    pre_encoded = client.post(
        "/token",
        headers={"Authorization": f"Bearer {key}"},
        data={"grant_type": "password", "username": "u", "password": "p", "scope": SID},
    )
    assert pre_encoded.status_code == 200
    bad_client = client.post(
        "/token",
        data={"grant_type": "password", "scope": SID},
        headers={"Authorization": "Basic " + base64.b64encode(b"client-id:bad-secret").decode()},
    )
    assert bad_client.status_code == 401
    assert bad_client.json()["error"] == "invalid_client"
    assert token(client, password="invalid").json()["error"] == "invalid_grant"
    assert token(client, password="invalid").status_code == 400
    assert token(client, scope="9999999").json()["error"] == "invalid_scope"
    assert token(client, grant_type="client_credentials").json()["error"] == (
        "unsupported_grant_type"
    )


def test_gateway_refuses_missing_unknown_and_expired_tokens(client: httpx.Client) -> None:
    missing = client.get(EVENTS)
    assert missing.status_code == 401
    assert missing.json()["fault"]["code"] == 900902
    unknown = client.get(EVENTS, headers={"Authorization": "Bearer nope"})
    assert unknown.json()["fault"]["code"] == 900901
    xml = client.get(EVENTS, headers={"Authorization": "Bearer nope", "Accept": "application/xml"})
    assert xml.status_code == 401
    assert "ams:fault" in xml.text
    granted = token(client).json()
    headers = {"Authorization": f"Bearer {granted['access_token']}"}
    assert client.get(EVENTS, headers=headers).status_code == 200
    client.post("/_sandbox/expire_tokens")
    assert client.get(EVENTS, headers=headers).status_code == 401
    refreshed = token(client, grant_type="refresh_token", refresh_token=granted["refresh_token"])
    assert refreshed.status_code == 200
    fresh = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert client.get(EVENTS, headers=fresh).status_code == 200
    reused = token(client, grant_type="refresh_token", refresh_token=granted["refresh_token"])
    assert reused.json()["error"] == "invalid_grant"
    client.post("/_sandbox/config", json={"token_ttl_seconds": 1})
    short = bearer(client)
    time.sleep(1.1)
    assert client.get(EVENTS, headers=short).status_code == 401


def test_pages_to_a_short_page_return_exactly_the_generator_rows(client: httpx.Client) -> None:
    headers = bearer(client)
    lo, hi = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 6, 14, 23, 59, 59, tzinfo=UTC)
    base = {"transaction_date_start": lo.strftime(FMT), "transaction_date_end": hi.strftime(FMT)}
    got, page = [], 1
    while True:
        rows = client.get(
            EVENTS, params={**base, "limit": 50, "page": page}, headers=headers
        ).json()
        got.extend(rows)
        if len(rows) < 50:
            break
        page += 1
    expected = expected_records("rakuten", SID, 0, lo, hi + timedelta(seconds=1), spec=SPEC)
    assert got == json.loads(json.dumps(expected))
    assert page > 3
    assert len({r["etransaction_id"] for r in got}) == len(got)
    assert any(r["sale_amount"] < 0 for r in got)  # reversals are negative rows
    assert len({r["currency"] for r in got}) >= 2
    orders = [r["order_id"] for r in got]
    assert len(set(orders)) < len(orders)  # one row per item
    stats = client.get("/_sandbox/stats").json()
    assert stats["by_route"]["GET /events/1.0/transactions"] == page
    assert stats["by_credential"][f"publisher@{SID}"] == page


def test_parameters_validated_and_defaults(client: httpx.Client) -> None:
    headers = bearer(client)
    assert client.get(EVENTS, params={"limit": 1001}, headers=headers).status_code == 400
    assert (
        client.get(EVENTS, params={"process_date_start": "2026-01-01"}, headers=headers).status_code
        == 400
    )
    latest = client.get(EVENTS, headers=headers).json()
    assert len(latest) == 100
    everything = expected_records("rakuten", SID, 0, spec=SPEC, date_type="process")
    assert latest == json.loads(json.dumps(everything[-100:]))
    euros = client.get(EVENTS, params={"currency": "EUR", "limit": 10}, headers=headers).json()
    assert {r["currency"] for r in euros} == {"EUR"}


def test_epoch_bump_adds_reversal_rows_on_todays_process_date(client: httpx.Client) -> None:
    headers = bearer(client)
    today = datetime.combine(TODAY, datetime.min.time())
    window = {
        "process_date_start": today.strftime(FMT),
        "process_date_end": (today + timedelta(hours=23)).strftime(FMT),
        "limit": 1000,
    }
    before = {
        r["etransaction_id"] for r in client.get(EVENTS, params=window, headers=headers).json()
    }
    client.post("/_sandbox/epoch", json={"epoch": 2})
    rows = client.get(EVENTS, params=window, headers=headers).json()
    added = [r for r in rows if r["etransaction_id"] not in before]
    assert added
    assert all(r["commissions"] <= 0 and r["sale_amount"] <= 0 for r in added)
    expected = expected_transactions(
        "rakuten", SID, 2, today, today + timedelta(days=1), spec=SPEC, date_type="process"
    )
    assert [r["etransaction_id"] for r in rows] == [t.external_id for t in expected]


def test_rate_limit_knob_and_retry_after(client: httpx.Client) -> None:
    headers = bearer(client)
    client.post("/_sandbox/config", json={"rate_limit_per_minute": 3})
    for _ in range(3):
        assert client.get(EVENTS, params={"limit": 1}, headers=headers).status_code == 200
    limited = client.get(EVENTS, params={"limit": 1}, headers=headers)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    assert limited.json()["fault"]["code"] == 900800
    client.post("/_sandbox/config", json={"fail_next": [500, 429]})
    assert token(client).status_code == 500  # the token endpoint sees injected failures too
    assert token(client).status_code == 429


def test_advertisers_and_deep_links(client: httpx.Client) -> None:
    headers = bearer(client)
    xml = client.get("/linklocator/1.0/getMerchByAppStatus/approved", headers=headers)
    ns = {"ns1": "http://endpoint.linkservice.linkshare.com/"}
    mids = [int(m.text or 0) for m in ET.fromstring(xml.content).findall("ns1:return/ns1:mid", ns)]
    assert mids
    link = client.post(
        "/v1/links/deep_links",
        headers=headers,
        json={"url": "https://shop.example/x", "advertiser_id": mids[0], "u1": "sub1"},
    )
    if link.status_code == 200:
        assert link.json()["advertiser"]["deep_link"]["deep_link_url"].startswith(
            "https://click.linksynergy.com/deeplink?"
        )
    else:
        assert "deep links" in link.json()["errors"][0]


REPORT = "/en/reports/Individual-Item-Report-%2B-Transaction-ID-%2B-Currency/filters"


def report(client: httpx.Client, **params: str) -> httpx.Response:
    from app.sandbox.rakuten_reports import report_token

    first = (TODAY - timedelta(days=60)).isoformat()
    query = {
        "start_date": first,
        "end_date": TODAY.isoformat(),
        "include_summary": "N",
        "tz": "GMT",
        "date_type": "transaction",
        "token": report_token(SID),
        **params,
    }
    return client.get(REPORT, params=query)


def test_the_saved_report_is_csv_with_a_bom_and_the_events_lines(client: httpx.Client) -> None:
    response = report(client)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = response.content[3:].decode().split("\r\n")
    assert header.split(",")[:3] == ["Order ID", "Transaction Date", "Transaction Time"]
    assert "Transaction ID" in header
    assert "Member ID (U1)" in header
    first = TODAY - timedelta(days=60)
    want = expected_transactions("rakuten", SID, 0, first, TODAY, spec=SPEC, source="report")
    events = expected_transactions("rakuten", SID, 0, first, TODAY, spec=SPEC)
    assert len([r for r in rows if r]) == len(want) == len(events)
    assert {t.external_id for t in want} == {t.external_id for t in events}
    assert any(t.record["Total Commission"].startswith("-") for t in want), "returns are lines"
    by_process = report(client, date_type="process").content.count(b"\r\n")
    assert by_process > 1


@pytest.mark.parametrize(
    ("params", "status", "said"),
    [
        ({"token": "invalid-token"}, 403, "Access Denied"),
        ({"token": "ZW5jcnlwdGVkYToyOntzOjU6IlRva2Vu"}, 403, "Access Denied"),
        ({"date_type": "posting"}, 400, "Invalid date type."),
        ({"start_date": "2026-13-01"}, 400, "Invalid date range"),
        ({"end_date": "2000-01-01"}, 400, "Invalid date range"),
    ],
)
def test_report_refusals(client: httpx.Client, params: dict, status: int, said: str) -> None:
    response = report(client, **params)
    assert response.status_code == status
    assert said in response.text


def test_an_unknown_report_name_is_400(client: httpx.Client) -> None:
    from app.sandbox.rakuten_reports import report_token

    response = client.get("/en/reports/mine/filters", params={"token": report_token(SID)})
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "Invalid report name."}
