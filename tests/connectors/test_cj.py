"""CJ specifics: the publisher currency, the company id, the advertiser lookup."""

from decimal import Decimal

import pytest

from app.connectors.errors import CredentialsRejected, RequestRejected
from app.sandbox.expected import expected_transactions
from tests.connectors.support import CASES, connector_for, knobs, window

CJ = CASES["cj"]


async def test_without_a_currency_the_usd_amounts_are_used(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["cj"], pub_currency="EUR")
    start, end = window(40)
    records = [
        r async for page in connector_for(runtime, CJ).transactions(start, end) for r in page
    ]
    assert {r.currency for r in records} == {"USD"}
    assert all(r.commission_amount == Decimal(r.raw["pubCommissionAmountUsd"]) for r in records)


async def test_with_the_account_currency_the_publisher_amounts_are_used(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["cj"], pub_currency="EUR")
    start, end = window(40)
    connector = connector_for(runtime, CJ, currency="EUR")
    records = [r async for page in connector.transactions(start, end) for r in page]
    want = expected_transactions("cj", CJ.accounts[0], 0, start, end, pub_currency="EUR")
    assert {r.external_id: (r.currency, r.commission_amount) for r in records} == {
        t.external_id: ("EUR", t.commission_amount) for t in want
    }


async def test_a_company_the_token_cannot_use_is_refused(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CJ, company_id="9999999")
    with pytest.raises((CredentialsRejected, RequestRejected)):
        await connector.verify()


async def test_joined_advertisers(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CJ).programs() for p in page]
    assert programs
    assert all(p.relationship_status == "joined" for p in programs)
    assert len({p.external_id for p in programs}) == len(programs)
