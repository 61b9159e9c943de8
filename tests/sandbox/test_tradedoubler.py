"""The Tradedoubler sandbox over real HTTP, held to the blueprint (shared/networks/
tradedoubler.md): the token server and its refresh grant, the report's envelope, field
names and YYYYMMDD dates, offset paging capped at 100, sources, programs, the 60-a-minute
limit with its plain-text 429."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.tradedoubler import CONNECTIONS, expected
from app.sandbox.tradedoubler_records import sources
from tests.sandbox.support import SPEC, fresh_client

FIRST = CONNECTIONS[0]
USER = FIRST.credentials["username"]
CLIENT = (FIRST.credentials["client_id"], FIRST.credentials["client_secret"])
SOURCE = FIRST.accounts[0]
# The blueprint's example row: these keys, camel-case `timeOf...`.
EXAMPLE_KEYS = {
    "transactionId", "programId", "programName", "sourceName", "sourceId", "eventId",
    "eventName", "eventTypeId", "timeOfLastClick", "timeOfCreate", "timeOfTransaction",
    "timeOfLastModified", "epi", "epi2", "leadNumber", "orderNumber", "orderValue",
    "commission", "paid", "status", "productInfo", "voucherCode", "productsApi",
    "crossDevice", "pendingRule", "deviceObject", "paymentId", "reasonId", "reasonName",
}  # fmt: skip
MAY = {"fromDate": "20260501", "toDate": "20260531"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["tradedoubler"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["tradedoubler"]) as c:
        yield c


def grant(client: httpx.Client, auth: tuple[str, str] = CLIENT, **form: str) -> httpx.Response:
    body = form or {"grant_type": "password", "username": USER, "password": "demo-password"}
    return client.post("/uaa/oauth/token", data=body, auth=auth)


def bearer(client: httpx.Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {grant(client).json()['access_token']}"}


def report(client: httpx.Client, headers: dict[str, str], **query: Any) -> httpx.Response:
    return client.get("/publisher/report/transactions", params=query, headers=headers)


# ---- the token server ---------------------------------------------------------------
def test_the_password_grant_answers_the_documented_fields(client: httpx.Client) -> None:
    answer = grant(client)
    assert answer.status_code == 200
    body = answer.json()
    assert body.keys() == {
        "access_token", "token_type", "refresh_token", "expires_in", "scope", "tduser",
        "created", "jti",
    }  # fmt: skip
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("bearer", 899, "read")


def test_a_refresh_token_renews_once(client: httpx.Client) -> None:
    first = grant(client).json()
    renewed = grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != first["refresh_token"]
    again = grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    other_client = grant(
        client,
        ("another-client", "s3cret"),
        grant_type="refresh_token",
        refresh_token=renewed.json()["refresh_token"],
    )
    assert other_client.status_code == 400
    assert client.get("/_sandbox/grants").json() == {"grants": ["password", "refresh_token"]}


def test_refusals_say_client_or_login(client: httpx.Client) -> None:
    bad_client = grant(client, (CLIENT[0], "bad-secret"))
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "unauthorized")
    bad_login = grant(client, grant_type="password", username=USER, password="invalid-pw")
    assert bad_login.status_code == 400
    assert bad_login.json() == {"error": "invalid_grant", "error_description": "Bad credentials"}
    odd = grant(client, grant_type="client_credentials")
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")


def test_the_api_wants_a_live_bearer_token(client: httpx.Client) -> None:
    headers = bearer(client)
    assert client.get("/publisher/sources", headers=headers).status_code == 200
    client.post("/_sandbox/expire_tokens").raise_for_status()
    dead = client.get("/publisher/sources", headers=headers)
    assert (dead.status_code, dead.json()["error"]) == (401, "invalid_token")
    assert client.get("/publisher/sources").status_code == 401


# ---- who am I, sources, programs ----------------------------------------------------------
def test_me_and_sources(client: httpx.Client) -> None:
    headers = bearer(client)
    me = client.get("/usermanagement/users/me", headers=headers).json()
    assert (me["username"], me["typeId"]) == (USER, 1)
    listed = client.get("/publisher/sources", headers=headers).json()
    assert isinstance(listed, list)
    assert [str(s["id"]) for s in listed] == list(FIRST.accounts)
    assert listed[0].keys() >= {"id", "name", "url", "countryCode", "sourceStatus"}


def test_programs_of_a_source_by_status(client: httpx.Client) -> None:
    headers = bearer(client)
    missing = client.get("/publisher/programs", headers=headers)
    assert missing.status_code == 400
    every = client.get("/publisher/programs", params={"sourceId": SOURCE}, headers=headers)
    joined = client.get(
        "/publisher/programs", params={"sourceId": SOURCE, "statusId": "3"}, headers=headers
    ).json()
    assert every.json().keys() == {"limit", "offset", "items"}
    assert 0 < len(joined["items"]) < len(every.json()["items"])
    assert {p["statusId"] for p in joined["items"]} == {3}
    client.post("/_sandbox/config", json={"programs_wrapped": True}).raise_for_status()
    wrapped = client.get("/publisher/programs", params={"sourceId": SOURCE}, headers=headers)
    assert wrapped.json() == [every.json()]


def test_another_logins_source_is_refused(client: httpx.Client) -> None:
    other = str(sources("someone-else@example.com")[0]["id"])
    refused = report(client, bearer(client), sourceId=other, **MAY)
    assert refused.status_code == 403
    assert refused.json().keys() == {"timestamp", "status", "error", "message", "path"}


# ---- the transactions report ----------------------------------------------------------
def test_the_envelope_and_the_example_fields(client: httpx.Client) -> None:
    body = report(client, bearer(client), sourceId=SOURCE, limit=100, **MAY).json()
    assert body.keys() == {"limit", "offset", "reportCurrencyCode", "items"}
    assert (body["limit"], body["offset"], body["reportCurrencyCode"]) == (100, 0, "EUR")
    row = body["items"][0]
    assert row.keys() == EXAMPLE_KEYS
    assert row["timeOfTransaction"].endswith(".0")
    assert "2026-05-01" <= row["timeOfTransaction"][:10] <= "2026-05-31"
    assert row["status"] in {"A", "P", "D"}
    assert isinstance(row["commission"], float)
    assert {r["eventTypeId"] for r in body["items"]} == {4, 5}
    leads = [r for r in body["items"] if r["eventTypeId"] == 4]
    assert all(r["orderValue"] is None and r["leadNumber"] for r in leads)


def test_rows_follow_the_stockholm_days(client: httpx.Client) -> None:
    headers = bearer(client)
    got: list[str] = []
    while True:
        page = report(client, headers, sourceId=SOURCE, limit=100, offset=len(got), **MAY)
        items = page.json()["items"]
        got += [str(r["transactionId"]) for r in items]
        if len(items) < 100:
            break
    want = expected(SOURCE, 0, SPEC, date(2026, 5, 1), date(2026, 5, 31))
    assert got == [t.external_id for t in want]


def test_offset_paging_and_its_cap(client: httpx.Client) -> None:
    headers = bearer(client)
    default = report(client, headers, sourceId=SOURCE, **MAY).json()
    assert (default["limit"], len(default["items"])) == (20, 20)
    second = report(client, headers, sourceId=SOURCE, offset=20, limit=20, **MAY).json()
    whole = report(client, headers, sourceId=SOURCE, limit=40, **MAY).json()
    assert default["items"] + second["items"] == whole["items"]
    assert report(client, headers, sourceId=SOURCE, limit=101, **MAY).status_code == 400


def test_dates_are_yyyymmdd(client: httpx.Client) -> None:
    wrong = report(client, bearer(client), fromDate="2026-05-01", toDate="2026-05-31")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "Bad Request"


def test_without_a_source_every_site_and_a_report_currency(client: httpx.Client) -> None:
    headers = bearer(client)
    both = report(client, headers, limit=100, fromDate="20260601", toDate="20260601").json()
    assert {str(r["sourceId"]) for r in both["items"]} <= set(FIRST.accounts)
    sek = report(client, headers, sourceId=SOURCE, reportCurrencyCode="SEK", **MAY).json()
    assert sek["reportCurrencyCode"] == "SEK"
    want = expected(SOURCE, 0, SPEC, date(2026, 5, 1), date(2026, 5, 31), currency="SEK")
    assert sek["items"][0]["commission"] == float(want[0].commission_amount)


def test_last_modified_reads_changes(client: httpx.Client) -> None:
    headers = bearer(client)
    today = SPEC.today.strftime("%Y%m%d")
    before = report(client, headers, sourceId=SOURCE, lastModified="true", limit=100,
                    fromDate=today, toDate=today).json()["items"]  # fmt: skip
    client.post("/_sandbox/epoch").raise_for_status()
    after = report(client, headers, sourceId=SOURCE, lastModified="true", limit=100,
                   fromDate=today, toDate=today).json()["items"]  # fmt: skip
    assert len(after) > len(before)
    assert all(r["timeOfLastModified"] is not None for r in after)


def test_sixty_calls_a_minute_then_plain_text(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rate_limits": {"60": 60}}).raise_for_status()
    headers = bearer(client)
    answers = [client.get("/publisher/sources", headers=headers) for _ in range(61)]
    assert {a.status_code for a in answers[:60]} == {200}
    assert (answers[60].status_code, answers[60].text) == (429, "API rate limit exceeded")
    assert "retry-after" not in answers[60].headers
