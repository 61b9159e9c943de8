"""FlexOffers specifics: the per-domain key checked against `/domains`, status words in any
case and both spellings, paid rows, PascalCase keys, Eastern times, HTTP 204, the
`status=all` maintenance fallback, incremental windows by modified date, advertisers by
application status with rates and deep link URLs, and deep links."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, split_windows
from app.connectors.errors import CredentialsRejected
from app.connectors.flexoffers import FlexOffers, page_total
from app.connectors.http import NetworkHttp
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

CASE = CASES["flexoffers"]
ROW = {
    "legacyId": 88123456,
    "programId": 157929,
    "programName": "Example Club",
    "clickDate": "2024-03-02T10:12:09",
    "eventDate": "2024-03-02T10:31:44",
    "orderNumber": "ORD-100023",
    "orderStatus": "Pending",
    "merchantValue": Decimal("120.0"),
    "commission": Decimal("6.0"),
    "currency": "USD",
    "subTracking": "usr_42",
    "subId1": "post-123",
    "subId2": "",
    "isPaid": False,
}


def offline() -> FlexOffers:
    credentials = {"domain_id": "246173", "domain_name": "example-blog.com"}
    credentials |= {"domain_url": "https://example-blog.com", "api_key": "k"}
    return FlexOffers(credentials, NetworkHttp(httpx.AsyncClient(), "flexoffers"))


def test_the_sheet_example_row() -> None:
    record = offline().map_transaction(ROW, Scope("246173"))
    assert record.external_id == "88123456"
    assert (record.status, record.network_status) == ("pending", "Pending")
    # 10:31:44 Eastern (EST in March before the switch) is 15:31:44 UTC.
    assert record.event_at == datetime(2024, 3, 2, 15, 31, 44, tzinfo=UTC)
    assert record.source_timezone == "America/New_York"
    assert (record.sale_amount, record.commission_amount) == (Decimal("120.0"), Decimal("6.0"))
    assert record.click_ref == "usr_42"
    assert record.sub_ids == {"subtracking": "usr_42", "subid1": "post-123"}
    assert (record.advertiser_id, record.order_id) == ("157929", "ORD-100023")


@pytest.mark.parametrize(
    ("word", "paid", "status"),
    [
        ("Approved", False, "approved"),
        ("approved", True, "paid"),
        ("Cancelled", False, "declined"),
        ("Canceled", False, "declined"),
        ("Non-Commissionable", False, "declined"),
        ("Bonus", False, "approved"),
    ],
)
def test_status_words(word: str, paid: bool, status: str) -> None:
    record = offline().map_transaction({**ROW, "orderStatus": word, "isPaid": paid}, Scope())
    assert (record.status, record.network_status) == (status, word)


def test_pascal_case_keys_and_an_eastern_offset() -> None:
    row = {k: v for k, v in ROW.items() if k not in ("legacyId", "programId", "subTracking")}
    row |= {
        "FLX_SalesId": 7,
        "ProgramId": 9,
        "SubTracking": "x",
        "eventDate": "2024-07-01T08:00:00-04:00",
    }
    record = offline().map_transaction(row, Scope())
    assert (record.external_id, record.advertiser_id, record.click_ref) == ("7", "9", "x")
    assert record.event_at == datetime(2024, 7, 1, 12, tzinfo=UTC)
    only_key = {**{k: v for k, v in row.items() if k != "FLX_SalesId"}, "TransactionKey": "t-1"}
    assert offline().map_transaction(only_key, Scope()).external_id == "t-1"


@pytest.mark.parametrize(
    ("body", "pages"),
    [
        ({"totalCount": 1001, "pageSize": 500}, 3),
        ({"TotalCount": 0, "PageSize": 500}, 1),
        (None, None),
    ],
)
def test_pages_from_the_total(body: Any, pages: int | None) -> None:
    assert page_total(body) == pages


def test_windows_by_event_date_and_by_modified_date_for_changes() -> None:
    connector = offline()
    first = next(
        split_windows(date(2024, 3, 1), date(2024, 3, 3), connector.zone, connector.max_window)
    )
    spec = connector.transactions_request(Scope(), first)
    assert spec.url == "https://api.flexoffers.com/allsales"
    assert spec.params["startDate"] == "03/01/2024"
    assert spec.params["endDate"] == "03/03/2024"
    assert (spec.params["dateType"], spec.params["status"]) == ("eventDate", "all")
    changed = next(
        split_windows(
            date(2024, 3, 1), date(2024, 3, 1), connector.zone, connector.max_window, "updated"
        )
    )
    assert connector.transactions_request(Scope(), changed).params["dateType"] == "modifiedDate"


# ---- against the sandbox -----------------------------------------------------------------
async def test_a_refused_key_says_where_the_keys_are(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, CASE, api_key="bad-key-123").verify()
    assert "Web Services > API Keys" in refused.value.message
    assert "bad-key-123" not in refused.value.message


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("domain_id", "12", "correct the Domain ID field"),
        ("domain_url", "https://another-site.com", "Domain URL field"),
        ("domain_name", "another-site.com", "Domain name field"),
    ],
)
async def test_a_form_that_names_another_domain_says_which_field(  # type: ignore[no-untyped-def]
    runtime, sandbox, field: str, value: str, says: str
) -> None:
    with pytest.raises(CredentialsRejected, match=says) as refused:
        await connector_for(runtime, CASE, **{field: value}).verify()
    assert "API Keys" in refused.value.message


async def test_a_key_of_another_domain(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    other = registry.connections("flexoffers")[1].credentials["api_key"]
    with pytest.raises(CredentialsRejected, match=r"This API key belongs to coupon-corner\.net"):
        await connector_for(runtime, CASE, api_key=other).verify()


async def test_the_second_domain(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    case = Case.of("flexoffers", registry.connections("flexoffers")[1])
    verified = await connector_for(runtime, case).verify()
    assert [a.account_id for a in verified.accounts] == case.accounts
    assert verified.accounts[0].name == "coupon-corner.net"


async def read(runtime, case: Case, days: int = 60) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    start, end = window(days)
    return {
        r.external_id: r
        async for page in connector_for(runtime, case).transactions(start, end)
        for r in page
    }


async def test_pascal_keys_and_offsets_read_the_same(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    plain = await read(runtime, CASE)
    knobs(sandbox["flexoffers"], keys="pascal", dates="offset")
    other = await read(runtime, CASE)
    assert set(plain) == set(other)
    assert len(plain) > 10
    assert all(other[k].event_at == plain[k].event_at for k in plain)
    assert all("FLX_SalesId" in r.raw for r in other.values())


async def test_the_maintenance_of_status_all_falls_back_to_each_status(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    plain = await read(runtime, CASE, 20)
    knobs(sandbox["flexoffers"], all_maintenance=True)
    fallback = await read(runtime, CASE, 20)
    assert set(fallback) == set(plain)
    assert stats(sandbox["flexoffers"])["by_status"].get("400")


async def test_an_empty_window_is_204(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start = date(2000, 1, 1)
    connector = connector_for(runtime, CASE)
    assert [r async for page in connector.transactions(start, start) for r in page] == []
    assert "204" in stats(sandbox["flexoffers"])["by_status"]


async def test_advertisers_by_application_status(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CASE).programs() for p in page]
    asked = [
        e["query"].get("ApplicationStatus")
        for e in stats(sandbox["flexoffers"])["requests"]
        if e["path"] == "/advertisers"
    ]
    assert asked == ["Approved", "Applied", "Declined"]  # not the NotApplied directory
    assert {p.relationship for p in programs} == {"joined", "pending", "declined"}
    assert {p.account_id for p in programs} == {CASE.accounts[0]}
    assert all(700000 <= int(p.external_id) <= 799999 for p in programs)
    assert all(p.name and p.domains and p.terms for p in programs)
    linkable = [p for p in programs if p.deeplinks]
    assert linkable
    assert all(f".{CASE.accounts[0]}&" in (p.tracking_url or "") for p in linkable)
    assert all(p.tracking_url is None for p in programs if p.deeplinks is False)


def test_an_advertiser_maps() -> None:
    row = {
        "id": 157929,
        "name": "Example Club",
        "domainUrl": "https://www.example-club.com",
        "ProgramStatus": "Approved",
        "applicationStatus": "NotApplied",
        "payout": "Up to 4.5% per sale, $20.00 per lead",
        "allowsDeeplinking": True,
        "deeplinkURL": BASE,
    }
    mapped = offline().complete(offline().map_program(row), Scope("246173"))
    assert (mapped.external_id, mapped.account_id) == ("157929", "246173")
    assert (mapped.network_relationship, mapped.relationship) == ("NotApplied", "not_joined")
    assert mapped.domains == ("www.example-club.com",)
    assert mapped.terms == (
        CommissionTerm("percent", Decimal("4.5")),
        CommissionTerm("flat", Decimal("20.00"), "USD"),
    )
    assert (mapped.deeplinks, mapped.tracking_url) == (True, BASE)
    words = {
        w: offline().complete(offline().map_program({**row, "applicationStatus": w}), Scope())
        for w in ("Approved", "Applied", "Pending", "Declined")
    }
    assert {w: p.relationship for w, p in words.items()} == {
        "Approved": "joined",
        "Applied": "pending",
        "Pending": "pending",
        "Declined": "declined",
    }


BASE = "https://track.flexlinkspro.com/g.ashx?foid=156074.157929&trid=1546671.246173&foc=16&fot=9999&fos=6"
PROGRAM = LinkProgram(id="p1", external_id="157929", account_id="246173", tracking_url=BASE)


def test_the_deep_link_is_the_advertisers_deeplink_url_with_url_and_fobs() -> None:
    request = LinkRequest("https://www.example-club.com/join?plan=gold&ref=x", "usr_42", PROGRAM)
    assert FlexOffers.link(request) == (
        BASE + "&URL=https%3A%2F%2Fwww.example-club.com%2Fjoin%3Fplan%3Dgold%26ref%3Dx&fobs=usr_42"
    )
    bare = LinkRequest("https://www.example-club.com/", None, PROGRAM)
    assert FlexOffers.link(bare) == BASE + "&URL=https%3A%2F%2Fwww.example-club.com%2F"
    unlisted = LinkRequest(
        "https://www.example-club.com/", None, replace(PROGRAM, tracking_url=None)
    )
    with pytest.raises(ValidationFailed, match="program_id"):
        FlexOffers.link(unlisted)


def test_the_fobs_rule() -> None:
    rule = FlexOffers.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "fobs"
    assert rule.problem("a-b_c" * 10) is None
    assert "at most 50" in (rule.problem("x" * 51) or "")
    assert "does not accept" in (rule.problem("a b") or "")
