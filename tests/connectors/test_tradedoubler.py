"""Tradedoubler specifics: the password grant and its renewal (refresh token first, a new
grant when that fails), refusals that name the fields to fix, one source at a time, the
Stockholm clock, the envelope's currency, statuses and `paid`, leads, programs of every
status, and tracking links with the sub-id in `epi`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, Window, split_windows
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import NetworkHttp
from app.connectors.ratelimit import Budget
from app.connectors.tradedoubler import Tradedoubler
from app.ledger.records import ProgramRecord
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

CASE = CASES["tradedoubler"]
SECOND = registry.connections("tradedoubler")[1]
ROW: dict[str, Any] = {
    "transactionId": 99999888901,
    "programId": 123456,
    "programName": "Shoe Shop SE",
    "sourceId": 1233456,
    "eventTypeId": 5,
    "timeOfLastClick": "2024-02-18 19:07:59.0",
    "timeOfTransaction": "2024-02-26 23:17:56.0",
    "timeOfLastModified": "2024-07-20 09:00:00.0",
    "epi": "u42",
    "epi2": "post7",
    "leadNumber": None,
    "orderNumber": "order123",
    "orderValue": Decimal("100.00"),
    "commission": Decimal("8.00"),
    "paid": False,
    "status": "A",
    "deviceObject": {"deviceType": "Mobile"},
}


def offline() -> Tradedoubler:
    values = {"username": "u", "password": "p", "client_id": "c", "client_secret": "s"}
    return Tradedoubler(values, NetworkHttp(httpx.AsyncClient(), "tradedoubler"))


def mapped(**changes: Any) -> Any:
    connector = offline()
    envelope = {"limit": 100, "offset": 0, "reportCurrencyCode": "SEK", "items": [ROW | changes]}
    return connector.map_transaction(connector.extract(envelope)[0], Scope("1233456"))


async def grants(base_url: str) -> list[str]:
    async with httpx.AsyncClient() as client:
        found: list[str] = (await client.get(f"{base_url}/_sandbox/grants")).json()["grants"]
    return found


async def ids(connector: Any, start: date, end: date) -> list[str]:
    return [r.external_id async for page in connector.transactions(start, end) for r in page]


# ---- the request --------------------------------------------------------------------
def test_one_source_and_stockholm_days_as_yyyymmdd() -> None:
    connector = offline()
    window = next(
        split_windows(date(2024, 3, 1), date(2024, 3, 31), connector.zone, connector.max_window)
    )
    spec = connector.transactions_request(Scope("654321"), window)
    assert spec.url == "https://connect.tradedoubler.com/publisher/report/transactions"
    assert spec.params["sourceId"] == "654321"
    assert (spec.params["fromDate"], spec.params["toDate"]) == ("20240301", "20240331")
    assert "lastModified" not in spec.params
    assert window.start.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
    updated = Window(window.start, window.end, "updated")
    assert connector.transactions_request(Scope("1"), updated).params["lastModified"] == "true"


def test_limits_and_paging() -> None:
    assert Tradedoubler.budgets == (Budget(60, 60),)
    assert Tradedoubler.paginator.size == 100  # type: ignore[attr-defined]
    assert Tradedoubler.incremental
    assert Tradedoubler.auth.budget_credential({"client_id": "c", "username": "u"}) == "c"


# ---- mapping ------------------------------------------------------------------------
def test_a_sale_in_the_report_currency_on_the_stockholm_clock() -> None:
    record = mapped()
    assert (record.status, record.network_status) == ("approved", "A")
    assert (record.commission_amount, record.sale_amount, record.currency) == (
        Decimal("8.00"),
        Decimal("100.00"),
        "SEK",
    )
    assert record.event_at == datetime(2024, 2, 26, 22, 17, 56, tzinfo=UTC)  # CET, +1
    assert record.click_at == datetime(2024, 2, 18, 18, 7, 59, tzinfo=UTC)
    assert record.validated_at == datetime(2024, 7, 20, 7, 0, tzinfo=UTC)  # CEST, +2
    assert (record.order_id, record.click_ref, record.sub_ids) == (
        "order123",
        "u42",
        {"epi": "u42", "epi2": "post7"},
    )
    assert (record.advertiser_id, record.device, record.source_timezone) == (
        "123456",
        "Mobile",
        "Europe/Stockholm",
    )
    assert "_reportCurrencyCode" not in record.raw


@pytest.mark.parametrize(
    ("word", "paid", "ours"),
    [
        ("P", False, "pending"),
        ("A", False, "approved"),
        ("A", True, "paid"),
        ("D", False, "declined"),
    ],
)
def test_statuses(word: str, paid: bool, ours: str) -> None:
    record = mapped(status=word, paid=paid)
    assert (record.status, record.network_status) == (ours, word)
    assert (record.validated_at is None) == (ours == "pending")


def test_a_lead_has_no_sale_and_its_lead_number() -> None:
    record = mapped(eventTypeId=4, orderNumber=None, leadNumber="L-9", orderValue=None)
    assert (record.sale_amount, record.order_id) == (None, "L-9")


def test_the_blueprints_other_spelling_of_times() -> None:
    row = {k.replace("timeOf", "timeof"): v for k, v in ROW.items()}
    connector = offline()
    envelope = {"reportCurrencyCode": "EUR", "items": [row]}
    record = connector.map_transaction(connector.extract(envelope)[0], Scope("1"))
    assert record.event_at == datetime(2024, 2, 26, 22, 17, 56, tzinfo=UTC)


def test_envelopes() -> None:
    connector = offline()
    wrapped = [{"limit": 20, "offset": 0, "items": [{"id": 1}]}]
    assert connector.extract_programs(wrapped) == [{"id": 1}]
    with pytest.raises(BadPayload, match="items"):
        connector.extract({"limit": 20})
    with pytest.raises(BadPayload, match="reportCurrencyCode"):
        connector.map_transaction(ROW, Scope("1"))


# ---- token renewal, against the sandbox ---------------------------------------------
async def test_an_expired_token_is_renewed_with_the_refresh_token(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    base = sandbox["tradedoubler"]
    connector = connector_for(runtime, CASE)
    start, end = window(20)
    first = await ids(connector, start, end)
    assert await grants(base) == ["password"]
    # The cached token outlived by the clock: the next call renews by refresh token.
    await runtime.redis.delete(connector.auth._cache_key(connector.http))
    assert await ids(connector_for(runtime, CASE), start, end) == first
    # The token server forgets every access token: a 401, then a refresh, then the rows.
    httpx.post(f"{base}/_sandbox/expire_tokens").raise_for_status()
    assert await ids(connector_for(runtime, CASE), start, end) == first
    assert await grants(base) == ["password", "refresh_token", "refresh_token"]
    assert stats(base)["by_status"].get("401") == 1


async def test_a_refused_refresh_token_falls_back_to_the_password(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    base = sandbox["tradedoubler"]
    connector = connector_for(runtime, CASE)
    start, end = window(5)
    first = await ids(connector, start, end)
    httpx.post(f"{base}/_sandbox/expire_tokens").raise_for_status()
    httpx.post(f"{base}/_sandbox/revoke_refresh_tokens").raise_for_status()
    assert await ids(connector_for(runtime, CASE), start, end) == first
    assert await grants(base) == ["password", "password"]


async def test_the_token_is_kept_short_of_its_899_seconds(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    await connector.verify()
    ttl = await runtime.redis.ttl(connector.auth._cache_key(connector.http))
    assert 0 < ttl <= 899 - 120


# ---- verify and refusals --------------------------------------------------------------
async def test_verify_lists_the_sources_or_the_chosen_one(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, CASE).verify()
    assert [s.account_id for s in verified.accounts] == CASE.accounts
    assert "accepted" in verified.message
    one = connector_for(runtime, CASE, source_id=CASE.accounts[1])
    assert [s.account_id for s in (await one.verify()).accounts] == [CASE.accounts[1]]


@pytest.mark.parametrize(
    ("field", "says"),
    [
        ("client_secret", "client ID or client secret was not accepted"),
        ("password", "username or password was not accepted"),
    ],
)
async def test_a_refusal_names_the_fields_and_where_to_fix_them(
    runtime, sandbox, field, says
) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE, **{field: "bad-value-123456"})
    with pytest.raises(CredentialsRejected) as refused:
        await connector.verify()
    message = refused.value.message
    assert says in message
    assert "Account > Clients" in message
    assert "publishers.tradedoubler.com" in message
    assert "bad-value" not in message


async def test_a_source_that_is_not_the_accounts(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE, source_id="1")
    with pytest.raises(CredentialsRejected, match="Source 1 is not one of") as refused:
        await connector.verify()
    assert "Account > Sites" in refused.value.message


# ---- a site of its own, currency, programs, incremental ----------------------------
async def test_the_second_connection_reads_its_one_site_in_its_currency(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    case = Case.of("tradedoubler", SECOND)
    connector = connector_for(runtime, case)
    start, end = window(30)
    records = [r async for page in connector.transactions(start, end) for r in page]
    assert {r.currency for r in records} == {"SEK"}
    assert sorted(r.external_id for r in records) == sorted(
        t.external_id for t in case.expected(start, end)
    )
    calls = [e for e in stats(sandbox["tradedoubler"])["requests"] if "report" in e["path"]]
    assert calls
    assert {e["query"]["sourceId"] for e in calls} == {SECOND.accounts[0]}


async def test_programs_of_every_status_of_each_source(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["tradedoubler"], programs_wrapped=True)
    connector = connector_for(runtime, CASE)
    programs = [p async for page in connector.programs() for p in page]
    words = {p.network_relationship: p.relationship for p in programs}
    assert words["Accepted"] == "joined"
    assert words["Not Applied"] == "not_joined"
    assert words["Under Consideration"] == "pending"
    assert {p.account_id for p in programs} == set(CASE.accounts)
    assert all(p.domains and p.domains[0].startswith("www.") for p in programs)
    assert {p.deeplinks for p in programs} == {True, False}
    calls = [e for e in stats(sandbox["tradedoubler"])["requests"] if "programs" in e["path"]]
    assert {(e["query"]["sourceId"], e["query"]["statusId"]) for e in calls} == {
        (source, "0,1,2,3,4,5,6,7,8") for source in CASE.accounts
    }


def program(**changes: Any) -> ProgramRecord:
    listed = {
        "id": 123,
        "name": "Name_123",
        "countryCode": "GB",
        "statusId": 3,
        "currencyCode": "GBP",
        "homePage": "https://www.tradedoubler.com",
        "deepLinking": True,
    }
    return offline().complete(offline().map_program(listed | changes), Scope("654321"))


@pytest.mark.parametrize(
    ("status_id", "word", "ours"),
    [
        (0, "Not Applied", "not_joined"),
        (1, "Under Consideration", "pending"),
        (2, "On-hold while under consideration", "pending"),
        (3, "Accepted", "joined"),
        (4, "Ended", "not_joined"),
        (5, "Denied", "declined"),
        (6, "On Hold while Accepted", "declined"),
        (7, "Final Denied", "declined"),
        (8, "Written Off", "declined"),
        (9, "9", None),  # a status the blueprint does not name: kept, not guessed
    ],
)
def test_program_statuses(status_id: int, word: str, ours: str | None) -> None:
    mapped = program(statusId=status_id)
    assert (mapped.network_relationship, mapped.relationship) == (word, ours)


def test_a_program_as_listed() -> None:
    mapped = program()
    assert (mapped.external_id, mapped.name, mapped.domains) == (
        "123",
        "Name_123",
        ("www.tradedoubler.com",),
    )
    assert (mapped.account_id, mapped.deeplinks) == ("654321", True)
    # The listing has no rates and no click URL: those are per-program detail calls.
    assert (mapped.terms, mapped.link_token, mapped.tracking_url) == ((), None, None)
    assert program(deepLinking=False).deeplinks is False


def link_request(sub_id: str | None) -> LinkRequest:
    joined = LinkProgram("p-1", "123456", "654321", relationship="joined", deeplinks=True)
    destination = "https://www.shoe-shop.example/sale/boots?size=42&colour=black"
    return LinkRequest(destination, sub_id, joined)


def test_the_link_names_program_and_source_with_the_sub_id_in_epi_and_url_last() -> None:
    assert Tradedoubler.link(link_request("u42-post7")) == (
        "https://clk.tradedoubler.com/click?p=123456&a=654321&epi=u42-post7"
        "&url=https%3A%2F%2Fwww.shoe-shop.example%2Fsale%2Fboots%3Fsize%3D42%26colour%3Dblack"
    )
    assert Tradedoubler.link(link_request(None)) == (
        "https://clk.tradedoubler.com/click?p=123456&a=654321"
        "&url=https%3A%2F%2Fwww.shoe-shop.example%2Fsale%2Fboots%3Fsize%3D42%26colour%3Dblack"
    )


@pytest.mark.parametrize(
    ("sub_id", "says"),
    [
        ("a" * 64, None),
        ("user_42-post-7", None),
        ("a" * 65, "at most 64"),
        ("user 42", "' '"),
        ("u42&x=1", "'&'"),
        ("café", "'é'"),
    ],
)
def test_the_epi_rule(sub_id: str, says: str | None) -> None:
    assert Tradedoubler.links is not None
    problem = Tradedoubler.links.sub_id.problem(sub_id)
    assert (problem is None) if says is None else (problem is not None and says in problem)


async def test_changes_since_the_last_sync_by_last_modification(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    start, end = window(100)
    httpx.post(f"{sandbox['tradedoubler']}/_sandbox/epoch").raise_for_status()
    units = await connector.units(start, end, since=end)
    assert {u.window.by for u in units} == {"updated"}
    changed = [r async for page in connector.transactions(start, end, since=end) for r in page]
    # Any event date: a change today may belong to an order from long before the window.
    now = {t.external_id: t for t in CASE.expected(*window(800), epoch=1)}
    assert changed
    assert all(r.status == now[r.external_id].status for r in changed)
