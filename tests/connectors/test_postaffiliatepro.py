"""Post Affiliate Pro specifics: the login in the body and its session inside `D`, the
status table, naive dates in the installation's zone (DST), failures in 200 bodies, the
paging trap, campaigns with their banners, rates and link fields, the click.php link and
its `data1` rule, and a login answer that never reaches a log."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from math import ceil
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.postaffiliatepro import PostAffiliatePro
from app.connectors.postaffiliatepro_programs import affiliate_id, program, terms, with_banners
from app.connectors.ratelimit import Budget
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.expected import expected_transactions
from app.sandbox.postaffiliatepro_records import affiliate_ids
from tests.connectors.support import CASES, connector_for, knobs, stats, window

PAP = CASES["postaffiliatepro"]
USER = PAP.credentials["username"]
BERLIN = "Europe/Berlin"


def record(**values: Any) -> dict[str, Any]:
    base = {
        "id": "8f3a21c0",
        "campaignid": "11111111",
        "name": "Pro Plan",
        "commission": "12.50",
        "totalcost": "125.00",
        "t_orderid": "WEB-10021",
        "rtype": "S",
        "rstatus": "A",
        "payoutstatus": "U",
        "dateinserted": "2026-05-03 14:02:11",
        "dateapproved": "2026-05-10 09:00:00",
        "lastclickdata1": "blog-footer",
        "lastclickdata2": "",
    }
    return {**base, **values}


def calls_by(base_url: str, credential: str) -> int:
    return int(stats(base_url)["by_credential"].get(credential, 0))


@pytest.mark.parametrize(
    ("rstatus", "payout", "status"),
    [("A", "U", "approved"), ("A", "P", "paid"), ("P", "U", "pending"), ("D", "U", "declined")],
)
async def test_status_table(runtime, rstatus: str, payout: str, status: str) -> None:  # type: ignore[no-untyped-def]
    mapped = connector_for(runtime, PAP).map_transaction(
        record(rstatus=rstatus, payoutstatus=payout), Scope(USER)
    )
    assert (mapped.status, mapped.network_status) == (status, rstatus)
    assert mapped.currency == "USD"
    assert mapped.commission_amount == Decimal("12.50")
    assert mapped.click_ref == "blog-footer"
    assert mapped.sub_ids == {"data1": "blog-footer"}
    assert (mapped.validated_at is None) == (status not in ("approved", "paid"))


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-07-01 12:00:00", datetime(2026, 7, 1, 19, 0, tzinfo=UTC)),  # PDT
        ("2026-01-15 12:00:00", datetime(2026, 1, 15, 20, 0, tzinfo=UTC)),  # PST
        ("2026-11-01 01:30:00", datetime(2026, 11, 1, 8, 30, tzinfo=UTC)),  # fold: first, PDT
        ("2026-03-08 02:30:00", datetime(2026, 3, 8, 10, 30, tzinfo=UTC)),  # gap: 03:30 PDT
    ],
)
async def test_naive_dates_read_in_los_angeles_by_default(
    runtime, local: str, utc: datetime
) -> None:  # type: ignore[no-untyped-def]
    mapped = connector_for(runtime, PAP).map_transaction(record(dateinserted=local), Scope(USER))
    assert mapped.event_at == utc
    assert mapped.source_timezone == "America/Los_Angeles"


async def test_the_timezone_field_moves_windows_and_dates(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["postaffiliatepro"], timezone=BERLIN)
    start, end = window(20)
    connector = connector_for(runtime, PAP, timezone=BERLIN)
    assert str(next(connector.windows(start, end)).start.tzinfo) == BERLIN
    got = {r.external_id: r async for page in connector.transactions(start, end) for r in page}
    want = {
        t.external_id: t
        for t in expected_transactions("postaffiliatepro", USER, 0, start, end, timezone=BERLIN)
    }
    assert set(got) == set(want)
    assert all(got[k].event_at == want[k].event_at for k in got)
    assert all(r.source_timezone == BERLIN for r in got.values())


async def test_one_login_serves_a_sync_and_an_expired_session_logs_in_again(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    base = sandbox["postaffiliatepro"]
    start, end = window(70)
    first = [r async for page in connector_for(runtime, PAP).transactions(start, end) for r in page]
    again = [r async for page in connector_for(runtime, PAP).transactions(start, end) for r in page]
    assert calls_by(base, f"login:{USER}") == 1
    httpx.post(f"{base}/_sandbox/expire_sessions").raise_for_status()
    third = [r async for page in connector_for(runtime, PAP).transactions(start, end) for r in page]
    assert calls_by(base, f"login:{USER}") == 2
    assert [r.external_id for r in first] == [r.external_id for r in again]
    assert [r.external_id for r in third] == [r.external_id for r in first]


async def test_a_page_past_the_end_is_never_read(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    connector = connector_for(runtime, PAP)
    connector.paginator = replace(type(connector).paginator, size=7)  # type: ignore[misc]
    got = [r async for page in connector.transactions(start, end) for r in page]
    assert len(got) == len({r.external_id for r in got}) == len(PAP.expected(start, end))
    pages = 0
    for w in connector.windows(start, end):
        rows = PAP.expected(w.start, w.end)
        pages += max(1, ceil(len(rows) / 7))
    assert calls_by(sandbox["postaffiliatepro"], USER) == pages


async def test_a_wrong_password_is_refused_and_never_logged(runtime, sandbox, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret = "bad-but-echoed-secret"
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, PAP, password=secret).verify()
    assert "Wrong username/password" in refused.value.message
    assert "Post Affiliate Pro refused the credentials" in refused.value.message
    knobs(sandbox["postaffiliatepro"], malformed_next=1)  # the login answer, cut in half
    with pytest.raises(BadPayload) as broken:
        await connector_for(runtime, PAP).verify()
    assert PAP.credentials["password"] not in broken.value.message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged
    assert PAP.credentials["password"] not in logged


async def test_a_login_without_a_session_says_why(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["postaffiliatepro"], login_pending="Select account")
    with pytest.raises(CredentialsRejected, match="two-factor") as refused:
        await connector_for(runtime, PAP).verify()
    assert "Select account" in refused.value.message


async def test_failures_in_200_bodies(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, PAP)
    with pytest.raises(CredentialsRejected, match="session expired"):
        connector.check({"type": "session"})
    with pytest.raises(CredentialsRejected, match="Permission denied"):
        connector.check([{"e": "Permission denied for Pap_Affiliates_Reports_TransactionsGrid"}])
    with pytest.raises(RequestRejected, match="Unknown filter operator"):
        connector.check([{"e": "Unknown filter operator 'D~'"}])
    with pytest.raises(BadPayload):
        connector.check([{"rows": "corrupt", "count": "corrupt", "start": 0}])
    with pytest.raises(BadPayload):
        connector.check([])


async def test_requests_go_to_the_users_domain_inside_d(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, PAP)
    spec = connector.transactions_request(Scope(USER), next(connector.windows(*window(3))))
    assert spec.url == "https://demo.postaffiliatepro.com/scripts/server.php"
    assert spec.user_host
    assert spec.method == "POST"
    call = json.loads(spec.data["D"])["requests"][0]  # type: ignore[index]
    assert call["C"] == "Pap_Affiliates_Reports_TransactionsGrid"
    assert [f[:2] for f in call["filters"]] == [["dateinserted", "D>="], ["dateinserted", "D<="]]
    assert ["commission"] in call["columns"]
    assert type(connector).budgets == (Budget(1, 1), Budget(500, 30))


async def test_campaigns_keep_the_affiliation_word(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, PAP).programs() for p in page]
    by_word = {p.network_relationship: p.relationship for p in programs}
    assert by_word == {"A": "joined", "P": "pending", "D": "declined", None: "not_joined"}
    assert all(p.name and p.account_id == USER for p in programs)
    # The banners grid, read once, gives every campaign its site and the affiliate's id.
    assert calls_by(sandbox["postaffiliatepro"], USER) == 2
    _userid, refid = affiliate_ids(USER)
    assert {p.link_token for p in programs} == {refid}
    assert all(p.domains and p.domains[0].startswith("www.") for p in programs)
    assert all(f"a_aid={refid}&a_bid=" in (p.tracking_url or "") for p in programs)
    assert all(p.terms and p.terms[0].kind == "percent" for p in programs)


def test_a_campaign_maps_its_standing_rates_and_link_fields() -> None:
    campaign = {
        "id": "11111111",
        "name": "Pro Plan",
        "affstatus": "F",
        "commissionsdetails": "per sale / lead: 12.5%, per click: $0.50, Signup: 1.234,50 EUR",
    }
    banners = [
        {
            "campaignid": "11111111",
            "destinationurl": "https://www.example-shop.com/pricing",
            "bannerclickurl": "https://demo.example/scripts/click.php?a_aid=blogger7&a_bid=ab12",
            "userid": "3f2a9c01",
        },
        {"campaignid": "22222222", "destinationurl": "https://b.example/", "userid": "3f2a9c01"},
    ]
    [record] = with_banners([campaign], banners)
    mapped = program("postaffiliatepro", record, "USD")
    assert (mapped.relationship, mapped.network_relationship) == ("joined", "F")
    assert mapped.domains == ("www.example-shop.com",)
    assert mapped.link_token == "blogger7"
    assert mapped.tracking_url == banners[0]["bannerclickurl"]
    assert mapped.terms == (
        CommissionTerm("percent", Decimal("12.5"), None, "per sale / lead"),
        CommissionTerm("flat", Decimal("0.50"), "USD", "per click"),
        CommissionTerm("flat", Decimal("1234.50"), "USD", "Signup"),
    )
    pending = program("postaffiliatepro", {"id": "3", "affstatus": ""}, "USD")
    assert (pending.relationship, pending.network_relationship) == ("not_joined", None)
    assert terms("none active", "USD") == ()
    # Without a click URL, the banner's user id is the affiliate id.
    assert affiliate_id({"bannerclickurl": "https://shop.example/#a_aid=anchor1"}) == "anchor1"
    assert affiliate_id({"userid": "3f2a9c01"}) == "3f2a9c01"


def _request(sub_id: str | None, token: str | None = "blogger7") -> LinkRequest:
    program = LinkProgram("p1", "11111111", USER, link_token=token)
    destination = "https://www.example-shop.com/pricing?plan=pro&x=1#top"
    return LinkRequest(destination, sub_id, program, {"domain": "affiliates.example-shop.com"})


def test_the_link_is_click_php_with_the_campaign_the_affiliate_and_data1() -> None:
    assert PostAffiliatePro.link(_request("nl-42_x")) == (
        "https://affiliates.example-shop.com/scripts/click.php?a_aid=blogger7&a_cid=11111111"
        "&data1=nl-42_x&desturl=https%3A%2F%2Fwww.example-shop.com%2Fpricing%3Fplan%3Dpro"
        "%26x%3D1%23top"
    )
    assert "data1" not in PostAffiliatePro.link(_request(None))
    with pytest.raises(ValidationFailed):
        PostAffiliatePro.link(_request("x", token=None))


def test_sub_ids_past_the_column_or_with_other_characters_are_refused() -> None:
    rule = PostAffiliatePro.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "data1"
    assert rule.problem("a" * 255) is None
    assert "at most 255" in (rule.problem("a" * 256) or "")
    assert "'&'" in (rule.problem("a&b") or "")
    assert rule.problem("two words") is not None


async def test_verify_names_the_installation(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, PAP).verify()
    assert verified.ok
    assert verified.accounts == [Scope(USER, "demo.postaffiliatepro.com")]
    assert "demo.postaffiliatepro.com" in verified.message
