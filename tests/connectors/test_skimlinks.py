"""Skimlinks specifics: the recorded commission, float-noise amounts read exactly, the
active/cancelled + payment status table, the token in the query string, windows by
transaction date and incremental `updated_since`, one site by `domain_id`, negative
return lines, merchants by program with their rate bounds, the go.skimresources.com link
for the connection's (or the first registered) site and its xcust rule, budgets, and
verify's messages."""

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import jsonutil
from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, QuotaSpent
from app.connectors.http import NetworkHttp
from app.connectors.skimlinks import Skimlinks
from app.connectors.skimlinks_auth import token_publisher
from app.connectors.skimlinks_merchants import per_program
from app.connectors.skimlinks_merchants import program as merchant_program
from app.ledger.records import CommissionTerm
from app.links.format import LinkRequest
from app.sandbox import registry
from app.sandbox.expected import expected_transactions
from app.sandbox.skimlinks import sites_of
from tests.connectors.support import (
    CASES,
    TODAY,
    Case,
    budgeted_connector,
    bump_epoch,
    connector_for,
    stats,
    window,
)

SKIM = CASES["skimlinks"]
ONE_SITE = Case.of("skimlinks", registry.connections("skimlinks")[1])
PUBLISHER = SKIM.accounts[0]
FIXTURE = Path("/work/shared/networks/fixtures/skimlinks/commission_report_record_2024.json")
REPORT = "/commission-report"


def recorded() -> dict[str, Any]:
    if FIXTURE.exists():
        loaded: dict[str, Any] = jsonutil.loads(FIXTURE.read_bytes())
        return loaded
    pytest.skip("the recorded Skimlinks commission is not on this machine")


def offline(**credentials: str) -> Skimlinks:
    values = {"publisher_id": "185785", "client_id": "c" * 32, "client_secret": "s" * 32}
    return Skimlinks(values | credentials, NetworkHttp(httpx.AsyncClient(), "skimlinks"))


def calls(base_url: str, path: str = REPORT) -> list[dict[str, str]]:
    return [e["query"] for e in stats(base_url)["requests"] if e["path"].endswith(path)]


async def fetch(connector: Skimlinks, *args: Any) -> list[Any]:
    return [r async for page in connector.transactions(*args) for r in page]


# ---- the recorded commission -----------------------------------------------------------
def test_the_recorded_commission_maps_exactly() -> None:
    record = recorded()
    r = offline().map_transaction(record, Scope("185785"))
    assert (r.external_id, r.status, r.network_status) == ("387934481", "paid", "active/paid")
    # Float noise read from the JSON text, then rounded to the euro cent.
    basket = r.raw["transaction_details"]["basket"]
    assert basket["publisher_amount"] == Decimal("5.595860489999999")
    assert (r.commission_amount, r.sale_amount, r.currency) == (
        Decimal("5.60"),
        Decimal("248.72"),
        "EUR",
    )
    assert r.event_at == datetime(2024, 1, 16, 11, 45, 42, tzinfo=UTC)
    assert r.click_at == datetime(2024, 1, 16, 11, 45, 4, tzinfo=UTC)
    # The program (merchant id) over the old `id`, and over the advertiser (the brand).
    assert (r.advertiser_id, r.advertiser_name) == ("460410", "Bed Bath & Beyond")
    assert r.click_ref == record["click_details"]["custom_id"]
    assert r.sub_ids == {"custom_id": r.click_ref}
    assert (r.country, r.order_id, r.validated_at) == ("US", None, None)
    # Paid with no invoice: the payment status decides, not the invoice.
    assert record["transaction_details"]["invoice_id"] is None


def test_older_records_name_the_merchant_by_id_and_name() -> None:
    record = recorded()
    record["merchant_details"] = {"id": 8212, "name": "Maplin Electronics Ltd"}
    r = offline().map_transaction(record, Scope("185785"))
    assert (r.advertiser_id, r.advertiser_name) == ("8212", "Maplin Electronics Ltd")


