"""Rakuten specifics: the token exchange, its cache in Redis and its renewal; the
Reporting API's saved report beside the Events API, and what a connection without it
cannot see; partnerships as programs, and links from the Deep Links API."""

from urllib.parse import quote

import httpx
import pytest

from app.connectors.base import Scope
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.rakuten import Rakuten
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from app.sandbox.rakuten_programs import encrypted_id
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

REPORT = CASES["rakuten"]  # the first sandbox site reads its saved report
RAKUTEN = Case.of("rakuten", registry.connections("rakuten")[1])  # the Events API alone
assert "report_token" in REPORT.credentials
assert "report_token" not in RAKUTEN.credentials


def token_calls(base_url: str) -> int:
    return int(stats(base_url)["by_path"].get("/token", 0))


async def test_one_token_serves_many_requests_and_workers(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(70)
    for _ in range(2):  # two connector instances: as two workers would
        [r async for page in connector_for(runtime, RAKUTEN).transactions(start, end) for r in page]
    assert token_calls(sandbox["rakuten"]) == 1


async def test_an_expired_token_is_renewed(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(40)
    connector = connector_for(runtime, RAKUTEN)
    first = [r async for page in connector.transactions(start, end) for r in page]
    httpx.post(f"{sandbox['rakuten']}/_sandbox/expire_tokens").raise_for_status()
    again = [r async for page in connector.transactions(start, end) for r in page]
    assert [r.external_id for r in again] == [r.external_id for r in first]
    assert token_calls(sandbox["rakuten"]) == 2


async def test_a_wrong_app_secret_is_a_credentials_error(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected, match="Rakuten Advertising refused"):
        await connector_for(runtime, RAKUTEN, client_secret="bad-app-secret").verify()


async def test_without_any_app_the_message_says_what_to_set(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    credentials = {k: v for k, v in RAKUTEN.credentials.items() if not k.startswith("client")}
    case = type(RAKUTEN)(RAKUTEN.network, credentials, RAKUTEN.accounts)
    with pytest.raises(CredentialsRejected, match="NETLEDGER_RAKUTEN_CLIENT_ID"):
        await connector_for(runtime, case).verify()


async def test_partnerships_of_every_status_the_joined_with_site_and_deep_links(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, RAKUTEN).programs() for p in page]
    by_word = {p.network_relationship: p for p in programs}
    assert {"active", "pending", "temp-remove", "self-removed"} <= set(by_word)
    assert [
        by_word[w].relationship for w in ("active", "pending", "temp-remove", "self-removed")
    ] == [
        "joined",
        "pending",
        "declined",
        "not_joined",
    ]
    joined = [p for p in programs if p.relationship == "joined"]
    assert all(p.name and p.domains and isinstance(p.deeplinks, bool) for p in joined)
    others = [p for p in programs if p.relationship != "joined"]
    assert all(p.domains == () and p.deeplinks is None for p in others)
    calls = stats(sandbox["rakuten"])["by_path"]
    assert calls["/v1/partnerships"] == 1
    assert sum(n for path, n in calls.items() if path.startswith("/v2/advertisers/")) == len(joined)


def test_a_partnership_maps_to_our_words(runtime) -> None:  # type: ignore[no-untyped-def]
    record = {
        "advertiser": {"id": 35718, "name": "Example Outfitters", "network": 1},
        "status": "extended",
        "details": {"url": "https://www.outfitters.example/", "features": {"deep_links": False}},
    }
    connector = connector_for(runtime, RAKUTEN)
    program = connector.complete(connector.map_program(record), Scope("3456790"))
    assert (program.external_id, program.name, program.domains) == (
        "35718",
        "Example Outfitters",
        ("www.outfitters.example",),
    )
    assert (program.relationship, program.network_relationship) == ("pending", "extended")
    assert program.deeplinks is False
    for word, ours in {
        "permanent-decline": "declined",
        "permanent-remove": "declined",
        "temp-decline": "declined",
    }.items():
        assert Rakuten.relationships[word] == ours


async def test_the_deep_links_api_makes_the_documented_link(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, RAKUTEN).programs() for p in page]
    program = next(p for p in programs if p.relationship == "joined" and p.deeplinks)
    destination = "https://www.shop.example/tents/2p?colour=green&size=2"
    request = LinkRequest(
        destination,
        "nl_42",
        LinkProgram("p1", program.external_id, "", domains=program.domains),
    )
    link = await connector_for(runtime, RAKUTEN).api_link(request)
    sid = RAKUTEN.credentials["sid"]
    assert link == (
        f"https://click.linksynergy.com/deeplink?id={quote(encrypted_id(sid), safe='')}"
        f"&mid={program.external_id}&murl={quote(destination, safe='')}&u1=nl_42"
    )
    refused = next(p for p in programs if p.relationship == "joined" and p.deeplinks is False)
    with pytest.raises(RequestRejected, match="does not allow deep links"):
        await connector_for(runtime, RAKUTEN).api_link(
            LinkRequest(destination, None, LinkProgram("p2", refused.external_id, ""))
        )


def test_the_u1_rule() -> None:
    rule = Rakuten.links.sub_id  # type: ignore[union-attr]
    assert rule.param == "u1"
    assert rule.problem("a" * 72) is None
    assert "at most 72" in (rule.problem("a" * 73) or "")
    assert "'&'" in (rule.problem("a&b") or "")


async def test_returns_net_against_their_sales_in_approved_commission(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    # The reversal rule: a return Rakuten deducts from its payment is approved money.
    start, end = window(120)
    records = [
        r async for page in connector_for(runtime, RAKUTEN).transactions(start, end) for r in page
    ]
    returns = [r for r in records if r.commission_amount < 0]
    assert returns, "the sandbox serves returns in this window"
    assert {r.status for r in returns} == {"approved"}
    approved = sum(r.commission_amount for r in records if r.status == "approved")
    assert approved == sum(r.commission_amount for r in records)
    assert approved < sum(r.commission_amount for r in records if r.commission_amount > 0)


async def lines(runtime, case: Case, days: int, **overrides: str) -> list:  # type: ignore[no-untyped-def, type-arg]
    connector = connector_for(runtime, case, **overrides)
    return [r async for page in connector.transactions(*window(days)) for r in page]


async def test_the_report_reaches_past_what_events_keep(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["rakuten"], events_retention_days=14)
    reported = await lines(runtime, REPORT, 100)
    assert {r.external_id for r in reported} == {
        t.external_id for t in REPORT.expected(*window(100))
    }
    assert min(r.event_at for r in reported).date() < window(60)[0]
    # The same site without the token: only what the Events API still keeps.
    events = await lines(runtime, REPORT, 100, report_token="")
    assert 0 < len(events) < len(reported)
    assert {r.external_id for r in events} <= {r.external_id for r in reported}


async def test_report_and_events_give_the_same_lines(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    # Adding the token later must not double a line: both sources share transaction ids.
    reported = {r.external_id: r for r in await lines(runtime, REPORT, 60)}
    events = {r.external_id: r for r in await lines(runtime, REPORT, 60, report_token="")}
    assert reported.keys() == events.keys()
    for key, line in reported.items():
        other = events[key]
        assert (line.event_at, line.commission_amount, line.sale_amount, line.currency) == (
            other.event_at,
            other.commission_amount,
            other.sale_amount,
            other.currency,
        )
        assert (line.order_id, line.click_ref, line.advertiser_id) == (
            other.order_id,
            other.click_ref,
            other.advertiser_id,
        )
        assert line.network_status == "reported"
        assert line.advertiser_name


async def test_report_calls_carry_the_token_not_a_bearer(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    await lines(runtime, REPORT, 40)
    by_path = stats(sandbox["rakuten"])["by_path"]
    assert token_calls(sandbox["rakuten"]) == 0
    assert by_path.get("/en/reports/Individual-Item-Report-+-Transaction-ID-+-Currency/filters")


async def test_a_refused_reporting_token_says_where_to_copy_it(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    token = "invalid-report-token-0000"
    with pytest.raises(CredentialsRejected, match="reporting token") as refused:
        await connector_for(runtime, REPORT, report_token=token).verify()
    assert "Get API" in refused.value.message
    assert token not in refused.value.message


async def test_an_unknown_report_name_is_named(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RequestRejected, match="Invalid report name"):
        await connector_for(runtime, REPORT, report_name="my-report").verify()
    with pytest.raises(RequestRejected, match="report name"):
        await connector_for(runtime, REPORT, report_name="a/../b").verify()


async def test_the_connection_says_what_events_alone_cannot_show(
    client, workspace, sandbox
) -> None:  # type: ignore[no-untyped-def]
    notices = {}
    for case in (REPORT, RAKUTEN):
        body = {"network": "rakuten", "nickname": "Rakuten", "credentials": case.credentials}
        created = await client.post("/v1/connections", json=body, headers=workspace["headers"])
        assert created.status_code == 201, created.text
        notices[bool(case.credentials.get("report_token"))] = created.json()["notices"]
    assert notices[True] == []
    assert len(notices[False]) == 1
    assert "two weeks" in notices[False][0]
    assert "reporting token" in notices[False][0]
