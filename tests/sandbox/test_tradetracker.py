"""The TradeTracker sandbox (SOAP login and sessions, faults, conversions, campaigns) over
real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from app.connectors.soap import SoapFault, SoapMessage, parse_envelope, request_envelope
from app.sandbox.registry import connections
from app.sandbox.server import Sandbox, running_sandbox
from app.sandbox.tradetracker import credential
from app.sandbox.tradetracker_records import expected
from tests.sandbox.support import SPEC, fresh_client

NS = "https://ws.tradetracker.com/soap/affiliate"
PATH = "/soap/affiliate"
NL, BE = connections("tradetracker")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["tradetracker"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["tradetracker"]) as c:
        yield c


def call(
    client: httpx.Client, operation: str, *args: Any, action: str | None = None
) -> httpx.Response:
    return client.post(
        PATH,
        content=request_envelope(NS, operation, args),
        headers={"Content-Type": "text/xml", "SOAPAction": f'"{NS}/{action or operation}"'},
    )


def login(
    client: httpx.Client, creds: dict[str, str] = NL.credentials, locale: str = "nl_NL"
) -> httpx.Response:
    return call(
        client,
        "authenticate",
        ("customerID", int(creds["customer_id"])),
        ("passphrase", creds["passphrase"]),
        ("sandbox", False),
        ("locale", locale),
        ("demo", False),
    )


def answer(response: httpx.Response) -> SoapMessage:
    assert response.status_code == 200, response.text
    return parse_envelope(response.content)


def fault(response: httpx.Response) -> SoapFault:
    assert response.status_code == 500, response.text
    with pytest.raises(SoapFault) as raised:
        parse_envelope(response.content)
    return raised.value


def conversions(client: httpx.Client, site: str, **options: Any) -> httpx.Response:
    return call(
        client, "getConversionTransactions", ("affiliateSiteID", int(site)), ("options", options)
    )


def test_authenticate_starts_a_session_cookie(client: httpx.Client) -> None:
    response = login(client)
    assert answer(response).method == "authenticateResponse"
    assert re.match(r"PHPSESSID=[0-9a-f]{32}; Path=/", response.headers["set-cookie"])
    refused = fault(login(client, {**NL.credentials, "passphrase": "bad-one"}))
    assert (refused.code, refused.message) == (
        "Client",
        "Authentication failed: the customer ID and passphrase do not match",
    )
    assert "Invalid locale" in fault(login(client, locale="xx_XX")).message
    # The trailing arguments are optional.
    short = call(client, "authenticate", ("customerID", 123456), ("passphrase", "abc"))
    assert answer(short).method == "authenticateResponse"


def test_calls_need_a_live_session(client: httpx.Client) -> None:
    sites = ("options", None)
    assert "session" in fault(call(client, "getAffiliateSites", sites)).message
    login(client)
    assert answer(call(client, "getAffiliateSites", sites)).method == "getAffiliateSitesResponse"
    assert client.post("/_sandbox/expire_sessions").json() == {"expired": 1}
    assert "session" in fault(call(client, "getAffiliateSites", sites)).message
    login(client)
    client.post("/_sandbox/config", json={"session_ttl_seconds": 0})
    assert "session" in fault(call(client, "getAffiliateSites", sites)).message


def test_soapaction_operation_and_body_are_checked(client: httpx.Client) -> None:
    login(client)
    wrong = call(client, "getAffiliateSites", ("options", None), action="getCampaigns")
    assert "SOAPAction" in fault(wrong).message
    assert fault(call(client, "getSales")).message == "Procedure 'getSales' not present"
    assert "Bad Request" in fault(client.post(PATH, content=b"<not-soap")).message


def test_a_session_reads_only_its_own_sites(client: httpx.Client) -> None:
    login(client)
    sites = answer(call(client, "getAffiliateSites", ("options", None))).args["affiliateSites"]
    assert [str(s["ID"]) for s in sites] == list(NL.accounts)
    assert {s["info"]["status"] for s in sites} == {"accepted"}
    foreign = conversions(client, BE.accounts[0])
    assert fault(foreign).message == f"Invalid affiliateSiteID '{BE.accounts[0]}'"
    stats = client.get("/_sandbox/stats").json()
    who = credential(NL.credentials["customer_id"], NL.credentials["passphrase"])
    assert stats["by_credential"][who] == 3


def test_conversions_by_window_and_page_with_amsterdam_offsets(client: httpx.Client) -> None:
    login(client)
    site = NL.accounts[0]
    window = {
        "registrationDateFrom": "2026-03-01 00:00:00",
        "registrationDateTo": "2026-04-30 23:59:59",
    }
    got: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = conversions(client, site, **window, sort="ID", limit=40, offset=len(got))
        rows = answer(response).args["conversionTransactions"]
        got += rows
        pages += 1
        if pages == 1:  # late March is summer time in Amsterdam
            assert "+01:00</registrationDate>" in response.text
            assert "+02:00</registrationDate>" in response.text
        if len(rows) < 40:
            break
    want = expected(site, 0, SPEC, date(2026, 3, 1), date(2026, 4, 30))
    assert pages > 2
    assert sorted(str(r["ID"]) for r in got) == sorted(t.external_id for t in want)
    assert [r["ID"] for r in got] == sorted(r["ID"] for r in got)
    by_id = {t.external_id: t for t in want}
    for row in got:
        txn = by_id[str(row["ID"])]
        assert row["registrationDate"] == txn.event_at
        assert row["commission"] == txn.commission_amount
        assert row["paidOut"] == (txn.status == "paid")
    words = {r["transactionStatus"] for r in got}
    assert words <= {"pending", "accepted", "rejected", "confirmed", "declined"}
    assert {"pending", "accepted"} <= words
    # A bare end date is its midnight: that day's rows are left out.
    bare = conversions(
        client, site, registrationDateFrom="2026-04-30", registrationDateTo="2026-04-30"
    )
    assert answer(bare).args["conversionTransactions"] == []
    too_many = conversions(client, site, limit=1001)
    assert "limit must be 1..1000" in fault(too_many).message
    assert (
        "registrationDateFrom"
        in fault(conversions(client, site, registrationDateFrom="May")).message
    )


def test_campaigns_with_assignment_words(client: httpx.Client) -> None:
    login(client)
    site = ("affiliateSiteID", int(NL.accounts[0]))
    every = answer(call(client, "getCampaigns", site, ("options", {}))).args["campaigns"]
    words = {c["info"]["assignmentStatus"] for c in every}
    assert "accepted" in words
    assert words <= {"accepted", "pending", "onhold", "rejected", "notsignedup"}
    joined = call(client, "getCampaigns", site, ("options", {"assignmentStatus": "accepted"}))
    rows = answer(joined).args["campaigns"]
    assert rows
    assert {c["info"]["assignmentStatus"] for c in rows} == {"accepted"}
    assert all(f"a={NL.accounts[0]}" in c["info"]["trackingURL"] for c in rows)
