"""Tune specifics: the host per network id, failures inside HTTP 200 bodies, both row
shapes, numbers as strings, the network's timezone and currency, offers as programs and
links from the network's link API."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors import tune_envelope
from app.connectors.base import Scope, split_windows
from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    RateLimited,
    RequestRejected,
    Unavailable,
)
from app.connectors.http import NetworkHttp
from app.connectors.tune import Tune
from app.connectors.tune_envelope import page_count, rows
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import registry
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window

TUNE = CASES["tune"]
KEY = "k3y-0123456789abcdef"
STAT = {"id": "1024", "datetime": "2024-03-01 12:34:56", "conversion_status": "approved"}
ROW = {"Stat": {**STAT, "payout": "1080.00000", "sale_amount": "1350.00000", "currency": ""}}


def offline(**credentials: str) -> Tune:
    values = {"api_key": KEY, "network_id": "arabclicks", **credentials}
    return Tune(values, NetworkHttp(httpx.AsyncClient(), "tune", secrets=[KEY]))


def failed(*messages: str, **extra: Any) -> dict[str, Any]:
    errors = [{"publicMessage": m} for m in messages]
    response = {"status": -1, "httpStatus": 200, "data": "", "errors": errors}
    return {"response": {**response, "errorMessage": messages[0] if messages else None, **extra}}


def paged(data: Any, page_count: Any = 1) -> dict[str, Any]:
    block = {"page": 1, "current": 0, "count": 2, "pageCount": page_count, "data": data}
    return {"response": {"status": 1, "httpStatus": 200, "data": block, "errors": []}}


# ---- the host -------------------------------------------------------------------------
def test_each_network_has_its_own_host() -> None:
    connector = offline()
    window = next(
        split_windows(date(2024, 3, 1), date(2024, 3, 1), connector.zone, connector.max_window)
    )
    spec = connector.transactions_request(Scope("7"), window)
    assert spec.url == "https://arabclicks.api.hasoffers.com/Apiv3/json"
    assert spec.params["Target"] == "Affiliate_Report"
    assert spec.params["Method"] == "getConversions"
    assert "Stat.tune_event_id" in spec.params["fields[]"]
    assert spec.params["filters[Stat.datetime][conditional]"] == "BETWEEN"
    # The window as naive times (read as UTC: the API does not name the zone), both ends in.
    assert spec.params["filters[Stat.datetime][values][]"] == [
        "2024-03-01 00:00:00",
        "2024-03-01 23:59:59",
    ]


@pytest.mark.parametrize("network_id", ["evil.example.com/x", "a b", "", "-demo", "x" * 70])
def test_a_network_id_that_is_not_a_host_label_is_refused(network_id: str) -> None:
    with pytest.raises(RequestRejected, match="Network ID"):
        offline(network_id=network_id).api_base  # noqa: B018


# ---- failures at HTTP 200 --------------------------------------------------------------
def check(payload: Any) -> None:
    offline().check(payload)


def test_a_refused_key_is_a_credentials_failure_without_the_key() -> None:
    with pytest.raises(CredentialsRejected) as refused:
        check(failed(f"api_key {KEY} is not authenticated"))
    assert KEY not in refused.value.message


@pytest.mark.parametrize(
    "message", ["IP address 203.0.113.9 is not whitelisted", "Unauthorized", "Invalid API key"]
)
def test_an_address_outside_the_allow_list_is_a_credentials_failure(message: str) -> None:
    with pytest.raises(CredentialsRejected):
        check(failed(message))


RECORDED_LIMIT = (
    "blabla.  API usage exceeded rate limit.  Configured: 50/10s window; Your usage: 51.  "
    "See https://help.tune.com/hasoffers/rate-limit-error/ for guidance."
)


@pytest.mark.parametrize("message", [RECORDED_LIMIT, "User has exceeded API rate limit"])
def test_the_rate_limit_is_retryable_after_the_window(message: str) -> None:
    with pytest.raises(RateLimited) as limited:
        check(failed(message))
    assert limited.value.retry_after == tune_envelope.RATE_LIMIT_PAUSE == 10.0


@pytest.mark.parametrize(
    "message",
    ["Affiliate API feature is disabled", "Invalid Target: Affiliate_Report", "Unknown method"],
)
def test_an_api_that_is_off_says_the_network_may_have_migrated(message: str) -> None:
    with pytest.raises(Unavailable) as off:
        check(failed(message))
    assert "new TUNE Network" in off.value.message
    assert "'arabclicks'" in off.value.message


def test_other_failures_are_rejected_requests() -> None:
    with pytest.raises(RequestRejected, match="is not allowed"):
        check(failed("Field Stat.foo is not allowed"))


def test_an_unknown_network_id_names_the_field() -> None:
    body = {
        "response": {
            "errors": {"publicMessage": "Network id is not valid"},
            "link": "http://developers.hasoffers.com/",
        }
    }
    with pytest.raises(CredentialsRejected, match="Network ID field"):
        check(body)


@pytest.mark.parametrize("body", [[], "x", {"request": {}}, {"response": {"data": []}}])
def test_a_body_without_the_envelope_is_bad(body: Any) -> None:
    with pytest.raises(BadPayload):
        check(body)


# ---- rows ------------------------------------------------------------------------------
def test_rows_come_as_a_list_or_an_object_keyed_by_id() -> None:
    as_list = rows(paged([ROW, {**ROW, "Offer": {"name": "Shop"}}]))
    as_object = rows(paged({"1024": ROW, "1025": {**ROW, "Offer": {"name": "Shop"}}}))
    assert as_list == as_object
    assert as_list[0]["payout"] == "1080.00000"
    assert as_list[1]["Offer"] == {"name": "Shop"}
    unpaged = {"response": {"status": 1, "data": {"7": {"Offer": {"id": "7"}}}, "errors": []}}
    assert rows(unpaged) == [{"Offer": {"id": "7"}}]


@pytest.mark.parametrize("data", [[], None, ""])
def test_no_rows(data: Any) -> None:
    assert rows(paged(data, 0)) == []


@pytest.mark.parametrize(("value", "pages"), [(3, 3), ("3", 3), (None, None), ("", None)])
def test_the_page_count_may_be_a_string_or_null(value: Any, pages: int | None) -> None:
    assert page_count(paged([], value)) == pages


def test_strings_for_numbers_and_the_network_currency_for_an_empty_one() -> None:
    connector = offline()
    connector.network_currency = "EUR"
    record = connector.map_transaction(rows(paged([ROW]))[0], Scope("7"))
    assert record.commission_amount == Decimal("1080.00000")
    assert record.sale_amount == Decimal("1350.00000")
    assert record.currency == "EUR"
    assert record.event_at == datetime(2024, 3, 1, 12, 34, 56, tzinfo=UTC)
    assert record.source_timezone == "UTC"


@pytest.mark.parametrize(
    ("word", "status"), [("approved", "approved"), ("pending", "pending"), ("rejected", "declined")]
)
def test_status_words(word: str, status: str) -> None:
    record = offline().map_transaction({**STAT, "payout": "1", "conversion_status": word}, Scope())
    assert (record.status, record.network_status) == (status, word)


def test_the_new_event_id_stands_in_for_a_missing_id() -> None:
    row = {**STAT, "id": None, "tune_event_id": "ev-1", "payout": "1", "currency": "USD"}
    assert offline().map_transaction(row, Scope()).external_id == "ev-1"


# ---- offers and links ---------------------------------------------------------------------
# An Offer as HasOffers records it (pyoffers cassette, trimmed), with the affiliate's view.
OFFER: dict[str, Any] = {
    "id": "196",
    "name": "Test",
    "require_approval": "0",
    "preview_url": "http://www.example.com",
    "currency": None,
    "default_payout": "0.00000",
    "payout_type": "cpa_flat",
    "percent_payout": None,
    "status": "active",
    "is_private": "0",
    "allow_website_links": "0",
    "approval_status": None,
}


def offer(**changes: Any) -> Any:
    connector = offline()
    connector.network_currency = "EUR"
    return connector.map_program({**OFFER, **changes})


@pytest.mark.parametrize(
    ("changes", "word", "ours"),
    [
        ({"approval_status": "approved", "require_approval": "1"}, "approved", "joined"),
        ({"approval_status": "pending", "require_approval": "1"}, "pending", "pending"),
        ({"approval_status": "rejected", "require_approval": "1"}, "rejected", "declined"),
        # No application: an offer that needs approval is not joined; an open one runs.
        ({"require_approval": "1"}, None, "not_joined"),
        ({}, "approved", "joined"),
    ],
)
def test_the_affiliates_approval(changes: dict[str, Any], word: str | None, ours: str) -> None:
    program = offer(**changes)
    assert (program.network_relationship, program.relationship) == (word, ours)


def test_an_offer_as_a_program() -> None:
    link = {"click_url": "https://demo.go2cloud.org/aff_c?offer_id=196&aff_id=7"}
    program = offer(allow_website_links="1", TrackingLink=link)
    assert (program.external_id, program.name, program.domains) == (
        "196",
        "Test",
        ("www.example.com",),
    )
    assert program.deeplinks is True
    assert program.tracking_url == link["click_url"]
    assert program.link_token is None  # the offer id and the key are all a link needs
    assert offer().deeplinks is False
    assert offer(TrackingLink=[]).tracking_url is None  # HasOffers' empty contained model


@pytest.mark.parametrize(
    ("changes", "terms"),
    [
        (
            {"payout_type": "cpa_percentage", "percent_payout": "7.50000"},
            [("percent", "7.50000", None, None)],
        ),
        # A flat payout without a currency is in the network's.
        ({"default_payout": "2.50000"}, [("flat", "2.50000", "EUR", None)]),
        (
            {
                "payout_type": "cpa_both",
                "percent_payout": "5",
                "default_payout": "1",
                "currency": "USD",
            },
            [("percent", "5", None, None), ("flat", "1", "USD", None)],
        ),
        ({"payout_type": "cpc", "default_payout": "0.10000"}, [("flat", "0.10000", "EUR", "cpc")]),
        ({"payout_type": "cpa_flat"}, []),  # nothing paid by default: no term
    ],
)
def test_payouts_as_terms(changes: dict[str, Any], terms: list[tuple[Any, ...]]) -> None:
    got = offer(**changes).terms
    assert [(t.kind, str(t.value), t.currency, t.category) for t in got] == terms


def test_offers_come_with_their_tracking_links() -> None:
    spec = offline().programs_request(Scope("7"))
    assert (spec.params["Target"], spec.params["Method"]) == ("Affiliate_Offer", "findAll")
    assert spec.params["contain[]"] == ["TrackingLink"]
    row = {"Offer": OFFER, "TrackingLink": {"click_url": "https://x.go2cloud.org/aff_c"}}
    unpaged = {"response": {"status": 1, "data": {"196": row}, "errors": []}}
    assert offline().extract_programs(unpaged) == [{**OFFER, "TrackingLink": row["TrackingLink"]}]


@pytest.mark.parametrize(
    ("sub_id", "fine"),
    [("nlrt42", True), ("x" * 100, True), ("x" * 101, False), ("a b", False), ("a&b", False)],
)
def test_the_sub_id_rule(sub_id: str, fine: bool) -> None:
    assert Tune.links is not None
    assert Tune.links.sub_id.param == "aff_sub"
    assert (Tune.links.sub_id.problem(sub_id) is None) is fine


def link_request(offer_id: str, affiliate: str, sub_id: str | None) -> LinkRequest:
    program = LinkProgram("p1", offer_id, affiliate, relationship="joined", deeplinks=True)
    return LinkRequest("https://www.example.com/p?a=1&b=2", sub_id, program)


# ---- against the sandbox -----------------------------------------------------------------
async def test_a_refused_key_says_where_the_key_and_the_allow_list_are(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, TUNE, api_key="bad-key-0000000000").verify()
    assert refused.value.kind == "auth_failed"
    assert "Support > API" in refused.value.message
    assert "0.0.0.0" in refused.value.message
    assert "bad-key-0000000000" not in refused.value.message


async def test_a_migrated_network_ends_the_run_saying_so(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["tune"], migrated=True)
    with pytest.raises(Unavailable, match="new TUNE Network"):
        await connector_for(runtime, TUNE).verify()
    with pytest.raises(Unavailable, match="new TUNE Network"):
        [r async for page in connector_for(runtime, TUNE).transactions(*window(5)) for r in page]
    assert stats(sandbox["tune"])["total"] == 2  # not retried


async def test_the_rate_limit_answered_at_200_is_waited_out(  # type: ignore[no-untyped-def]
    runtime, sandbox, monkeypatch, caplog
) -> None:
    monkeypatch.setattr(tune_envelope, "RATE_LIMIT_PAUSE", 1.1)
    knobs(sandbox["tune"], rate_limits={1: 3})
    start, end = window(100)
    records = [
        r async for page in connector_for(runtime, TUNE).transactions(start, end) for r in page
    ]
    assert sorted(r.external_id for r in records) == sorted(
        t.external_id for t in TUNE.expected(start, end)
    )
    assert "exceeded rate limit" in caplog.text
    assert set(stats(sandbox["tune"])["by_status"]) == {"200"}


async def test_rows_as_a_list_read_the_same(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox["tune"], rows="list")
    start, end = window(40)
    records = [
        r async for page in connector_for(runtime, TUNE).transactions(start, end) for r in page
    ]
    assert sorted(r.external_id for r in records) == sorted(
        t.external_id for t in TUNE.expected(start, end)
    )


async def test_a_second_network_with_its_own_currency(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    case = Case.of("tune", registry.connections("tune")[1])
    start, end = window(60)
    records = [
        r async for page in connector_for(runtime, case).transactions(start, end) for r in page
    ]
    want = {t.external_id: t for t in case.expected(start, end)}
    assert {r.external_id for r in records} == set(want)
    assert any(r.raw["currency"] == "" for r in records)
    for record in records:
        assert (record.currency, record.event_at) == (
            want[record.external_id].currency,
            want[record.external_id].event_at,
        )
        if record.raw["currency"] == "":
            assert record.currency == "EUR"


async def test_offers_of_every_relationship_with_their_links(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, TUNE).programs() for p in page]
    by_relationship = {p.relationship for p in programs}
    assert by_relationship == {"joined", "pending", "declined", "not_joined"}
    assert {p.account_id for p in programs} == set(TUNE.accounts)
    for program in programs:
        assert program.name
        assert program.domains
        assert program.terms
        assert program.deeplinks is not None
        # The listing's own link for the offers the affiliate may run, and only for those.
        assert (program.tracking_url is not None) == (program.relationship == "joined")
    assert any(p.network_relationship == "approved" for p in programs)


async def test_a_link_is_the_networks_own(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, TUNE)
    programs = [p async for page in connector.programs() for p in page]
    offer = next(p for p in programs if p.relationship == "joined" and p.deeplinks)
    affiliate = TUNE.accounts[0]
    url = await connector.api_link(link_request(offer.external_id, affiliate, "nlrt42"))
    assert url == (
        f"https://demo.go2cloud.org/aff_c?offer_id={offer.external_id}&aff_id={affiliate}"
        "&aff_sub=nlrt42&url=https%3A%2F%2Fwww.example.com%2Fp%3Fa%3D1%26b%3D2"
    )


async def test_an_offer_not_approved_gets_no_link(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, TUNE)
    programs = [p async for page in connector.programs() for p in page]
    pending = next(p for p in programs if p.relationship == "pending")
    with pytest.raises(RequestRejected, match="not approved"):
        await connector.api_link(link_request(pending.external_id, TUNE.accounts[0], None))


async def test_times_are_read_in_the_networks_timezone_when_the_connection_names_it(
    runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    from tests.connectors.support import CASES, connector_for, knobs, window

    case = CASES["tune"]
    knobs(sandbox["tune"], timezone="Europe/Amsterdam")
    start, end = window(60)
    connector = connector_for(runtime, case, timezone="Europe/Amsterdam")
    got = {
        r.external_id: r.event_at async for page in connector.transactions(start, end) for r in page
    }
    options = {**case.options, "timezone": "Europe/Amsterdam"}
    want = {
        t.external_id: t.event_at
        for account in case.accounts
        for t in registry.expected("tune")(
            account, 0, registry_spec(sandbox), start, end, **options
        )
    }
    assert got == want
    assert len(got) > 10


def registry_spec(sandbox):  # type: ignore[no-untyped-def]
    from app.sandbox.data import DataSpec

    return DataSpec.from_config(httpx.get(f"{sandbox['tune']}/_sandbox/config").json())