@pytest.mark.parametrize(
    ("status", "payment", "ours"),
    [
        ("active", "unpaid", "pending"),
        ("active", None, "pending"),
        ("active", "paid", "paid"),
        ("cancelled", "unpaid", "declined"),
        ("cancelled", "paid", "declined"),
        ("Active", "Paid", "paid"),
    ],
)
def test_status_and_payment_status_map_to_ours(status: str, payment: str | None, ours: str) -> None:
    record = recorded()
    record["transaction_details"] |= {"status": status, "payment_status": payment}
    r = offline().map_transaction(record, Scope())
    assert (r.status, r.network_status) == (ours, f"{status}/{payment}" if payment else status)


def test_an_unknown_status_word_is_a_bad_payload() -> None:
    record = recorded()
    record["transaction_details"]["status"] = "locked"
    with pytest.raises(BadPayload, match="unknown status 'locked'"):
        offline().map_transaction(record, Scope())


def test_a_body_without_commissions_is_a_bad_payload() -> None:
    connector = offline()
    assert connector.extract({"pagination": {"has_next": False}, "commissions": []}) == []
    with pytest.raises(BadPayload, match="no 'commissions' list"):
        connector.extract({"error": "Invalid request"})


# ---- requests -------------------------------------------------------------------------
def test_windows_by_transaction_date_and_one_window_of_updates() -> None:
    connector = offline(domain_id="1655937")
    day = datetime(2024, 1, 16).date()
    [event] = list(connector.windows(day, day))
    spec = connector.transactions_request(Scope(), event)
    assert spec.url == "https://reporting.skimapis.com/publisher/185785/commission-report"
    assert spec.params == {
        "start_date": "2024-01-16T00:00:00",
        "end_date": "2024-01-16T23:59:59",  # inclusive
        "domain_id": "1655937",
        "sort_by": "id",
        "sort_dir": "ASC",
    }
    # `updated_since` has no upper bound: a long gap is still one window, one cursor.
    [updates] = list(connector.windows(day - timedelta(days=90), day, "updated"))
    spec = connector.transactions_request(Scope(), updates)
    assert spec.params["updated_since"] == "2023-10-18T00:00:00"
    assert "start_date" not in spec.params
    assert "end_date" not in spec.params


def test_the_window_reaching_today_has_no_end_date() -> None:
    # An end_date may not lie in the future, and transaction dates are local times.
    connector = offline()
    [yesterday] = list(connector.windows(TODAY - timedelta(days=1), TODAY - timedelta(days=1)))
    [today] = list(connector.windows(TODAY, TODAY))
    assert connector.transactions_request(Scope(), yesterday).params["end_date"] == (
        f"{TODAY - timedelta(days=1)}T23:59:59"
    )
    spec = connector.transactions_request(Scope(), today)
    assert spec.params["start_date"] == f"{TODAY}T00:00:00"
    assert "end_date" not in spec.params


