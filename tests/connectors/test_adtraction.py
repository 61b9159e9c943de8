"""AdTraction specifics: the X-Token header, 31-day windows cut in Stockholm time and sent
with offsets, status codes, the "No transactions found." object, one call for every
channel or a named one, markets, programs in both recorded shapes, 429 resets in
milliseconds, actionable refusals, programs per channel with their ad ids and rates, and
tracking links."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.connectors.adtraction import AdTraction
from app.connectors.adtraction_wire import reset_wait
from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.adtraction import CONNECTIONS, TRANSACTIONS
from app.sandbox.adtraction_records import channel_ids
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

FIRST = CASES["adtraction"]  # one named channel
SECOND = Case.of("adtraction", CONNECTIONS[1])  # every channel, market SE
# The recorded v1 programs response (SebastianJ/adtraction-api, spec/fixtures/vcr_cassettes/
# programs.yml; shared/networks/fixtures/adtraction/): approvalStatus 3 is undocumented.
RECORDED_PROGRAM = {
    "programId": 1233068414,
    "market": "SE",
    "currency": "SEK",
    "approvalStatus": 3,
    "feed": False,
    "semMarketing": 2,
    "socialMarketing": 1,
    "emailMarketing": 0,
    "cashbackMarketing": 0,
    "couponMarketing": 1,
    "programName": "Komplett Bank SE",
    "programURL": "https://www.komplettbank.se",
    "currentSegment": "Standard",
    "pendingActive": False,
    "cookieDuration": 45,
    "adId": 1233068417,
    "compensations": [
        {"name": "Godkänt lån", "value": Decimal("1550.0"), "type": "SEK", "transactionType": 3},
        {
            "name": "Godkänt Kreditkort",
            "value": Decimal("600.0"),
            "type": "SEK",
            "transactionType": 3,
        },
    ],
    "logoURL": "https://secure.adtraction.com/image.htm?imgId=1233068412",
    "category": "Banking & Finance",
}


def record(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "uniqueId": "1739256481",
        "transactionDate": "2024-07-02T10:31:44+0200",
        "lastUpdated": "2024-07-05T08:00:00+0200",
        "transactionStatus": 2,
        "orderId": "ORD-1",
        "orderValue": Decimal("1249.0"),
        "commission": Decimal("87.43"),
        "currency": "NOK",
        "click": {"programId": 1233068414, "channelId": 1532500727, "epi": "usr_42"},
    }
    return {**base, **changes}


async def all_records(connector, start, end):  # type: ignore[no-untyped-def]
    return [r async for page in connector.transactions(start, end) for r in page]


async def test_the_token_goes_in_x_token_and_windows_carry_stockholm_offsets(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, FIRST)
    start, end = datetime(2026, 3, 1).date(), datetime(2026, 4, 30).date()
    windows = list(connector.windows(start, end))
    assert len(windows) == 2
    assert all(w.end - w.start <= timedelta(days=31) for w in windows)
    spec = connector.transactions_request(Scope("1532500727"), windows[0])
    authed = await connector.auth.apply(spec, connector.credentials, connector.http)
    assert authed.method == "POST"
    assert authed.url.endswith("/v2/partner/transactions/")
    assert authed.headers["X-Token"] == FIRST.credentials["api_token"]
    assert "token" not in authed.params
    assert authed.json == {
        "fromDate": "2026-03-01T00:00:00+0100",
        "toDate": "2026-03-31T23:59:59+0200",  # summer time begins on 29 March
        "transactionStatus": 0,
        "channelId": 1532500727,
    }


async def test_a_named_channel_is_asked_for_and_kept(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    records = await all_records(connector_for(runtime, FIRST), *window(40))
    assert records
    assert {r.raw["click"]["channelId"] for r in records} == {int(FIRST.accounts[0])}
    # Rows of another channel (an upstream that ignored the filter) stay out.
    connector = connector_for(runtime, FIRST)
    other = record(click={"channelId": 1})
    assert connector.extract([record(), other]) == []
    assert connector.extract([record(click={"channelId": int(FIRST.accounts[0])})])


async def test_every_channel_in_one_call_per_window_and_the_market_filter(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    records = await all_records(connector_for(runtime, SECOND), start, end)
    want = SECOND.expected(start, end)
    assert len(SECOND.accounts) == 2
    assert {r.external_id for r in records} == {t.external_id for t in want}
    assert {r.raw["click"]["channelId"] for r in records} == {int(a) for a in SECOND.accounts}
    calls = [e for e in stats(sandbox["adtraction"])["requests"] if e["path"] == TRANSACTIONS]
    assert len(calls) == 2  # 61 days: two windows, not two per channel
    assert {r.currency for r in records} == {"SEK"}  # every SE program is in kronor


def test_status_codes_and_their_words(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, FIRST)
    got = {
        code: connector.map_transaction(record(transactionStatus=code), Scope())
        for code in (1, 2, 4, 5)
    }
    assert {c: (r.status, r.network_status) for c, r in got.items()} == {
        1: ("approved", "approved"),
        2: ("pending", "pending"),
        4: ("pending", "open claim"),
        5: ("declined", "rejected"),
    }
    assert got[2].validated_at is None
    assert got[1].validated_at == datetime(2024, 7, 5, 6, tzinfo=UTC)
    with pytest.raises(BadPayload, match="unknown status '9'"):
        connector.map_transaction(record(transactionStatus=9), Scope())


def test_times_money_currency_and_sub_id(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, FIRST)
    mapped = connector.map_transaction(record(), Scope())
    assert mapped.event_at == datetime(2024, 7, 2, 8, 31, 44, tzinfo=UTC)
    assert mapped.source_timezone == "Europe/Stockholm"
    assert (mapped.commission_amount, mapped.sale_amount) == (Decimal("87.43"), Decimal("1249.0"))
    assert mapped.currency == "NOK"
    assert (mapped.click_ref, mapped.sub_ids) == ("usr_42", {"epi": "usr_42"})
    assert mapped.advertiser_id == "1233068414"
    # A row without a currency is in the connection's reporting currency.
    assert connector.map_transaction(record(currency=None), Scope()).currency == "SEK"


async def test_no_transactions_is_a_message_object(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, FIRST)
    old = window(700)[0]
    assert await all_records(connector, old, old + timedelta(days=3)) == []
    assert connector.extract({"message": "No transactions found."}) == []
    with pytest.raises(BadPayload, match="no list of transactions"):
        connector.extract({"transactions": []})


def test_a_429_waits_for_the_reset_in_milliseconds() -> None:
    request = httpx.Request("POST", "https://api.adtraction.com/v2/partner/transactions/")
    soon = int((time.time() + 20) * 1000)
    response = httpx.Response(429, headers={"X-RateLimit-Reset": str(soon)}, request=request)
    wait = reset_wait(response)
    assert wait is not None
    assert 15 < wait <= 20
    seconds = httpx.Response(429, headers={"X-RateLimit-Reset": str(int(time.time()) + 10)})
    assert 5 < (reset_wait(seconds) or 0) <= 10
    assert reset_wait(httpx.Response(429)) is None


async def test_verify_lists_the_channels_and_says_what_to_fix(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, SECOND).verify()
    assert [a.account_id for a in verified.accounts] == list(SECOND.accounts)
    assert "Deal blog" in verified.message
    with pytest.raises(CredentialsRejected) as wrong:
        await connector_for(runtime, FIRST, channel_id="42").verify()
    assert "Channel ID 42" in wrong.value.message
    assert all(c in wrong.value.message for c in channel_ids(FIRST.credentials["api_token"]))
    with pytest.raises(RequestRejected, match="no market 'XX'"):
        await connector_for(runtime, FIRST, market="XX").verify()
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, FIRST, api_token="bad-token-0000").verify()
    assert "Account > Settings > API" in refused.value.message
    assert "bad-token" not in refused.value.message


async def test_programs_per_channel_and_market_in_both_shapes(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SECOND)  # every channel
    programs = [p async for page in connector.programs() for p in page]
    calls = [e for e in stats(sandbox["adtraction"])["requests"]]
    listed = [e for e in calls if e["path"] == "/v2/affiliate/programs/"]
    assert len(listed) == 2  # market SE, for each of the two channels
    assert {p.account_id for p in programs} == set(SECOND.accounts)
    assert {p.relationship for p in programs} <= {"joined", "pending", "declined", "not_joined"}
    assert "joined" in {p.relationship for p in programs}
    assert all(p.link_token and p.domains and p.terms for p in programs)
    knobs(sandbox["adtraction"], programs_shape="v1")
    again = [p async for page in connector_for(runtime, SECOND).programs() for p in page]
    assert [(p.external_id, p.relationship, p.terms) for p in again] == [
        (p.external_id, p.relationship, p.terms) for p in programs
    ]
    one = [p async for page in connector_for(runtime, FIRST).programs() for p in page]
    assert {p.account_id for p in one} == {FIRST.credentials["channel_id"]}


def test_the_recorded_program_maps(runtime) -> None:  # type: ignore[no-untyped-def]
    mapped = connector_for(runtime, FIRST).map_program(RECORDED_PROGRAM)
    assert (mapped.external_id, mapped.name) == ("1233068414", "Komplett Bank SE")
    assert mapped.domains == ("www.komplettbank.se",)
    # Code 3 is undocumented: kept as it came, read as not joined.
    assert (mapped.network_relationship, mapped.relationship) == ("3", "not_joined")
    assert mapped.link_token == "1233068417"
    assert mapped.terms == (
        CommissionTerm("flat", Decimal("1550.0"), "SEK", "Godkänt lån"),
        CommissionTerm("flat", Decimal("600.0"), "SEK", "Godkänt Kreditkort"),
    )
    assert mapped.tracking_url is None


def test_approval_codes_and_v2_rates(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, FIRST)
    base = {"programId": 7, "programUrl": "https://shop.example.se"}
    seen = {}
    for code in (0, 1, 2, 9):
        mapped = connector.complete(
            connector.map_program({**base, "approvalStatus": code}), Scope("1")
        )
        seen[code] = (mapped.network_relationship, mapped.relationship, mapped.account_id)
    assert seen == {
        0: ("rejected", "declined", "1"),
        1: ("approved", "joined", "1"),
        2: ("pending review", "pending", "1"),
        9: ("9", "not_joined", "1"),
    }
    v2 = {
        **base,
        "commissions": [
            {"id": 1, "name": "Sale", "value": Decimal("8.5"), "type": "%", "transactionType": 1},
            {"id": 2, "name": "Lead", "value": Decimal("40"), "type": "NOK", "transactionType": 2},
            {"id": 3, "name": "Odd", "value": Decimal("1"), "type": "points", "transactionType": 3},
        ],
        "trackingURL": "https://track.adtraction.com/t/t?a=10&as=1&t=2&tk=1",
    }
    mapped = connector.map_program(v2)
    assert mapped.terms == (
        CommissionTerm("percent", Decimal("8.5"), None, "Sale"),
        CommissionTerm("flat", Decimal("40"), "NOK", "Lead"),
    )
    assert mapped.tracking_url == "https://track.adtraction.com/t/t?a=10&as=1&t=2&tk=1"


def test_a_sale_belongs_to_its_channel(runtime) -> None:  # type: ignore[no-untyped-def]
    mapped = connector_for(runtime, SECOND).map_transaction(record(), Scope(None))
    assert mapped.account_id == "1532500727"


PROGRAM = LinkProgram(
    id="p1", external_id="1233068414", account_id="1532500727", link_token="1233068417"
)


def test_the_link_is_the_documented_format() -> None:
    request = LinkRequest("https://www.komplettbank.se/lan?x=1&y=2#top", "nl_42", PROGRAM)
    assert AdTraction.link(request) == (
        "https://track.adtraction.com/t/t?a=1233068417&as=1532500727&t=2&tk=1&epi=nl_42"
        "&url=https%3A%2F%2Fwww.komplettbank.se%2Flan%3Fx%3D1%26y%3D2%23top"
    )
    bare = LinkRequest("https://www.komplettbank.se/", None, PROGRAM)
    assert AdTraction.link(bare) == (
        "https://track.adtraction.com/t/t?a=1233068417&as=1532500727&t=2&tk=1"
        "&url=https%3A%2F%2Fwww.komplettbank.se%2F"
    )
    without_ad = LinkRequest(
        "https://www.komplettbank.se/", None, replace(PROGRAM, link_token=None)
    )
    with pytest.raises(ValidationFailed, match="program_id"):
        AdTraction.link(without_ad)


def test_the_epi_rule() -> None:
    rule = AdTraction.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "epi"
    assert rule.problem("a" * 128) is None
    assert "at most 128" in (rule.problem("a" * 129) or "")
    assert "does not accept" in (rule.problem("user 42&x") or "")
