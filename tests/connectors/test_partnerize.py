"""Partnerize specifics: the report asked in UTC, windows by change date after a first sync,
`mixed` baskets and self-billed (paid) items, ids with an `l` kept whole, the 429 wait in
`X-RateLimit-Retry-After`, the 401 body, the publisher accounts and the pinned one,
campaigns of every standing with their rates and camrefs, and tracking links."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, Window
from app.connectors.decoders import Json
from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    QuotaSpent,
    RateLimited,
    RequestRejected,
)
from app.connectors.http import NetworkHttp, RetryPolicy
from app.connectors.partnerize import Partnerize
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.data import DataSpec
from app.sandbox.partnerize import CONNECTIONS, expected
from app.sandbox.partnerize_records import publisher_ids
from app.sandbox.registry import SandboxConnection
from tests.connectors.support import (
    CASES,
    Case,
    bump_epoch,
    connector_for,
    knobs,
    stats,
)

CASE = CASES["partnerize"]
PINNED = Case.of("partnerize", CONNECTIONS[1])
KEYS = {"application_key": "f8Dk2LmQp0", "user_api_key": "Zr7Ty1UiOp3As5Df"}


def offline() -> Partnerize:
    return Partnerize(KEYS, NetworkHttp(httpx.AsyncClient(), "partnerize", secrets=KEYS.values()))


def item(status: str, commission: str, self_bill: Any = None) -> dict[str, Any]:
    value = Decimal(commission) * 10
    return {
        "item_status": status,
        "item_value": value,
        "item_publisher_commission": Decimal(commission),
        "publisher_self_bill_id": self_bill,
        "approved_at": "2026-05-03 10:00:00" if status == "approved" else None,
    }


def conversion(word: str, *items: dict[str, Any]) -> dict[str, Any]:
    total = sum((i["item_publisher_commission"] for i in items), Decimal(0))
    return {
        "conversion_id": "1011l4567890",
        "campaign_id": "1011l40012345",
        "campaign_title": "Example Fashion UK",
        "conversion_time": "2026-05-01 14:22:07",
        "currency": "GBP",
        "publisher_reference": "",
        "conversion_reference": "ORD-88231",
        "click": {"set_time": "2026-05-01 13:58:40", "publisher_reference": "user42"},
        "conversion_value": {
            "conversion_status": word,
            "value": total * 10,
            "publisher_commission": total,
        },
        "conversion_items": list(items),
    }


def answer(status: int, body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://api.partnerize.com/user/account.json")
    return httpx.Response(status, json=body, headers=headers, request=request)


# ---- requests ---------------------------------------------------------------------------
def test_the_report_is_asked_in_utc_by_conversion_then_by_change() -> None:
    connector = offline()
    start = datetime(2026, 5, 1, tzinfo=UTC)
    spec = connector.transactions_request(Scope("1100l123"), Window(start, start + timedelta(31)))
    assert spec.url.endswith("/reporting/report_publisher/publisher/1100l123/conversion.json")
    assert spec.params == {
        "start_date": "2026-05-01 00:00:00",
        "end_date": "2026-06-01 00:00:00",
        "timezone": "UTC",
    }
    updated = Window(start, start + timedelta(1), "updated")
    assert connector.transactions_request(Scope("1100l123"), updated).params["date_type"] == (
        "last_updated"
    )


def test_limits_count_per_user_not_per_application_key() -> None:
    assert Partnerize.auth.budget_credential(KEYS) == KEYS["user_api_key"]


# ---- a basket ---------------------------------------------------------------------------
def test_a_mixed_basket_counts_only_items_not_rejected() -> None:
    record = conversion("mixed", item("approved", "4.50"), item("rejected", "2.00"))
    mapped = offline().map_transaction(record, Scope("1100l1"))
    assert (mapped.status, mapped.network_status) == ("approved", "mixed")
    assert mapped.commission_amount == Decimal("4.50")
    assert mapped.sale_amount == Decimal("45.00")
    pending = conversion(
        "mixed", item("approved", "1"), item("pending", "2"), item("rejected", "3")
    )
    assert offline().map_transaction(pending, Scope("1")).status == "pending"


def test_self_billed_items_are_paid_and_rejected_baskets_declined() -> None:
    paid = conversion("approved", item("approved", "4.50", 70412))
    assert offline().map_transaction(paid, Scope("1")).status == "paid"
    half = conversion("approved", item("approved", "1", 70412), item("approved", "1"))
    assert offline().map_transaction(half, Scope("1")).status == "approved"
    rejected = offline().map_transaction(conversion("rejected", item("rejected", "3")), Scope("1"))
    assert (rejected.status, rejected.commission_amount) == ("declined", Decimal("3"))


def test_ids_times_and_refs() -> None:
    mapped = offline().map_transaction(conversion("pending", item("pending", "1")), Scope("1"))
    assert mapped.advertiser_id == "1011l40012345"  # the `l` is part of the id
    assert mapped.event_at == datetime(2026, 5, 1, 14, 22, 7, tzinfo=UTC)
    assert mapped.click_at == datetime(2026, 5, 1, 13, 58, 40, tzinfo=UTC)
    assert mapped.click_ref == "user42"  # the click's pubref when the row's is empty
    assert mapped.order_id == "ORD-88231"


def test_amounts_are_json_numbers_read_exactly() -> None:
    payload = Json().decode(b'{"conversions": [{"conversion_data": {"value": 511.74}}]}')
    assert offline().extract(payload) == [{"value": Decimal("511.74")}]
    with pytest.raises(BadPayload):
        offline().extract({"conversions": [{"conversion": {}}]})
    unknown = conversion("queried", item("pending", "1"))
    with pytest.raises(BadPayload, match="unknown status"):
        offline().map_transaction(unknown, Scope("1"))


# ---- failures ---------------------------------------------------------------------------
def test_the_429_wait_is_read_from_the_x_header() -> None:
    body = {"error": {"message": "Too Many Requests", "type": "429"}}
    with pytest.raises(RateLimited) as limited:
        offline().classify(answer(429, body, **{"X-RateLimit-Retry-After": "7"}))
    assert limited.value.retry_after == 7


def test_401_and_403_are_credentials_and_400_a_rejected_request() -> None:
    body = {"error": {"errors": [{"message": "combination is invalid", "type": "unauthorised"}]}}
    with pytest.raises(CredentialsRejected, match="combination is invalid"):
        offline().classify(answer(401, body))
    with pytest.raises(CredentialsRejected, match="403"):
        offline().classify(answer(403, {"error": {"message": "no access", "type": "403"}}))
    with pytest.raises(RequestRejected):
        offline().classify(answer(400, {"error": {"message": "Invalid date", "type": "400"}}))


async def test_refused_keys_say_where_to_find_them(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE, user_api_key="bad-user-key-0000000000")
    with pytest.raises(CredentialsRejected) as refused:
        await connector.verify()
    message = refused.value.message
    assert "combination is invalid" in message
    assert "Settings > Your account" in message
    assert "bad-user-key" not in message


async def test_a_long_wait_ends_the_run_with_its_resume_time(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["partnerize"], fail_next=[429], retry_after=3600)
    connector = connector_for(runtime, CASE, retry=RetryPolicy(attempts=3, base=0.01, cap=0.02))
    with pytest.raises(QuotaSpent) as spent:
        await connector.verify()
    assert spent.value.resume_at > datetime.now(UTC) + timedelta(minutes=50)


# ---- accounts ---------------------------------------------------------------------------
async def test_every_publisher_account_and_no_brand_account(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, CASE).verify()
    assert [s.account_id for s in verified.accounts] == CASE.accounts
    assert all(s.name for s in verified.accounts)
    assert CASE.accounts[0] in verified.message


async def test_a_pinned_publisher_narrows_the_sync(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(CONNECTIONS[1], SandboxConnection)
    connector = connector_for(runtime, PINNED)
    assert [s.account_id for s in await connector.accounts()] == PINNED.accounts
    wrong = connector_for(runtime, PINNED, publisher_id="1100l999999")
    with pytest.raises(CredentialsRejected, match="'1100l999999' is not an account"):
        await wrong.verify()


# ---- incremental --------------------------------------------------------------------------
async def test_after_a_first_sync_windows_are_of_change_dates(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    base = sandbox["partnerize"]
    bump_epoch(base)
    spec = DataSpec.from_config(httpx.get(f"{base}/_sandbox/config").json())
    today = spec.today  # the sandbox's own day: changes of epoch 1 happen on it
    connector = connector_for(runtime, CASE)
    start = today - timedelta(days=100)
    units = await connector.units(start, today, since=today)
    assert {u.window.by for u in units} == {"updated"}
    pages = [page async for page in connector.transactions(start, today, today)]
    got = {r.external_id for page in pages for r in page}
    changed = [t for pid in CASE.accounts for t in expected(pid, 1, spec)]
    moved = {t.external_id for t in changed if t.record["last_modified"] >= today.isoformat()}
    assert moved
    assert moved <= got
    calls = [e for e in stats(base)["requests"] if "conversion" in e["path"]]
    assert {c["query"].get("date_type") for c in calls} == {"last_updated"}


# ---- programs and links ---------------------------------------------------------------------
async def test_programs_of_every_standing_with_camrefs(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CASE).programs() for p in page]
    words = {(p.relationship, p.network_relationship) for p in programs}
    assert words == {("joined", "approved"), ("pending", "pending"), ("declined", "rejected")}
    assert {p.account_id for p in programs} == set(CASE.accounts)
    assert all(p.external_id.startswith("1011l") for p in programs)
    assert all(p.domains and p.domains[0].startswith("www.") for p in programs)
    assert all(p.terms and p.terms[0].kind == "percent" for p in programs)
    joined = [p for p in programs if p.relationship == "joined"]
    assert all(
        p.link_token and p.tracking_url == f"https://prf.hn/click/camref:{p.link_token}"
        for p in joined
    )
    assert all(p.link_token is None for p in programs if p not in joined)
    assert {p.deeplinks for p in programs} == {True, False}
    calls = [e["path"] for e in stats(sandbox["partnerize"])["requests"]]
    # One participations call per publisher account, for its approved campaigns' camrefs.
    assert sum("/participations" in c for c in calls) == len(CASE.accounts)


def test_a_campaign_maps_its_rate_deep_linking_and_camref() -> None:
    record = {
        "campaign_id": "10l176",
        "title": "PHG Aff Demo",
        "destination_url": "http://www.performancehorizon.com",
        "campaign_languages": {"de": {"destination_url": "https://partnerize.de/"}},
        "default_commission_rate": "5",
        "default_currency": "GBP",
        "allow_deep_linking": "n",
        "publisher_status": "a",
        "camref": "1101lpefz",
        "tracking_link": "https://prf.hn/click/camref:1101lpefz",
    }
    program = offline().map_program(record)
    assert program.external_id == "10l176"
    assert program.domains == ("www.performancehorizon.com", "partnerize.de")
    assert program.network_relationship == "approved"
    assert program.terms == (CommissionTerm("percent", Decimal(5)),)
    assert (program.deeplinks, program.link_token) == (False, "1101lpefz")
    assert program.tracking_url == "https://prf.hn/click/camref:1101lpefz"
    flat = {**record, "default_commission_rate": None, "default_commission_value": "12.50"}
    assert offline().map_program(flat).terms == (CommissionTerm("flat", Decimal("12.50"), "GBP"),)
    pending = offline().map_program({"campaign_id": "10l9", "publisher_status": "p"})
    assert (pending.network_relationship, pending.deeplinks, pending.terms) == ("pending", None, ())
    assert Partnerize.relationships["rejected"] == "declined"


def link_for(sub_id: str | None, camref: str | None = "1101lpefz") -> str:
    program = LinkProgram("p1", "10l176", "1100l100001", "PHG Aff Demo", link_token=camref)
    destination = "https://gocity.com/boston/en-us?day=2&pass=all"
    return Partnerize.link(LinkRequest(destination, sub_id, program))


def test_the_link_is_the_documented_format_destination_last() -> None:
    assert link_for("user42-article7") == (
        "https://prf.hn/click/camref:1101lpefz/pubref:user42-article7"
        "/destination:https%3A%2F%2Fgocity.com%2Fboston%2Fen-us%3Fday%3D2%26pass%3Dall"
    )
    assert link_for(None) == (
        "https://prf.hn/click/camref:1101lpefz"
        "/destination:https%3A%2F%2Fgocity.com%2Fboston%2Fen-us%3Fday%3D2%26pass%3Dall"
    )
    with pytest.raises(ValidationFailed) as refused:
        link_for("a", camref=None)
    assert "gave no camref" in refused.value.extra["errors"][0]["message"]


@pytest.mark.parametrize(
    ("sub_id", "problem"),
    [("a" * 257, "at most 256"), ("user/42", "'/'"), ("user:42", "':'"), ("", "empty")],
)
def test_a_pubref_over_256_characters_or_with_separators_is_refused(
    sub_id: str, problem: str
) -> None:
    assert Partnerize.links is not None
    assert problem in (Partnerize.links.sub_id.problem(sub_id) or "")
    assert Partnerize.links.sub_id.problem("a" * 256) is None


def test_windows_are_31_days() -> None:
    days = list(offline().windows(date(2026, 1, 1), date(2026, 4, 10)))
    assert max(w.end - w.start for w in days) == timedelta(days=31)
    assert publisher_ids("x")[0].startswith("1100l")


def test_a_refused_publisher_asks_for_access_not_new_keys() -> None:
    refused = offline().refused(CredentialsRejected("partnerize", "HTTP 403: no access"))
    assert "access" in refused.message
    assert "Publisher ID" in refused.message
    mixed = conversion("mixed")
    with pytest.raises(BadPayload, match="mixed basket"):
        offline().map_transaction(mixed, Scope("1"))
