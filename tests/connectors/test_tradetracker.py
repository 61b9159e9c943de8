"""TradeTracker specifics: the SOAP login and its session per credential, faults, the
status table, Amsterdam offsets, the `options` paging slot, campaigns with their rates, and
tracking links with the sub-id in `r`."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.connectors.base import Connector, Scope, Window
from app.connectors.errors import CredentialsRejected, RequestRejected, TransientError
from app.connectors.registry import build_connector
from app.connectors.soap import fault_envelope, parse_envelope
from app.connectors.tradetracker import TradeTracker
from app.connectors.tradetracker_auth import TradeTrackerLogin, with_option
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.registry import connections
from app.sandbox.tradetracker import credential
from tests.connectors.support import CASES, FAST_RETRY, connector_for, knobs, stats, window
from tests.factories import make_workspace

CASE = CASES["tradetracker"]
NS = "https://ws.tradetracker.com/soap/affiliate"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def operations(base_url: str) -> dict[str, int]:
    body: dict[str, int] = httpx.get(f"{base_url}/_sandbox/operations", timeout=10).json()
    return body


async def fetch(connector: Connector, start: date, end: date) -> list[Any]:
    return [r async for page in connector.transactions(start, end) for r in page]


def offline() -> TradeTracker:
    return TradeTracker({"customer_id": "1", "passphrase": "p", "country": "NL"}, None)  # type: ignore[arg-type]


async def test_two_accounts_sync_at_once_each_on_its_own_session(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    accounts = [
        {"customer_id": "123456", "passphrase": "3a311fd3d68428c72d22576bb158848f95e1e0b5"},
        {"customer_id": "654321", "passphrase": "77aa01c9e4f35b2d6c8e90f1a2b3c4d5e6f70819"},
    ]
    workspaces = [await make_workspace(runtime, name) for name in ("North Media", "South Media")]
    connectors = [
        build_connector(
            "tradetracker",
            {**creds, "country": "NL"},
            settings=runtime.settings,
            client=runtime.http,
            redis=runtime.redis,
            retry=FAST_RETRY,
            connection_id=f"{workspace['id']}:tradetracker",
        )
        for creds, workspace in zip(accounts, workspaces, strict=True)
    ]
    start, end = window(60)
    synced = await asyncio.gather(*(fetch(c, start, end) for c in connectors))
    assert all(synced)
    assert not {r.external_id for r in synced[0]} & {r.external_id for r in synced[1]}
    who = [credential(a["customer_id"], a["passphrase"]) for a in accounts]
    log = stats(sandbox["tradetracker"])["requests"]
    assert all(entry["status"] == 200 for entry in log)
    # Every call (logins included) ran under the credential of the connector that sent it.
    for connector, mine in zip(connectors, who, strict=True):
        assert sum(entry["credential"] == mine for entry in log) == connector.http.requests
    assert {entry["credential"] for entry in log} == set(who)
    assert operations(sandbox["tradetracker"])["authenticate"] == 2
    assert not runtime.http.cookies  # the session never reached the shared client


async def test_one_customer_id_has_a_session_per_country_passphrase(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    nl, be = connections("tradetracker")
    assert nl.credentials["customer_id"] == be.credentials["customer_id"]
    start, end = window(20)
    for conn in (nl, be):
        await fetch(connector_for(runtime, type(CASE).of("tradetracker", conn)), start, end)
    by_credential = stats(sandbox["tradetracker"])["by_credential"]
    for conn in (nl, be):
        assert by_credential[
            credential(conn.credentials["customer_id"], conn.credentials["passphrase"])
        ]
    assert operations(sandbox["tradetracker"])["authenticate"] == 2


async def test_an_expired_session_is_renewed_by_logging_in_once(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(40)
    connector = connector_for(runtime, CASE)
    first = await fetch(connector, start, end)
    httpx.post(f"{sandbox['tradetracker']}/_sandbox/expire_sessions", timeout=10).raise_for_status()
    again = await fetch(connector, start, end)
    assert [r.external_id for r in again] == [r.external_id for r in first]
    assert operations(sandbox["tradetracker"])["authenticate"] == 2
    assert stats(sandbox["tradetracker"])["by_status"]["500"] == 1  # the one "no session" fault


async def test_a_session_that_never_holds_is_refused_after_one_new_login(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["tradetracker"], session_ttl_seconds=0)
    with pytest.raises(CredentialsRejected, match="session"):
        await connector_for(runtime, CASE).verify()
    assert operations(sandbox["tradetracker"])["authenticate"] == 2


async def test_a_bad_passphrase_says_where_to_find_it(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, CASE, passphrase="bad-passphrase-0000").verify()
    message = refused.value.message
    assert refused.value.kind == "auth_failed"
    assert "TradeTracker refused the credentials (Authentication failed" in message
    assert "Settings" in message
    assert "Creatives > Web Services" in message
    assert "bad-passphrase" not in message
    # A refused login is not retried as a server error.
    assert stats(sandbox["tradetracker"])["total"] == 1


async def test_campaigns_of_every_assignment_status_per_site(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CASE).programs() for p in page]
    words = {p.network_relationship: p.relationship for p in programs}
    assert words["accepted"] == "joined"
    assert words["pending"] == "pending"
    assert words["onhold"] == "declined"
    assert words["notsignedup"] == "not_joined"
    assert {p.account_id for p in programs} == set(CASE.accounts)
    assert all(p.domains and p.domains[0].startswith("www.") for p in programs)
    assert all(p.terms and p.terms[0].kind == "percent" for p in programs)
    assert {p.deeplinks for p in programs} == {True, False}
    assert all(
        p.tracking_url and f"c={p.external_id}&m=12&a={p.account_id}&" in p.tracking_url
        for p in programs
    )


def campaign(**info: Any) -> dict[str, Any]:
    return {
        "ID": 943,
        "name": "NSInternational.nl",
        "URL": "https://www.nsinternational.nl",
        "info": {
            "trackingURL": "https://tc.tradetracker.net/?c=943&m=12&a=4242&r=&u=",
            "commission": {
                "impressionCommission": Decimal("0.00"),
                "clickCommission": Decimal("0.00"),
                "leadCommission": Decimal("1.50"),
                "saleCommissionFixed": Decimal("0.00"),
                "saleCommissionVariable": Decimal("3.00"),
                "iSaleCommissionVariable": Decimal("4.00"),
            },
            "assignmentStatus": "accepted",
            "deeplinkingSupported": True,
            "referencesSupported": True,
            **info,
        },
    }


@pytest.mark.parametrize(
    ("word", "ours"),
    [
        ("accepted", "joined"),
        ("pending", "pending"),
        ("rejected", "declined"),
        ("onhold", "declined"),
        ("signedout", "not_joined"),
        ("notsignedup", "not_joined"),
    ],
)
def test_assignment_statuses(word: str, ours: str) -> None:
    connector = offline()
    mapped = connector.complete(connector.map_program(campaign(assignmentStatus=word)), Scope("1"))
    assert (mapped.network_relationship, mapped.relationship) == (word, ours)


def test_a_campaign_with_its_rates_and_link_fields() -> None:
    connector = offline()
    mapped = connector.complete(connector.map_program(campaign()), Scope("4242"))
    assert (mapped.external_id, mapped.name, mapped.domains, mapped.account_id) == (
        "943",
        "NSInternational.nl",
        ("www.nsinternational.nl",),
        "4242",
    )
    # Only the non-zero rates the listing gives; the listing names no currency.
    assert mapped.terms == (
        CommissionTerm("percent", Decimal("3.00"), category="sale"),
        CommissionTerm("flat", Decimal("1.50"), category="lead"),
    )
    assert mapped.deeplinks is True
    assert mapped.tracking_url == "https://tc.tradetracker.net/?c=943&m=12&a=4242&r=&u="
    closed = connector.map_program(campaign(deeplinkingSupported=False, commission=None))
    assert (closed.deeplinks, closed.terms) == (False, ())


def link_request(sub_id: str | None) -> LinkRequest:
    joined = LinkProgram("p-1", "943", "4242", relationship="joined", deeplinks=True)
    return LinkRequest("https://www.nsinternational.nl/en/trains?from=Amsterdam", sub_id, joined)


def test_the_link_names_campaign_material_and_site_with_the_sub_id_in_r() -> None:
    assert TradeTracker.link(link_request("nl-post-42")) == (
        "https://tc.tradetracker.net/?c=943&m=12&a=4242&r=nl-post-42"
        "&u=https%3A%2F%2Fwww.nsinternational.nl%2Fen%2Ftrains%3Ffrom%3DAmsterdam"
    )
    assert TradeTracker.link(link_request(None)) == (
        "https://tc.tradetracker.net/?c=943&m=12&a=4242&r="
        "&u=https%3A%2F%2Fwww.nsinternational.nl%2Fen%2Ftrains%3Ffrom%3DAmsterdam"
    )


@pytest.mark.parametrize(
    ("sub_id", "says"),
    [
        ("a" * 50, None),
        ("nl-post-42", None),
        ("a" * 51, "at most 50"),
        ("user_42", "'_'"),  # a merchant's direct linking splits `tt=c_m_a_r` on '_'
        ("user 42", "' '"),
        ("u42&x=1", "'&'"),
    ],
)
def test_the_reference_rule(sub_id: str, says: str | None) -> None:
    assert TradeTracker.links is not None
    problem = TradeTracker.links.sub_id.problem(sub_id)
    assert (problem is None) if says is None else (problem is not None and says in problem)


def test_the_login_is_an_authenticate_call_with_the_country_locale() -> None:
    credentials = {"customer_id": "123456", "passphrase": "secret-pass", "country": "be"}
    spec = TradeTrackerLogin().login_request(credentials)
    assert spec.headers["SOAPAction"] == f'"{NS}/authenticate"'
    message = parse_envelope(spec.content or b"")
    assert message.method == "authenticate"
    assert message.args == {
        "customerID": 123456,
        "passphrase": "secret-pass",
        "sandbox": False,
        "locale": "nl_BE",
        "demo": False,
    }
    other = TradeTrackerLogin().login_request({**credentials, "country": "ZA"})
    assert parse_envelope(other.content or b"").args["locale"] == "en_GB"


def test_a_window_ends_at_its_last_second_and_pages_go_in_the_options() -> None:
    start = datetime(2026, 3, 1, tzinfo=AMSTERDAM)
    spec = offline().transactions_request(
        Scope("4242"), Window(start, datetime(2026, 3, 31, tzinfo=AMSTERDAM))
    )
    paged = with_option("limit")(with_option("offset")(spec, 500), 500)
    message = parse_envelope(paged.content or b"")
    assert message.method == "getConversionTransactions"
    assert message.args["affiliateSiteID"] == 4242
    assert message.args["options"]["registrationDateFrom"] == "2026-03-01 00:00:00"
    assert message.args["options"]["registrationDateTo"] == "2026-03-30 23:59:59"
    assert (message.args["options"]["offset"], message.args["options"]["limit"]) == (500, 500)


def record(**fields: Any) -> dict[str, Any]:
    return {
        "ID": 3000000001,
        "campaign": {
            "ID": 943,
            "name": "Example Shop",
            "URL": "https://shop.example",
            "info": None,
        },
        "reference": "nl-post-42",
        "transactionStatus": "pending",
        "currency": "EUR",
        "commission": Decimal("2.50"),
        "orderAmount": Decimal("50"),
        "registrationDate": "2026-03-02T13:36:23+01:00",
        "assessmentDate": None,
        "paidOut": False,
        **fields,
    }


@pytest.mark.parametrize(
    ("word", "paid", "status"),
    [
        ("pending", False, "pending"),
        ("accepted", False, "approved"),
        ("accepted", True, "paid"),
        ("confirmed", True, "paid"),
        ("rejected", False, "declined"),
        ("declined", False, "declined"),
        ("onhold", False, "pending"),  # an unknown word is kept, not a failure
    ],
)
def test_status_words(word: str, paid: bool, status: str) -> None:
    mapped = offline().map_transaction(record(transactionStatus=word, paidOut=paid), Scope("1"))
    assert (mapped.status, mapped.network_status) == (status, word)


def test_times_carry_the_amsterdam_offset_of_their_season() -> None:
    winter = offline().map_transaction(record(), Scope("1"))
    summer = offline().map_transaction(
        record(registrationDate="2026-07-01T10:00:00+02:00"), Scope("1")
    )
    assert winter.event_at == datetime(2026, 3, 2, 12, 36, 23, tzinfo=UTC)
    assert summer.event_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert winter.source_timezone == "Europe/Amsterdam"
    assert (winter.click_ref, winter.sub_ids, winter.order_id) == (
        "nl-post-42",
        {"reference": "nl-post-42"},
        None,
    )


def fault(code: str, message: str, status: int = 500) -> httpx.Response:
    request = httpx.Request("POST", f"{NS}")
    return httpx.Response(status, content=fault_envelope(code, message), request=request)


async def test_faults_are_sorted_by_what_they_say(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    with pytest.raises(CredentialsRejected):
        connector.classify(fault("Client", "Not authenticated: the session has expired"))
    with pytest.raises(RequestRejected, match="Invalid affiliateSiteID"):
        connector.classify(fault("Client", "Invalid affiliateSiteID '1'"))
    with pytest.raises(TransientError, match="500"):
        connector.classify(fault("Server", "Internal Server Error"))
    with pytest.raises(TransientError, match="503"):
        connector.classify(fault("Server", "Service Unavailable", 503))


def test_an_untyped_wrapper_of_one_item_is_one_record() -> None:
    body = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"'
        f' xmlns:ns1="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<SOAP-ENV:Body><ns1:getConversionTransactionsResponse><conversionTransactions>"
        '<item><ID xsi:type="xsd:int">7</ID><registrationDate xsi:type="xsd:dateTime">'
        "2026-07-01T10:00:00+02:00</registrationDate></item>"
        "</conversionTransactions></ns1:getConversionTransactionsResponse>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    rows = offline().extract(parse_envelope(body.encode()))
    assert rows == [{"ID": 7, "registrationDate": "2026-07-01T10:00:00+02:00"}]
    empty = re.sub(
        r"<conversionTransactions>.*</conversionTransactions>", "<conversionTransactions/>", body
    )
    assert offline().extract(parse_envelope(empty.encode())) == []
