"""Sovrn specifics: one day per call by commission date, then update dates since the last
success; 404 days; both record shapes; no status (approved lines, negative corrections);
the site found by its API key; one call a minute; USD only; redirect links on the API key,
no programs."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.catalog import get_network, validate_credentials
from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, QuotaSpent
from app.connectors.sovrn import Sovrn
from app.errors import ValidationFailed
from app.links.format import LinkRequest
from app.sandbox.data import DataSpec, account
from app.sandbox.expected import expected_transactions
from tests.connectors.support import (
    CASES,
    TODAY,
    budgeted_connector,
    bump_epoch,
    connector_for,
    knobs,
    stats,
    window,
)
from tests.links.support import click

SOVRN = CASES["sovrn"]
SITE = SOVRN.accounts[0]


def report_calls(base_url: str) -> list[dict[str, str]]:
    return [
        e["query"] for e in stats(base_url)["requests"] if e["path"] == "/v1/reports/transactions"
    ]


async def test_one_call_per_day_by_commission_date_and_404_days_are_empty(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = TODAY - timedelta(days=9), TODAY
    records = [
        r async for page in connector_for(runtime, SOVRN).transactions(start, end) for r in page
    ]
    days = [(start + timedelta(days=n)).isoformat() for n in range(10)]
    assert report_calls(sandbox["sovrn"]) == [{"commissionDate": d} for d in days]
    assert {r.external_id for r in records} == {t.external_id for t in SOVRN.expected(start, end)}
    # Today (no sales yet) and days before the site's history answer 404: no rows.
    empty = stats(sandbox["sovrn"])["by_status"].get("404", 0)
    assert empty >= 1
    old = TODAY - timedelta(days=500)
    assert [
        r async for page in connector_for(runtime, SOVRN).transactions(old, old) for r in page
    ] == []
    assert stats(sandbox["sovrn"])["by_status"].get("404") == empty + 1


def test_an_empty_list_is_no_rows(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SOVRN)
    assert connector.extract({"transactions": []}) == []
    assert connector.extract(None) == []
    with pytest.raises(BadPayload, match="no 'transactions' list"):
        connector.extract({"message": "something else"})


async def test_no_status_lines_are_approved_and_corrections_net_out(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(120)
    records = [
        r async for page in connector_for(runtime, SOVRN).transactions(start, end) for r in page
    ]
    assert {r.status for r in records} == {"approved"}
    assert {r.network_status for r in records} == {"actualized"}
    assert {r.currency for r in records} == {"USD"}
    negative = [r for r in records if r.commission_amount < 0]
    assert negative, "declined orders arrive as negative lines"
    net: Counter[str] = Counter()
    for r in records:
        net[r.order_id or ""] += r.commission_amount  # type: ignore[assignment]
    declined = {r.order_id for r in negative if r.sale_amount and r.sale_amount < 0}
    assert any(net[o] == Decimal(0) for o in declined)


async def test_the_nested_shape_maps_the_same(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["sovrn"], shape="nested")
    start, end = window(30)
    records = [
        r async for page in connector_for(runtime, SOVRN).transactions(start, end) for r in page
    ]
    want = {
        t.external_id: t
        for t in expected_transactions("sovrn", SITE, 0, start, end, shape="nested")
    }
    assert {r.external_id for r in records} == set(want)
    for r in records:
        t = want[r.external_id]
        assert "publisherNetRevenue" in r.raw["commission"]
        assert (r.commission_amount, r.sale_amount, r.event_at) == (
            t.commission_amount,
            t.sale_amount,
            t.event_at,
        )
        assert (r.order_id, r.click_ref, r.advertiser_id) == (
            t.order_id,
            t.click_ref,
            t.advertiser_id,
        )


async def test_an_incremental_sync_asks_only_update_dates_since_the_last_success(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, SOVRN)
    since = TODAY - timedelta(days=2)
    units = await connector.units(TODAY - timedelta(days=90), TODAY, since)
    assert [(u.window.by, u.window.start.date()) for u in units] == [
        ("updated", since + timedelta(days=n)) for n in range(3)
    ]
    bump_epoch(sandbox["sovrn"])  # orders settle and change "today"
    records = [
        r
        async for page in connector.transactions(TODAY - timedelta(days=90), TODAY, since)
        for r in page
    ]
    days = [(since + timedelta(days=n)).isoformat() for n in range(3)]
    assert report_calls(sandbox["sovrn"]) == [{"updateDate": d} for d in days]
    changed = expected_transactions("sovrn", SITE, 1, since, TODAY, date_type="update")
    assert {r.external_id for r in records} == {t.external_id for t in changed}
    assert any(r.event_at.date() == TODAY for r in records), "today's corrections are read"


async def test_with_the_real_budget_a_spent_minute_ends_the_run_with_a_resume_time(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    connector = budgeted_connector(runtime, SOVRN, {})
    before = datetime.now(UTC)
    with pytest.raises(QuotaSpent) as spent:
        [r async for page in connector.transactions(TODAY - timedelta(days=1), TODAY) for r in page]
    assert timedelta(seconds=55) < spent.value.resume_at - before < timedelta(seconds=65)
    assert "1 per_minute" in spent.value.message
    assert len(report_calls(sandbox["sovrn"])) == 1


async def test_verify_finds_the_site_by_its_api_key(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, SOVRN).verify()
    assert verified.accounts == [Scope(SITE, "PRIMARY")]
    other = "0" * 32
    with pytest.raises(CredentialsRejected, match="belongs to none of its sites") as refused:
        await connector_for(runtime, SOVRN, api_key=other).verify()
    assert other not in refused.value.message
    with pytest.raises(CredentialsRejected, match="Sovrn Commerce refused the credentials"):
        await connector_for(runtime, SOVRN, secret_key="bad-secret-0000").verify()


def test_the_secret_goes_in_the_authorization_header(sandbox) -> None:  # type: ignore[no-untyped-def]
    secret = SOVRN.credentials["secret_key"]
    base = sandbox["sovrn"]
    headers = {"Authorization": f"secret {secret}"}
    ok = httpx.get(f"{base}/api/account/campaigns/PRIMARY", headers=headers, timeout=10)
    assert ok.status_code == 200
    bearer = httpx.get(
        f"{base}/api/account/campaigns/PRIMARY", headers={"Authorization": f"Bearer {secret}"}
    )
    assert bearer.status_code == 401


@pytest.mark.parametrize("currency", ["EUR", "gbp"])
def test_only_us_dollars_are_accepted(currency: str) -> None:
    network = get_network("sovrn")
    assert network is not None
    form = {k: v for k, v in SOVRN.credentials.items()}
    assert validate_credentials(network, {**form, "currency": "usd"})["currency"] == "USD"
    with pytest.raises(ValidationFailed) as failed:
        validate_credentials(network, {**form, "currency": currency})
    [error] = failed.value.errors
    assert error.field == "credentials.currency"
    assert "only in US dollars" in error.message


def test_the_link_is_the_redirect_apis_documented_format() -> None:
    request = LinkRequest(
        "https://www.shop.example/tents/2p?colour=green&size=2",
        "post42",
        None,
        {"api_key": "098f6bcd4621d373cade4e832627b4f6", "secret_key": "s3cret"},
    )
    assert Sovrn.link(request) == (
        "https://redirect.viglink.com?key=098f6bcd4621d373cade4e832627b4f6"
        "&u=https%3A%2F%2Fwww.shop.example%2Ftents%2F2p%3Fcolour%3Dgreen%26size%3D2"
        "&cuid=post42"
    )
    without = LinkRequest(request.destination, None, None, request.fields)
    assert Sovrn.link(without).endswith("%26size%3D2")
    assert "s3cret" not in Sovrn.link(request)


def test_the_cuid_rule_is_letters_and_digits() -> None:
    rule = Sovrn.links.sub_id  # type: ignore[union-attr]
    assert (rule.param, Sovrn.links.needs_program) == ("cuid", False)  # type: ignore[union-attr]
    assert rule.problem("a" * 2048) is None
    assert "at most 2048" in (rule.problem("a" * 2049) or "")
    assert "'-'" in (rule.problem("post-42") or "")
    assert "'_'" in (rule.problem("post_42") or "")


async def test_no_programs_are_listed(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    assert [p async for page in connector_for(runtime, SOVRN).programs() for p in page] == []
    assert stats(sandbox["sovrn"])["requests"] == []


async def test_a_click_on_a_merchant_earns_and_one_elsewhere_goes_on_unmonetised(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    key = SOVRN.credentials["api_key"]
    advertisers = account("sovrn", SITE, DataSpec(TODAY)).advertisers
    merchant = next(a for a in advertisers if a.relationship == "joined")
    shop = f"https://www.{merchant.domain}/p/1"
    clicked = click(sandbox["sovrn"], Sovrn.link(LinkRequest(shop, "c1", None, {"api_key": key})))
    assert (clicked.status_code, clicked.headers["location"]) == (302, shop)
    elsewhere = "https://www.unknown-shop.test/p/1"
    other = click(
        sandbox["sovrn"], Sovrn.link(LinkRequest(elsewhere, "c2", None, {"api_key": key}))
    )
    assert (other.status_code, other.headers["location"]) == (302, elsewhere)
    sales = [
        (r.click_ref, r.advertiser_id)
        async for page in connector_for(runtime, SOVRN).transactions(TODAY - timedelta(1), TODAY)
        for r in page
        if r.click_ref in ("c1", "c2")
    ]
    assert sales == [("c1", str(merchant.id))]
    bad = click(sandbox["sovrn"], Sovrn.link(LinkRequest(shop, None, None, {"api_key": "nope"})))
    assert bad.status_code == 400