async def test_the_token_goes_in_the_query_and_serves_every_call(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    base = sandbox["skimlinks"]
    records = await fetch(connector_for(runtime, SKIM), *window(70))
    assert records
    assert stats(base)["by_path"]["/access_token"] == 1
    queries = calls(base)
    assert len(queries) >= 3
    for query in queries:
        assert token_publisher(query["access_token"]) == PUBLISHER
        assert (query["sort_by"], query["sort_dir"]) == ("id", "ASC")
    # The token is no bearer header.
    token = queries[0]["access_token"]
    url = f"{base}/publisher/{PUBLISHER}{REPORT}"
    dates = {"start_date": "2026-01-01T00:00:00", "end_date": "2026-01-02T00:00:00"}
    bearer = httpx.get(url, params=dates, headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401


async def test_an_expired_token_is_minted_again(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SKIM)
    start, end = window(20)
    first = await fetch(connector, start, end)
    httpx.post(f"{sandbox['skimlinks']}/_sandbox/expire_tokens").raise_for_status()
    again = await fetch(connector, start, end)
    assert [r.external_id for r in again] == [r.external_id for r in first]
    assert stats(sandbox["skimlinks"])["by_path"]["/access_token"] == 2


async def test_one_site_by_domain_id(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    records = await fetch(connector_for(runtime, ONE_SITE), start, end)
    site = ONE_SITE.credentials["domain_id"]
    assert all(q["domain_id"] == site for q in calls(sandbox["skimlinks"]))
    assert {r.raw["publisher_domain_id"] for r in records} == {int(site)}
    assert {r.external_id for r in records} == {
        t.external_id for t in ONE_SITE.expected(start, end)
    }


async def test_an_incremental_sync_reads_changes_since_the_last_success(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SKIM)
    since = TODAY - timedelta(days=40)
    units = await connector.units(TODAY - timedelta(days=90), TODAY, since)
    assert [(u.window.by, u.window.start.date(), u.window.end.date()) for u in units] == [
        ("updated", since, TODAY + timedelta(days=1))
    ]
    bump_epoch(sandbox["skimlinks"])
    records = await fetch(connector, TODAY - timedelta(days=90), TODAY, since)
    queries = calls(sandbox["skimlinks"])
    assert queries
    assert all(q["updated_since"] == f"{since}T00:00:00" for q in queries)
    assert all("start_date" not in q for q in queries)
    changed = expected_transactions("skimlinks", PUBLISHER, 1, since, None, date_type="updated")
    assert {r.external_id for r in records} == {t.external_id for t in changed}
    assert any(r.raw["transaction_details"]["last_updated"] >= f"{TODAY}" for r in records)


async def test_negative_return_lines_stay_active_and_net_out(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        bump_epoch(sandbox["skimlinks"])
    records = await fetch(connector_for(runtime, SKIM), *window(400))
    negative = [r for r in records if r.commission_amount < 0]
    assert negative, "some merchants post returns as negative lines"
    assert {r.raw["transaction_details"]["status"] for r in negative} == {"active"}
    assert {r.status for r in negative} <= {"pending", "paid"}
    by_order: defaultdict[str, list[Any]] = defaultdict(list)
    for r in records:
        by_order[r.raw["transaction_details"]["aggregation_id"]].append(r)
    for line in negative:
        [original] = [
            r for r in by_order[line.raw["transaction_details"]["aggregation_id"]] if r is not line
        ]
        assert original.commission_amount + line.commission_amount >= 0
        assert line.event_at > original.event_at  # dated the day of the return
    cancelled = [r for r in records if r.status == "declined"]
    assert cancelled
    assert all(r.commission_amount >= 0 for r in cancelled), "cancelling keeps the amounts"


# ---- programs -----------------------------------------------------------------------
async def test_merchants_are_listed_per_program_and_name_the_commissions(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SKIM)
    connector.programs_paginator = replace(Skimlinks.programs_paginator, size=2)  # type: ignore[misc]
    programs = [p async for page in connector.programs() for p in page]
    assert len(calls(sandbox["skimlinks"], "/merchants")) >= 3
    assert {(p.relationship, p.network_relationship) for p in programs} == {("joined", None)}
    assert all(p.domains and p.name and p.deeplinks and p.terms for p in programs)
    assert all(p.account_id == PUBLISHER for p in programs)
    assert sum("example.com" in p.domains for p in programs) == 1  # the sandbox's house shop
    records = await fetch(connector, *window(100))
    assert {r.advertiser_id for r in records} <= {p.external_id for p in programs}
    # One site's merchants are asked for that site.
    await anext(aiter(connector_for(runtime, ONE_SITE).programs()))
    site = ONE_SITE.credentials["domain_id"]
    assert calls(sandbox["skimlinks"], "/merchants")[-1]["publisher_domain_id"] == site


def test_a_merchant_maps_its_domains_and_rate_bounds() -> None:
    listed = {
        "id": 49697,
        "advertiser_id": 49697,
        "merchant_ids": ["8212", "8213"],
        "name": "JCPenney",
        "domains": ["jcpenney.com", "jcp.com"],
        "calculated_commission_rate": 0.0586546,
        "minimum_rate": {"rate_type": "percentage", "base_rate": 2.5, "payout_type": "cpa"},
        "maximum_rate": {"rate_type": "flat_rate", "base_rate": 8, "payout_type": "cpl"},
    }
    [first, second] = per_program([listed], "eur")
    program = merchant_program("skimlinks", first)
    assert (program.external_id, second["program_id"]) == ("8212", "8213")
    assert program.domains == ("jcpenney.com", "jcp.com")
    assert program.terms == (
        CommissionTerm("percent", Decimal("2.5"), None, "minimum cpa"),
        CommissionTerm("flat", Decimal("8"), "EUR", "maximum cpl"),
    )
    assert merchant_program("skimlinks", {"program_id": "1"}).terms == ()


# ---- links ------------------------------------------------------------------------------
DESTINATION = "https://www.jcpenney.com/p/lamp?colour=blue&size=2#reviews"


async def test_the_link_wraps_the_destination_for_the_connections_site() -> None:
    connector = offline(domain_id="1408821")
    link = await connector.api_link(LinkRequest(DESTINATION, "post-7_a", None))
    assert link == (
        "https://go.skimresources.com/?id=185785X1408821&xs=1&url=https%3A%2F%2Fwww.jcpenney"
        ".com%2Fp%2Flamp%3Fcolour%3Dblue%26size%3D2%23reviews&xcust=post-7_a"
    )
    assert "xcust" not in await connector.api_link(LinkRequest(DESTINATION, None, None))


async def test_without_a_site_the_link_names_the_first_registered_one(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SKIM)
    link = await connector.api_link(LinkRequest(DESTINATION, None, None))
    first_site = str(sites_of(int(PUBLISHER))[0])
    assert link.startswith(f"https://go.skimresources.com/?id={PUBLISHER}X{first_site}&xs=1&")
    asked = calls(sandbox["skimlinks"], "/merchants")
    assert len(asked) == 1
    assert asked[0]["limit"] == "1"
    assert "publisher_domain_id" not in asked[0]


def test_sub_ids_past_fifty_or_with_url_characters_are_refused() -> None:
    rule = Skimlinks.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "xcust"
    assert rule.problem("a" * 50) is None
    assert "at most 50" in (rule.problem("a" * 51) or "")
    for bad in ("a&b", "a?b", "a=b", "a b"):
        assert rule.problem(bad) is not None
    assert not Skimlinks.links.needs_program  # type: ignore[union-attr]


# ---- budgets --------------------------------------------------------------------------
def test_the_documented_budgets_per_api_key() -> None:
    assert [(b.limit, b.window) for b in Skimlinks.budgets] == [(40, 60), (300, 3600)]


async def test_a_spent_hour_ends_the_run_with_a_resume_time(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = budgeted_connector(runtime, SKIM, {"skimlinks": {"per_hour": 2}})
    before = datetime.now(UTC)
    with pytest.raises(QuotaSpent) as spent:
        await fetch(connector, *window(100))
    assert timedelta(minutes=59) < spent.value.resume_at - before < timedelta(minutes=61)
    assert "2 per_hour" in spent.value.message
    assert len(calls(sandbox["skimlinks"])) == 1  # the token took the other call


# ---- verify -------------------------------------------------------------------------
async def test_verify_names_the_publisher_and_the_site(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, ONE_SITE).verify()
    site = ONE_SITE.credentials["domain_id"]
    assert verified.accounts == [Scope(ONE_SITE.accounts[0], f"site {site}")]


async def test_verify_says_when_the_publisher_id_is_another_accounts(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as wrong:
        await connector_for(runtime, SKIM, publisher_id="189513").verify()
    message = wrong.value.message
    assert f"belong to Skimlinks publisher {PUBLISHER}" in message
    assert "Toolbox > APIs > API Authentication credentials" in message


async def test_verify_says_when_the_site_is_not_the_publishers(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected, match=r"site ID 42 .*Settings > Install"):
        await connector_for(runtime, SKIM, domain_id="42").verify()


async def test_a_sync_with_another_publishers_id_is_refused_with_the_hint(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await fetch(connector_for(runtime, SKIM, publisher_id="189513"), *window(3))
    assert "Skimlinks refused the credentials" in refused.value.message
    assert Skimlinks.credentials_hint in refused.value.message
    secret = SKIM.credentials["client_secret"]
    assert secret not in refused.value.message
