"""Pepperjam specifics: the key in the query and in next links, windows of under six months
in US Eastern days, the locking-cycle words, reversals at nothing, the form's currency,
failures in the envelope, the daily quota (ours and Pepperjam's), advertisers of every
standing with their generic creatives, and tracking links."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.catalog import get_network
from app.connectors import pepperjam_envelope as envelope
from app.connectors.base import Scope
from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    QuotaSpent,
    RateLimited,
    RequestRejected,
)
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.pepperjam import ADVERTISERS, GENERIC_CREATIVES, TRANSACTIONS, Pepperjam
from app.errors import ValidationFailed
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import pepperjam as sandbox_pepperjam
from app.sandbox.data import DataSpec, account
from app.sandbox.pepperjam_records import advertisers
from app.workers.jobs import sync_due
from app.workers.tasks import JobContext
from tests.connectors.support import (
    CASES,
    TODAY,
    Case,
    budgeted_connector,
    connector_for,
    knobs,
    stats,
    window,
)
from tests.workers.support import drain, rows_of

PEPPERJAM = CASES["pepperjam"]


@pytest.fixture(autouse=True)
def _small_pages(request: pytest.FixtureRequest) -> None:
    """Pages of 7 rows, so that every test here walks next links."""
    if "sandbox" in request.fixturenames:
        knobs(request.getfixturevalue("sandbox")["pepperjam"], page_size=7)


CANADA = Case.of("pepperjam", sandbox_pepperjam.CONNECTIONS[1])
KEY = "pj-key-0123456789abcdef"
ROW = {
    "transaction_id": 98765432,
    "order_id": "A100234",
    "sid": "u42-post7",
    "commission": "4.50",
    "sale_amount": "90.00",
    "type": "sale",
    "date": "2024-05-01 09:14:02",
    "status": "pending",
    "program_name": "Example Outdoor Co",
    "program_id": "8123",
}


def offline(**credentials: str) -> Pepperjam:
    values = {"username": "me@example.com", "api_key": KEY, "currency": "USD", **credentials}
    return Pepperjam(values, NetworkHttp(httpx.AsyncClient(), "pepperjam", secrets=[KEY]))


def report_calls(base_url: str) -> list[dict[str, str]]:
    return [e["query"] for e in stats(base_url)["requests"] if e["path"] == TRANSACTIONS]


async def read(connector: Pepperjam | Any, start: date, end: date) -> list[Any]:
    return [r async for page in connector.transactions(start, end) for r in page]


# ---- requests -------------------------------------------------------------------------
async def test_windows_are_under_six_months_of_eastern_days(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["pepperjam"], page_size=2500)
    start, end = TODAY - timedelta(days=399), TODAY
    records = await read(connector_for(runtime, PEPPERJAM), start, end)
    calls = report_calls(sandbox["pepperjam"])
    assert [(c["startDate"], c["endDate"]) for c in calls] == [
        (str(start), str(start + timedelta(days=179))),
        (str(start + timedelta(days=180)), str(start + timedelta(days=359))),
        (str(start + timedelta(days=360)), str(end)),
    ]
    assert all(
        c["format"] == "json" and c["apiKey"] == PEPPERJAM.credentials["api_key"] for c in calls
    )
    assert {r.external_id for r in records} == {
        t.external_id for t in PEPPERJAM.expected(start, end)
    }
    assert {r.source_timezone for r in records} == {"America/New_York"}


async def test_a_range_over_six_months_is_refused(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, PEPPERJAM)
    spec = RequestSpec(
        "GET",
        connector.url(TRANSACTIONS),
        {"startDate": "2026-01-01", "endDate": "2026-07-01", "format": "json"},
    )
    with pytest.raises(RequestRejected, match="exceed 6 months"):
        await connector.request(spec)


async def test_next_links_are_followed_with_the_key(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(30)
    pages = [page async for page in connector_for(runtime, PEPPERJAM).transactions(start, end)]
    calls = report_calls(sandbox["pepperjam"])
    assert len(calls) == len(pages) > 3
    assert [c.get("page", "1") for c in calls] == [str(n + 1) for n in range(len(calls))]
    assert {c["apiKey"] for c in calls} == {PEPPERJAM.credentials["api_key"]}
    assert all(c["startDate"] == str(start) and c["endDate"] == str(end) for c in calls)


def test_a_next_link_keeps_its_own_query_beside_the_key() -> None:
    spec = RequestSpec("GET", "https://api.pepperjamnetwork.com/x?page=2&format=json&apiKey=old")
    moved = envelope.key_in_query(spec, KEY)
    assert moved.url == "https://api.pepperjamnetwork.com/x"
    assert moved.params == {"page": "2", "format": "json", "apiKey": KEY}


# ---- records --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "ours"),
    [
        ("pending", "pending"),
        ("unconfirmed", "pending"),
        ("delayed", "approved"),
        ("locked", "approved"),
        ("paid", "paid"),
        ("Locked", "approved"),
    ],
)
def test_locking_cycle_words(word: str, ours: str) -> None:
    record = offline().map_transaction({**ROW, "status": word}, Scope("me@example.com"))
    assert (record.status, record.network_status) == (ours, word)


def test_a_transaction_corrected_to_nothing_is_declined_unless_paid() -> None:
    connector = offline()
    zero = {**ROW, "status": "locked", "commission": "0.00", "sale_amount": "0.00"}
    assert connector.map_transaction(zero, Scope()).status == "declined"
    assert connector.map_transaction({**zero, "status": "paid"}, Scope()).status == "paid"
    free = {**ROW, "commission": "0.00"}  # a sale that earns nothing is still a sale
    assert connector.map_transaction(free, Scope()).status == "pending"
    with pytest.raises(BadPayload, match="unknown status 'reversed'"):
        connector.map_transaction({**ROW, "status": "reversed"}, Scope())


def test_fields_money_and_eastern_time() -> None:
    record = offline(currency="cad").map_transaction(ROW, Scope())
    assert record.external_id == "98765432"
    assert record.event_at == datetime(2024, 5, 1, 13, 14, 2, tzinfo=UTC)  # EDT, UTC-4
    winter = offline().map_transaction({**ROW, "date": "2024-01-15 09:14:02"}, Scope())
    assert winter.event_at == datetime(2024, 1, 15, 14, 14, 2, tzinfo=UTC)  # EST, UTC-5
    assert (record.commission_amount, record.sale_amount) == (Decimal("4.50"), Decimal("90.00"))
    assert record.currency == "CAD"
    assert (record.click_ref, record.sub_ids) == ("u42-post7", {"sid": "u42-post7"})
    assert (record.advertiser_id, record.advertiser_name) == ("8123", "Example Outdoor Co")
    assert offline().map_transaction({**ROW, "sid": ""}, Scope()).sub_ids == {}


async def test_amounts_are_in_the_accounts_currency(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    records = await read(connector_for(runtime, CANADA), start, end)
    want = {t.external_id: t for t in CANADA.expected(start, end)}
    assert {r.currency for r in records} == {"CAD"}
    assert {r.external_id: r.commission_amount for r in records} == {
        k: t.commission_amount for k, t in want.items()
    }
    assert any(r.status == "declined" for r in records)


# ---- envelope and failures ------------------------------------------------------------
def test_the_envelope() -> None:
    ok = {"meta": {"status": {"code": 200, "message": "OK"}}, "data": [ROW]}
    envelope.check_envelope(ok, str)
    assert envelope.rows(ok) == [ROW]
    assert envelope.rows({"meta": {}, "data": ROW}) == [ROW]  # one object for one id
    assert envelope.rows({"meta": {}, "data": None}) == []
    assert envelope.total_results({"meta": {"pagination": {"total_results": "12"}}}) == 12
    with pytest.raises(BadPayload, match="'meta' envelope"):
        envelope.check_envelope({"data": []}, str)
    with pytest.raises(BadPayload, match="not a list of records"):
        envelope.rows({"meta": {}, "data": "nothing"})
    refused = {"meta": {"status": {"code": 401, "message": "Authentication error"}}}
    with pytest.raises(CredentialsRejected, match="Authentication error"):
        envelope.check_envelope(refused, str)
    busy = {"meta": {"status": {"code": "429", "message": "slow down"}}}
    with pytest.raises(RateLimited):
        envelope.check_envelope(busy, str)
    link = {"rel": "next", "href": "https://x/y?page=2"}
    assert envelope.next_page({"meta": {"pagination": {"next": link}}}) == link["href"]
    assert envelope.next_page({"meta": {"pagination": {"next": {**link, "rel": "prev"}}}}) is None


def test_the_quota_resets_at_eastern_midnight() -> None:
    assert envelope.next_reset(datetime(2026, 7, 1, 3, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 4, 0, tzinfo=UTC
    )
    assert envelope.next_reset(datetime(2026, 1, 10, 12, 0, tzinfo=UTC)) == datetime(
        2026, 1, 11, 5, 0, tzinfo=UTC
    )


async def test_pepperjams_spent_quota_ends_the_run_without_retrying(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["pepperjam"], rate_limits={"86400": 2})
    before = datetime.now(UTC)
    with pytest.raises(QuotaSpent) as spent:
        await read(connector_for(runtime, PEPPERJAM), *window(60))
    assert "daily API quota" in spent.value.message
    assert "frees at" in spent.value.message
    assert before < spent.value.resume_at <= before + timedelta(days=1, minutes=1)
    assert stats(sandbox["pepperjam"])["by_status"] == {"200": 2, "429": 1}


async def test_our_daily_budget_ends_the_run_before_pepperjam_refuses(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = budgeted_connector(runtime, PEPPERJAM, {"pepperjam": {"per_day": 2}})
    before = datetime.now(UTC)
    with pytest.raises(QuotaSpent) as spent:
        await read(connector, *window(60))
    assert "2 per_day" in spent.value.message
    assert timedelta(hours=23) < spent.value.resume_at - before <= timedelta(days=1, minutes=1)
    assert stats(sandbox["pepperjam"])["by_status"] == {"200": 2}


def test_the_documented_budget_is_1500_a_day() -> None:
    assert [(b.limit, b.window) for b in Pepperjam.budgets] == [(1500, 86400)]


# ---- verify and programs ----------------------------------------------------------------
async def test_verify_counts_joined_advertisers_and_says_where_to_fix_a_key(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, PEPPERJAM).verify()
    assert verified.accounts == [
        Scope("deals@example.com", "Pepperjam publisher deals@example.com")
    ]
    assert "joined advertisers" in verified.message
    bad = "bad-pj-key-000000000000"
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, PEPPERJAM, api_key=bad).verify()
    assert "Authentication error" in refused.value.message
    assert "Resources > API Keys" in refused.value.message
    assert bad not in refused.value.message


async def test_programs_of_every_standing_with_their_generic_links(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, PEPPERJAM).programs() for p in page]
    calls = stats(sandbox["pepperjam"])["requests"]
    # The advertisers' pages, and one call for every joined program's generic link.
    assert {c["path"] for c in calls} == {ADVERTISERS, GENERIC_CREATIVES}
    assert [c["path"] for c in calls].count(GENERIC_CREATIVES) == 1
    assert calls[0]["query"]["status"].split(",") == list(Pepperjam.relationships)
    config = httpx.get(f"{sandbox['pepperjam']}/_sandbox/config", timeout=10).json()
    served = advertisers(account("pepperjam", PEPPERJAM.accounts[0], DataSpec.from_config(config)))
    assert sorted(p.external_id for p in programs) == sorted(a["id"] for a in served)
    standings = {(p.relationship, p.network_relationship) for p in programs}
    assert {("joined", "joined"), ("pending", "applied"), ("not_joined", "invited")} <= standings
    assert all(p.domains and p.domains[0].startswith("www.") for p in programs)
    joined = [p for p in programs if p.relationship == "joined"]
    assert all(
        p.link_token and p.tracking_url == f"https://www.pjtra.com/t/{p.link_token}" for p in joined
    )
    assert {p.deeplinks for p in joined} == {True, False}
    assert all(p.link_token is None and p.deeplinks is None for p in programs if p not in joined)


async def test_an_advertiser_and_its_generic_creative(runtime) -> None:  # type: ignore[no-untyped-def]
    record = {
        "id": "8123",
        "name": "Example Outdoor Co",
        "website": "https://www.example-outdoor.com",
        "status": "joined",
        "generic": {
            "id": "40123",
            "program_id": "8123",
            "allow_deep_link": "1",
            "code": '<a href="http://www.pjtra.com/t/TUJGRUdLTUJGTktHTU5CRkdKR0VJ">Shop</a>',
        },
    }
    program = connector_for(runtime, PEPPERJAM).map_program(record)
    assert (program.external_id, program.domains) == ("8123", ("www.example-outdoor.com",))
    assert program.network_relationship == "joined"
    assert program.link_token == "TUJGRUdLTUJGTktHTU5CRkdKR0VJ"
    assert program.tracking_url == "http://www.pjtra.com/t/TUJGRUdLTUJGTktHTU5CRkdKR0VJ"
    assert program.deeplinks is True
    closed = {**record, "generic": {**record["generic"], "allow_deep_link": False}}
    assert connector_for(runtime, PEPPERJAM).map_program(closed).deeplinks is False
    assert Pepperjam.relationships["revoked_advertiser"] == "declined"
    assert Pepperjam.relationships["applied"] == "pending"


def link_for(sub_id: str | None, token: str | None = "TUJGRUdLTUJGTktHTU5CRkdKR0VJ") -> str:
    program = LinkProgram("p1", "8123", "deals@example.com", "Example Outdoor Co", link_token=token)
    destination = "https://www.example-outdoor.com/tents?size=2&colour=green"
    return Pepperjam.link(LinkRequest(destination, sub_id, program))


def test_the_link_is_the_documented_format() -> None:
    assert link_for("u42-post7") == (
        "https://www.pjtra.com/t/TUJGRUdLTUJGTktHTU5CRkdKR0VJ"
        "?url=https%3A%2F%2Fwww.example-outdoor.com%2Ftents%3Fsize%3D2%26colour%3Dgreen"
        "&sid=u42-post7"
    )
    assert link_for(None) == (
        "https://www.pjtra.com/t/TUJGRUdLTUJGTktHTU5CRkdKR0VJ"
        "?url=https%3A%2F%2Fwww.example-outdoor.com%2Ftents%3Fsize%3D2%26colour%3Dgreen"
    )
    with pytest.raises(ValidationFailed) as refused:
        link_for("a", token=None)
    assert "no generic link" in refused.value.extra["errors"][0]["message"]


@pytest.mark.parametrize(
    ("sub_id", "problem"), [("a" * 65, "at most 64"), ("u42&x=1", "'&'"), ("", "empty")]
)
def test_a_sid_over_the_limit_or_with_bad_characters_is_refused(sub_id: str, problem: str) -> None:
    assert Pepperjam.links is not None
    assert problem in (Pepperjam.links.sub_id.problem(sub_id) or "")
    assert Pepperjam.links.sub_id.problem("a" * 64) is None


def test_the_form_keeps_a_password_the_api_does_not_need() -> None:
    network = get_network("pepperjam")
    assert network is not None
    assert {f.key for f in network.fields} == {"username", "password", "api_key", "currency"}
    assert set(Pepperjam.unused_credentials) == {"password"}


async def test_a_sync_stopped_by_the_quota_waits_for_eastern_midnight_then_runs(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    form = {"network": "pepperjam", "credentials": PEPPERJAM.credentials}
    connection_id = (await client.post("/v1/connections", json=form, headers=headers)).json()["id"]
    await drain(settings)  # the programs a new connection lists first, on a day's whole quota
    knobs(sandbox["pepperjam"], rate_limits={"86400": 3})
    start = TODAY - timedelta(days=100)
    span = {"start": start.isoformat(), "end": TODAY.isoformat()}
    url = f"/v1/connections/{connection_id}/syncs"
    run = (await client.post(url, json=span, headers=headers)).json()
    await drain(settings)

    ended = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert ended["state"] == "rate_limited", ended
    assert "daily API quota" in ended["error"]["message"]
    resume_at = datetime.fromisoformat(ended["resume_at"])
    assert abs(resume_at - envelope.next_reset()) < timedelta(minutes=1)
    assert stats(sandbox["pepperjam"])["by_status"]["429"] == 1  # no retry loop

    context = JobContext(runtime=runtime, job_id="cron", job_try=1)
    async with runtime.engine.begin() as db:
        await db.execute(
            text("update connection set last_sync_at = :at where id = :id"),
            {"at": datetime.now(UTC) - timedelta(days=2), "id": connection_id},
        )
    assert await sync_due(context) == 0  # the quota has not freed yet
    async with runtime.engine.begin() as db:
        await db.execute(
            text("update sync_run set resume_at = :at where id = :id"),
            {"at": datetime.now(UTC) - timedelta(minutes=1), "id": run["id"]},
        )
    knobs(sandbox["pepperjam"], rate_limits={})  # Pepperjam's new day
    assert await sync_due(context) == 1
    await drain(settings)
    runs = (await client.get(f"/v1/syncs?connection_id={connection_id}", headers=headers)).json()
    assert sorted(r["state"] for r in runs["data"]) == ["rate_limited", "succeeded"]
    assert len(await rows_of(runtime, connection_id)) > 50
