"""AvantLink specifics: the platform's host, the report request in Mountain time, lines
read by header name, the meaning of `Transaction Type`, statuses and Payment Id, errors
as text at HTTP 200, a spent daily quota that ends the run, every merchant from the feed
with its standing and rates, and Custom Links."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.connectors import avantlink_body
from app.connectors.avantlink import AvantLink
from app.connectors.avantlink_body import ErrorText, decode, next_day
from app.connectors.base import Scope, split_windows
from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    QuotaSpent,
    RequestRejected,
)
from app.connectors.http import NetworkHttp
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

AVANTLINK = CASES["avantlink"]
KEY = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
LINE = {
    "Merchant": "Example Outdoors",
    "Custom Tracking Code": "usr_42",
    "Order Id": "A10023",
    "Transaction Amount": "$1,120.00",
    "Total Commission": "$89.60",
    "Transaction Type": "Sale",
    "Transaction Date": "03-02-2024 10:31:44",
    "Last Click Through": "03-02-2024 10:12:09",
    "AvantLink Transaction Id": "412345678",
    "Merchant Id": "10065",
    "Mobile Order": "Y",
    "Payment Id": "",
    "Commission Status": "Pending",
}


def offline(**credentials: str) -> AvantLink:
    values = {"affiliate_id": "123456", "api_key": KEY, **credentials}
    return AvantLink(values, NetworkHttp(httpx.AsyncClient(), "avantlink", secrets=[KEY]))


def mapped(**changes: str) -> Any:
    return offline().map_transaction({**LINE, **changes}, Scope("123456"))


# ---- the request --------------------------------------------------------------------
def test_the_report_request_in_mountain_time_on_the_us_host() -> None:
    connector = offline(website_id="209735")
    day = date(2024, 7, 1)
    first = next(split_windows(day, day, connector.zone, connector.max_window))
    spec = connector.transactions_request(Scope("123456"), first)
    assert spec.url == "https://classic.avantlink.com/api.php"
    assert spec.params["module"] == "AffiliateReport"
    assert spec.params["report_id"] == "8"
    assert spec.params["output"] == "csv"
    assert spec.params["affiliate_id"] == "123456"
    assert spec.params["website_id"] == "209735"
    assert (spec.params["date_begin"], spec.params["date_end"]) == (
        "2024-07-01 00:00:00",
        "2024-07-01 23:59:59",
    )
    assert first.start.astimezone(UTC) == datetime(2024, 7, 1, 6, tzinfo=UTC)  # MDT


def test_the_canadian_platform_has_its_host_and_currency() -> None:
    connector = offline(region="ca")
    assert connector.api_base == "https://classic.avantlink.ca"
    assert connector.map_transaction(LINE, Scope()).currency == "CAD"
    assert offline().map_transaction(LINE, Scope()).currency == "USD"


def test_an_affiliate_id_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(RequestRejected, match="Affiliate ID"):
        offline(affiliate_id="abc").affiliate_id  # noqa: B018


# ---- lines ----------------------------------------------------------------------------
def test_a_sale_line() -> None:
    record = mapped()
    assert (record.status, record.network_status) == ("pending", "Pending")
    assert record.commission_amount == Decimal("89.60")
    assert record.sale_amount == Decimal("1120.00")
    assert record.event_at == datetime(2024, 3, 2, 17, 31, 44, tzinfo=UTC)  # MST
    assert record.click_at == datetime(2024, 3, 2, 17, 12, 9, tzinfo=UTC)
    assert record.source_timezone == "America/Denver"
    assert (record.click_ref, record.sub_ids) == ("usr_42", {"ctc": "usr_42"})
    assert (record.order_id, record.advertiser_id, record.device) == ("A10023", "10065", "mobile")


@pytest.mark.parametrize("kind", ["RETURN", "Canceled", "CANCELLED", "fraud"])
def test_a_reversal_takes_money_back_whatever_its_sign(kind: str) -> None:
    for amount in ("$89.60", "($89.60)"):
        record = mapped(**{"Transaction Type": kind, "Total Commission": amount})
        assert record.commission_amount == Decimal("-89.60")
        assert record.sale_amount == Decimal("-1120.00")


@pytest.mark.parametrize(("kind", "amount"), [("ADJUSTMENT", "($4.00)"), ("BONUS", "$25.00")])
def test_adjustments_and_bonuses_keep_their_sign(kind: str, amount: str) -> None:
    record = mapped(**{"Transaction Type": kind, "Total Commission": amount})
    assert record.commission_amount == Decimal(amount.strip("()$")) * (
        -1 if amount.startswith("(") else 1
    )


def test_an_unknown_transaction_type_fails_loudly() -> None:
    with pytest.raises(BadPayload, match="Transaction Type"):
        mapped(**{"Transaction Type": "CHARGEBACK"})


@pytest.mark.parametrize(
    ("word", "payment", "status"),
    [
        ("Pending", "", "pending"),
        ("Approved", "", "approved"),
        ("Approved", "88812", "paid"),
        ("Paid", "88812", "paid"),
        ("Declined", "", "declined"),
        ("Declined", "88812", "declined"),
    ],
)
def test_the_commission_status_and_the_payment(word: str, payment: str, status: str) -> None:
    record = mapped(**{"Commission Status": word, "Payment Id": payment})
    assert (record.status, record.network_status) == (status, word)


def test_a_layout_without_a_status_column_books_the_line() -> None:
    old = {k: v for k, v in LINE.items() if k not in ("Commission Status", "Payment Id")}
    record = offline().map_transaction(old, Scope())
    assert (record.status, record.network_status) == ("approved", "Sale")


# The fact sheet's example (constructed, with the report's real headers).
SHEET_EXAMPLE = b"""Merchant,Website,Tool Name,Campaign/Product Link,Custom Tracking Code,Order Id,\
Transaction Amount,Base Commission,Incentive Commission,Total Commission,Transaction Type,\
Transaction Date,Last Click Through,AvantLink Transaction Id,Merchant Id,Website Id,Item Count,\
New Customer,Mobile Order,Coupon Code,Payment Id,Commission Status,Sub Affiliate Domain
"Example Outdoors","Example Gear Blog","Custom Link","Trail Runner 2","usr_42","A10023",\
"$120.00","$9.60","$0.00","$9.60","Sale","03-02-2024 10:31:44","03-02-2024 10:12:09",\
"412345678","10065","209735","1","Y","N","","","Pending",""
"Example Outdoors","Example Gear Blog","Custom Link","Trail Runner 2","usr_42","A10023",\
"($120.00)","($9.60)","$0.00","($9.60)","Adjustment","03-20-2024 08:00:00",\
"03-02-2024 10:12:09","412399901","10065","209735","1","N","N","","","Pending",""
"""


def test_the_sheet_example_reads_by_header_name() -> None:
    rows = decode("AffiliateReport", SHEET_EXAMPLE)
    assert isinstance(rows, list)
    sale, adjustment = (offline().map_transaction(r, Scope()) for r in rows)
    assert (sale.external_id, sale.commission_amount, sale.status) == (
        "412345678",
        Decimal("9.60"),
        "pending",
    )
    assert adjustment.commission_amount == Decimal("-9.60")
    assert adjustment.sale_amount == Decimal("-120.00")
    assert adjustment.event_at == datetime(2024, 3, 20, 14, 0, tzinfo=UTC)  # MDT from 03-10
    assert sale.device is None


# ---- bodies ---------------------------------------------------------------------------
def test_a_header_alone_is_an_empty_report_and_text_is_an_error() -> None:
    header = b"Merchant,Order Id,AvantLink Transaction Id\r\n"
    assert decode("AffiliateReport", header) == []
    assert decode("AffiliateReport", b"") == []
    assert decode("AffiliateReport", b"Invalid auth_key\n") == ErrorText("Invalid auth_key")
    assert decode("AssociationFeed", b"<NewDataSet />") == []
    with pytest.raises(ValueError, match="UTF-8"):
        decode("AffiliateReport", b"\x00\xff\xfe garbage")


@pytest.mark.parametrize(
    "text", ["Invalid auth_key for affiliate_id 1", "Missing or invalid affiliate_id"]
)
def test_a_refused_key_is_a_credentials_failure(text: str) -> None:
    with pytest.raises(CredentialsRejected):
        avantlink_body.check(ErrorText(text))


def test_a_foreign_website_names_the_field() -> None:
    with pytest.raises(CredentialsRejected, match="Website ID field"):
        avantlink_body.check(ErrorText("Invalid website_id 1 for this affiliate"))


def test_a_spent_quota_resumes_at_the_next_mountain_midnight() -> None:
    with pytest.raises(QuotaSpent) as spent:
        avantlink_body.check(ErrorText("API request limit exceeded for module AffiliateReport"))
    resume = spent.value.resume_at
    assert resume == next_day()
    assert timedelta(0) < resume - datetime.now(UTC) <= timedelta(days=1)
    assert resume.astimezone(ZoneInfo("America/Denver")).hour == 0


@pytest.mark.parametrize("text", ["Invalid report_id: 99", "Date range exceeds the limit"])
def test_other_text_is_a_rejected_request(text: str) -> None:
    with pytest.raises(RequestRejected, match=text):
        avantlink_body.check(ErrorText(text))


# ---- against the sandbox -----------------------------------------------------------------
async def test_a_refused_key_says_where_to_find_the_key(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    bad = "bad00000000000000000000000000000"
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, AVANTLINK, api_key=bad).verify()
    assert "API Keys tab" in refused.value.message
    assert "Canada" in refused.value.message
    assert bad not in refused.value.message


async def test_verify_names_the_platform_and_the_affiliate(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, AVANTLINK).verify()
    assert verified.ok
    assert AVANTLINK.accounts[0] in verified.message
    assert "avantlink.com" in verified.message


async def test_a_website_of_another_account_is_named(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected, match="Website ID field"):
        await connector_for(runtime, AVANTLINK, website_id="1").verify()


async def test_a_spent_daily_quota_ends_the_run_without_retrying(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["avantlink"], rate_limits={86400: 2})
    with pytest.raises(QuotaSpent) as spent:
        [
            r
            async for page in connector_for(runtime, AVANTLINK).transactions(*window(100))
            for r in page
        ]
    assert spent.value.kind == "rate_limited"
    assert spent.value.resume_at > datetime.now(UTC)
    assert stats(sandbox["avantlink"])["total"] == 3


async def test_a_canadian_account_in_canadian_dollars(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    case = Case.of("avantlink", registry.connections("avantlink")[1])
    start, end = window(40)
    records = [
        r async for page in connector_for(runtime, case).transactions(start, end) for r in page
    ]
    want = {t.external_id: t for t in case.expected(start, end)}
    assert {r.external_id for r in records} == set(want)
    assert {r.currency for r in records} == {"CAD"}


async def test_every_merchant_with_its_standing_in_one_call(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, AVANTLINK).programs() for p in page]
    feeds = [e for e in stats(sandbox["avantlink"])["requests"] if e["path"] == "/api.php"]
    assert len(feeds) == 1
    assert {p.relationship for p in programs} >= {"joined", "pending", "declined", "not_joined"}
    assert all(p.name and p.domains and p.external_id.isdigit() for p in programs)
    assert all(600000 <= int(p.external_id) <= 699999 for p in programs)
    assert all(p.terms and p.terms[0].kind == "percent" for p in programs)
    assert all("pw=" in (p.tracking_url or "") for p in programs)


def test_a_feed_row_maps(runtime) -> None:  # type: ignore[no-untyped-def]
    row = {
        "Merchant_Id": "10065",
        "Merchant_Name": "Example Outdoors",
        "Association_Status": "denied",
        "Commission_Rate": "4.50% - 8%",
        "Merchant_URL": "https://www.example-outdoors.com/",
        "Default_Tracking_URL": "https://www.avantlink.com/click.php?tt=cl&mi=10065&pw=209735",
    }
    mapped = connector_for(runtime, AVANTLINK).complete(
        connector_for(runtime, AVANTLINK).map_program(row), Scope("148302")
    )
    assert (mapped.external_id, mapped.account_id) == ("10065", "148302")
    assert (mapped.network_relationship, mapped.relationship) == ("denied", "declined")
    assert mapped.domains == ("www.example-outdoors.com",)
    assert mapped.terms == (
        CommissionTerm("percent", Decimal("4.50")),
        CommissionTerm("percent", Decimal("8")),
    )
    assert mapped.tracking_url == row["Default_Tracking_URL"]
    canadian = connector_for(runtime, AVANTLINK, region="ca")
    flat = canadian.map_program({**row, "Commission_Rate": "$1,250.00"})
    assert flat.terms == (CommissionTerm("flat", Decimal("1250.00"), "CAD"),)
    assert (
        canadian.map_program({**row, "Association_Status": "none"}).network_relationship == "none"
    )


PROGRAM = LinkProgram(
    id="p1",
    external_id="10065",
    account_id="148302",
    tracking_url="https://www.avantlink.com/click.php?tt=cl&mi=10065&pw=209735",
)
DESTINATION = "https://www.example-outdoors.com/tents?size=2&colour=red"


def test_the_custom_link_is_the_documented_format() -> None:
    request = LinkRequest(DESTINATION, "post.17_a", PROGRAM, {"website_id": "204411"})
    assert AvantLink.link(request) == (
        "https://www.avantlink.com/click.php?tt=cl&mi=10065&pw=204411&ctc=post.17_a"
        "&url=https%3A%2F%2Fwww.example-outdoors.com%2Ftents%3Fsize%3D2%26colour%3Dred"
    )
    # No Website ID on the form: the website the feed's default tracking link credits.
    default = LinkRequest(DESTINATION, "summer sale", PROGRAM, {"region": "ca"})
    assert AvantLink.link(default) == (
        "https://www.avantlink.ca/click.php?tt=cl&mi=10065&pw=209735&ctc=summer%20sale"
        "&url=https%3A%2F%2Fwww.example-outdoors.com%2Ftents%3Fsize%3D2%26colour%3Dred"
    )
    unknown = LinkRequest(DESTINATION, None, replace(PROGRAM, tracking_url=None))
    with pytest.raises(ValidationFailed, match="connection_id"):
        AvantLink.link(unknown)


def test_the_custom_tracking_code_rule() -> None:
    rule = AvantLink.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "ctc"
    assert rule.problem("a.b-c_d e" + "x" * 55) is None
    assert "at most 64" in (rule.problem("x" * 65) or "")
    assert "does not accept" in (rule.problem("a/b?c") or "")
