"""Refersion Marketplace specifics: the token header, paging through GraphQL variables,
windows as Unix seconds, GraphQL errors at HTTP 200, status words and payments, each
brand's currency, programs of every status."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, split_windows
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp
from app.connectors.refersion import PAGE_SIZE, Refersion
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
    assert sorted(p.relationship_status or "" for p in programs) == ["joined", "joined", "pending"]
    assert all(900000 <= int(p.external_id) <= 999999 for p in programs)
    assert all(p.details["rfsn_parameter"].startswith("&rfsn=") for p in programs)
    verified = await connector_for(runtime, CASE).verify()
    joined = {p.details["affiliate_id"] for p in programs if p.relationship_status == "joined"}
    assert {a.account_id for a in verified.accounts} == joined
