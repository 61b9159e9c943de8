"""CJ specifics: the publisher currency, the company id, the advertiser lookup with its
rates and link types, and deep links on the website id (PID)."""

from decimal import Decimal

import pytest

from app.connectors import cj_lookup
from app.connectors.base import Scope
from app.connectors.cj import CJ as CJ_CONNECTOR
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
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
    assert all(p.relationship == "joined" for p in programs)
    assert len({p.external_id for p in programs}) == len(programs)


LOOKUP = """<?xml version="1.0" encoding="UTF-8"?>
<cj-api><advertisers total-matched="1" records-returned="1" page-number="1">
  <advertiser>
    <advertiser-id>4450175</advertiser-id>
    <account-status>Active</account-status>
    <advertiser-name>Example Outdoor Store</advertiser-name>
    <program-url>https://www.outdoor.example/</program-url>
    <relationship-status>joined</relationship-status>
    <primary-category><parent>Outdoors</parent><child>Camping</child></primary-category>
    <actions>
      <action>
        <name>Online Sale</name><type>advanced sale</type><id>377453</id>
        <commission>
          <itemlist name="CLEARANCE" id="37514">4.00%</itemlist>
          <default>8.00%</default>
        </commission>
      </action>
      <action>
        <name>Lead</name><type>lead</type><id>377454</id>
        <commission><default>USD 0.50</default></commission>
      </action>
    </actions>
    <link-types><link-type>Text Link</link-type><link-type>DeepLink</link-type></link-types>
  </advertiser>
</advertisers></cj-api>"""


def test_an_advertiser_maps_with_its_rates_and_deep_links(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CJ)
    [record] = connector.extract_programs(cj_lookup.advertisers(LOOKUP))
    program = connector.complete(connector.map_program(record), Scope(CJ.accounts[0]))
    assert (program.external_id, program.name, program.domains) == (
        "4450175",
        "Example Outdoor Store",
        ("www.outdoor.example",),
    )
    assert (program.relationship, program.network_relationship) == ("joined", "joined")
    assert program.account_id == CJ.accounts[0]
    assert program.terms == (
        CommissionTerm("percent", Decimal("8.00"), None, "Online Sale"),
        CommissionTerm("percent", Decimal("4.00"), None, "Online Sale / CLEARANCE"),
        CommissionTerm("flat", Decimal("0.50"), "USD", "Lead"),
    )
    assert program.deeplinks is True
    without = LOOKUP.replace("<link-type>DeepLink</link-type>", "")
    [record] = connector.extract_programs(cj_lookup.advertisers(without))
    assert connector.map_program(record).deeplinks is False
    assert CJ_CONNECTOR.relationships["notjoined"] == "not_joined"


def test_rates_cj_words_otherwise_are_left_out() -> None:
    assert cj_lookup.rate("12.5%") == ("percent", Decimal("12.5"), None)
    assert cj_lookup.rate("GBP 3.00") == ("flat", Decimal("3.00"), "GBP")
    assert cj_lookup.rate("tiered, see terms") is None


async def test_the_joined_advertisers_carry_rates_and_link_types(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CJ).programs() for p in page]
    assert programs
    assert all(p.domains and p.terms for p in programs)
    assert all(isinstance(p.deeplinks, bool) for p in programs)
    assert any(t.kind == "flat" and t.currency for p in programs for t in p.terms)


def _request(sub_id: str | None, **fields: str) -> LinkRequest:
    program = LinkProgram("p1", "4450175", "4567890", domains=("www.outdoor.example",))
    return LinkRequest("https://www.outdoor.example/tents/2p?colour=green", sub_id, program, fields)


def test_the_deep_link_is_cjs_documented_format() -> None:
    assert CJ_CONNECTOR.link(_request("nl_42", website_id="101234567")) == (
        "https://www.anrdoezrs.net/links/101234567/type/dlg/sid/nl_42/"
        "https://www.outdoor.example/tents/2p?colour=green"
    )
    assert CJ_CONNECTOR.link(_request(None, website_id="101234567")) == (
        "https://www.anrdoezrs.net/links/101234567/type/dlg/"
        "https://www.outdoor.example/tents/2p?colour=green"
    )


def test_without_a_website_id_no_link_is_made() -> None:
    with pytest.raises(ValidationFailed) as failed:
        CJ_CONNECTOR.link(_request("nl_42"))
    assert "website id (PID)" in failed.value.errors[0].message


def test_the_sid_rule() -> None:
    rule = CJ_CONNECTOR.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "sid"
    assert rule.problem("a" * 64) is None
    assert "at most 64" in (rule.problem("a" * 65) or "")
    assert "'/'" in (rule.problem("post/7") or "")
