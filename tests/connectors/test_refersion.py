"""Refersion Marketplace specifics: the token header, paging through GraphQL variables,
windows as Unix seconds, GraphQL errors at HTTP 200, status words and payments, each
brand's currency, programs of every status with their rfsn value, links on the brand's
own pages, the sub-id field asked for only where the schema has it."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, split_windows
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp
from app.connectors.refersion import PAGE_SIZE, Refersion, rfsn_value
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from tests.connectors.support import CASES, Case, connector_for, stats, window

CASE = CASES["refersion"]
# The documentation sample's first conversion, with the id and status the connector asks.
ROW = {
    "id": 98123456,
    "total": "24.00",
    "commission_total": "4.80",
    "currency": "USD",
    "created": "1526674258",
    "status": "APPROVED",
    "shop": {"name": "refersion-test", "url": "https://t.example", "shop_identifier": "98765432"},
    "payment": {"created": "1527027021"},
}


def offline() -> Refersion:
    http = NetworkHttp(httpx.AsyncClient(), "refersion", secrets=["tok"])
    return Refersion({"graphql_token": "tok"}, http)


def test_the_documented_conversion() -> None:
    record = offline().map_transaction(ROW, Scope())
    assert (record.external_id, record.status, record.network_status) == (
        "98123456",
        "paid",
        "APPROVED",
    )
    assert record.event_at == datetime(2018, 5, 18, 20, 10, 58, tzinfo=UTC)
    assert (record.sale_amount, record.commission_amount) == (Decimal("24.00"), Decimal("4.80"))
    assert (record.currency, record.advertiser_id) == ("USD", "98765432")


@pytest.mark.parametrize(
    ("word", "payment", "status"),
    [
        ("APPROVED", None, "approved"),
        ("PENDING", None, "pending"),
        ("DENIED", None, "declined"),
        ("UNQUALIFIED", None, "declined"),
    ],
)
def test_status_words(word: str, payment: Any, status: str) -> None:
    record = offline().map_transaction({**ROW, "status": word, "payment": payment}, Scope())
    assert (record.status, record.network_status) == (status, word)


def test_the_window_in_variables_as_unix_seconds() -> None:
    connector = offline()
    first = next(split_windows(date(2018, 5, 1), date(2018, 5, 31), "UTC", connector.max_window))
    spec = connector.transactions_request(Scope(), first)
    assert spec.url == "https://graphql.refersion.com/"
    assert spec.json["variables"] == {"from": 1525132800, "to": 1527811199}
    assert "created_from: $from" in spec.json["query"]
    assert PAGE_SIZE <= 50  # the smaller of the two documented page limits


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Unauthorized", CredentialsRejected),
        ("Cannot query field 'order_number' on type 'Conversion'.", RequestRejected),
    ],
)
def test_graphql_errors_at_200(message: str, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        offline().check({"errors": [{"message": message}], "data": None})


# ---- against the sandbox -----------------------------------------------------------------
async def test_a_refused_token_says_where_to_make_one(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, CASE, graphql_token="bad-token-1").verify()
    assert "Edit Your Profile" in refused.value.message
    assert "Your GraphQL Token" in refused.value.message
    assert "bad-token-1" not in refused.value.message


async def test_pages_travel_in_variables(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    records = [r async for p in connector_for(runtime, CASE).transactions(start, end) for r in p]
    assert sorted(r.external_id for r in records) == sorted(
        t.external_id for t in CASE.expected(start, end)
    )
    calls = [e for e in stats(sandbox["refersion"])["requests"] if e["path"] == "/"]
    assert len(calls) > len(records) // PAGE_SIZE


async def test_brands_in_their_own_currencies(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    for connection in registry.connections("refersion"):
        case = Case.of("refersion", connection)
        start, end = window(100)
        got = [r async for p in connector_for(runtime, case).transactions(start, end) for r in p]
        want = {t.external_id: t.currency for t in case.expected(start, end)}
        assert {r.external_id: r.currency for r in got} == want
        assert any(r.status == "paid" for r in got)


async def test_programs_of_every_status(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CASE).programs() for p in page]
    assert sorted(p.relationship or "" for p in programs) == [
        "declined",
        "joined",
        "joined",
        "pending",
    ]
    assert {p.network_relationship for p in programs} == {"ACTIVE", "PENDING", "DENIED"}
    assert all(900000 <= int(p.external_id) <= 999999 for p in programs)
    assert all(p.domains and p.deeplinks for p in programs)
    verified = await connector_for(runtime, CASE).verify()
    joined = {(p.link_token or "").split(".")[0] for p in programs if p.relationship == "joined"}
    assert {a.account_id for a in verified.accounts} == joined


def test_a_program_is_the_brand_with_its_rfsn_value() -> None:
    record = {
        "id": 123456,
        "status": "ACTIVE",
        "rfsn_parameter": "&rfsn=1111110.c4845",
        "shop": {
            "name": "example-skincare",
            "url": "https://example-skincare.com/",
            "shop_identifier": "58201934",
        },
    }
    program = offline().complete(offline().map_program(record), Scope())
    assert (program.external_id, program.name) == ("58201934", "example-skincare")
    assert (program.relationship, program.network_relationship) == ("joined", "ACTIVE")
    assert program.domains == ("example-skincare.com",)
    assert program.link_token == "1111110.c4845"
    assert rfsn_value("?rfsn=42.ab") == "42.ab"
    assert rfsn_value(None) is None


def _request(destination: str, sub_id: str | None) -> LinkRequest:
    program = LinkProgram(
        "p", "58201934", "", domains=("example-skincare.com",), link_token="1111110.c4845"
    )
    return LinkRequest(destination, sub_id, program)


def test_the_link_is_the_brand_page_with_rfsn_and_subid() -> None:
    page = "https://example-skincare.com/products/serum?size=50ml#reviews"
    assert Refersion.link(_request(page, "ig_story-3")) == (
        "https://example-skincare.com/products/serum?size=50ml&rfsn=1111110.c4845"
        "&subid=ig_story-3#reviews"
    )
    assert Refersion.link(_request("https://example-skincare.com", None)) == (
        "https://example-skincare.com?rfsn=1111110.c4845"
    )
    # A pasted affiliate link keeps its page, not someone's tracking.
    pasted = "https://example-skincare.com/?rfsn=999.old&subid=x&utm_source=a%20b"
    assert Refersion.link(_request(pasted, "y")) == (
        "https://example-skincare.com/?utm_source=a%20b&rfsn=1111110.c4845&subid=y"
    )
    assert Refersion.links.on_program_domain  # type: ignore[union-attr]


def test_sub_ids_with_spaces_or_past_the_cap_are_refused() -> None:
    rule = Refersion.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "subid"
    assert rule.problem("I_am_a_sentence") is None
    assert rule.problem("I am a sentence") is not None
    assert "at most 64" in (rule.problem("a" * 65) or "")


async def test_the_sub_id_field_is_asked_for_only_where_the_schema_has_it(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)

    def query() -> str:
        first = next(connector.windows(*window(2)))
        text: str = connector.transactions_request(Scope(), first).json["query"]
        return text

    assert "sub_id" not in query()
    await connector.units(*window(2))  # asks the schema once
    assert "sub_id" in query()
    bare = offline()
    without = {"data": {"__type": {"fields": [{"name": "id"}, {"name": "total"}]}}}

    async def answer(spec: Any) -> Any:
        return without

    bare.request = answer  # type: ignore[method-assign]
    assert "sub_id" not in await bare.conversion_query()
