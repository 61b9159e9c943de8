"""Webgains specifics: the personal token first, else the password grant with the operator's
OAuth client, else a message naming what is missing; Unix-second windows filtered by site;
amounts in ten-thousandths; numeric status codes; verify's messages; the directory with the
site's memberships; offline links."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.connectors.base import Scope, split_windows
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import NetworkHttp
from app.connectors.webgains import Webgains
from app.connectors.webgains_auth import NotConfigured
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.data import DataSpec
from app.sandbox.webgains import CONNECTIONS
from app.sandbox.webgains_records import memberships, publisher_of, site_name, sites_of
from app.settings import get_settings
from tests.connectors.support import CASES, Case, connector_for, stats, window

WEBGAINS = CASES["webgains"]
CREDENTIALS = {
    "username": "publisher@example.com",
    "password": "pa55word",
    "network": "uk",
    "campaign_id": "1193402",
    "publisher_id": "284517",
    "api_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
}
# A directory program as two clients read it (sheet, section 3).
DIRECTORY_ROW: dict[str, Any] = {
    "id": 7978,
    "name": "Example Store UK",
    "homepage_url": "https://www.example-store.co.uk/",
    "create_date": 1609459200,
    "status": 1,
    "allows_deeplinks": True,
}
# The sheet's example row (section 5).
ROW: dict[str, Any] = {
    "id": 123456789,
    "date": 1709301900,
    "status": 30,
    "status_changed_date": 1709301900,
    "program": {"id": 7978, "name": "Example Store UK"},
    "click_reference": "u42-post7",
    "value": {"amount": 899900, "currency_code": "GBP"},
    "commission": {"amount": 45000, "currency_code": "GBP"},
}


def offline(**credentials: str) -> Webgains:
    values = {**CREDENTIALS, **credentials}
    return Webgains(values, NetworkHttp(httpx.AsyncClient(), "webgains"))


def mapped(**changes: Any) -> Any:
    return offline().map_transaction({**ROW, **changes}, Scope("1193402"))


# ---- requests --------------------------------------------------------------------------
def test_a_window_is_unix_seconds_with_both_ends_in_and_the_site_filter() -> None:
    connector = offline()
    first, second = list(
        split_windows(date(2024, 3, 1), date(2024, 4, 15), "UTC", connector.max_window)
    )
    spec = connector.transactions_request(Scope("1193402"), first)
    assert spec.url == "https://platform-api.webgains.com/publishers/284517/reports/transactions"
    assert spec.params["filters[start_date]"] == int(datetime(2024, 3, 1, tzinfo=UTC).timestamp())
    after = connector.transactions_request(Scope("1193402"), second).params
    assert spec.params["filters[end_date]"] == after["filters[start_date]"] - 1
    assert spec.params["filters[campaign_ids][]"] == ["1193402"]
    assert (spec.params["sort"], spec.params["sort_order"]) == ("date", "ASC")
    assert (second.end - second.start).days <= 31


# ---- rows ------------------------------------------------------------------------------
def test_the_sheet_example_row() -> None:
    record = mapped()
    assert record.external_id == "123456789"
    assert (record.status, record.network_status) == ("pending", "30")
    assert record.event_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    assert record.sale_amount == Decimal("89.99")
    assert record.commission_amount == Decimal("4.5")
    assert record.currency == "GBP"
    assert (record.click_ref, record.sub_ids) == ("u42-post7", {"click_reference": "u42-post7"})
    assert (record.advertiser_id, record.advertiser_name) == ("7978", "Example Store UK")
    assert record.validated_at is None


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (10, "paid"),
        (20, "approved"),
        ("20", "approved"),
        (40, "pending"),
        (60, "pending"),
        (70, "declined"),
        (99, "pending"),
    ],
)
def test_status_codes(code: Any, status: str) -> None:
    record = mapped(status=code)
    assert (record.status, record.network_status) == (status, str(code))
    if status != "pending":
        assert record.validated_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("code", ["confirmed", 12.5, None, True])
def test_a_status_that_is_not_a_code_is_a_bad_payload(code: Any) -> None:
    with pytest.raises(BadPayload, match="status"):
        mapped(status=code)


def test_amounts_are_exact_ten_thousandths() -> None:
    record = mapped(commission={"amount": 1234567, "currency_code": "EUR"}, value={"amount": "5"})
    assert record.commission_amount == Decimal("123.4567")
    assert record.sale_amount == Decimal("0.0005")
    assert record.currency == "EUR"
    with pytest.raises(BadPayload, match=r"commission\.amount"):
        mapped(commission={"amount": 45.5, "currency_code": "GBP"})
    with pytest.raises(BadPayload, match=r"commission\.amount"):
        mapped(commission={"amount": "4.50", "currency_code": "GBP"})


def test_the_currency_falls_back_to_the_sale_value() -> None:
    record = mapped(commission={"amount": 45000}, click_reference=None)
    assert record.currency == "GBP"
    assert (record.click_ref, record.sub_ids) == (None, {})


def test_a_body_without_pagination_is_a_bad_payload() -> None:
    connector = offline()
    with pytest.raises(BadPayload, match="pagination"):
        connector.extract({"data": []})
    with pytest.raises(BadPayload, match="last_page"):
        type(connector).paginator.total_pages({"pagination": {"last_page": "many"}})  # type: ignore[misc]


# ---- against the sandbox ---------------------------------------------------------------
async def records_of(connector: Webgains, days: int = 40) -> list[Any]:
    return [r async for page in connector.transactions(*window(days)) for r in page]


async def test_each_site_reads_only_its_own_rows(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    second = Case.of("webgains", CONNECTIONS[1])
    start, end = window(40)
    ours = {r.external_id for r in await records_of(connector_for(runtime, WEBGAINS))}
    theirs = {r.external_id for r in await records_of(connector_for(runtime, second))}
    assert ours == {t.external_id for t in WEBGAINS.expected(start, end)}
    assert theirs == {t.external_id for t in second.expected(start, end)}
    assert ours
    assert theirs
    assert not ours & theirs


async def test_pages_shorter_than_asked_do_not_end_the_window(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    # Webgains serves at most 250 rows a page whatever `size` asks: only last_page ends it.
    connector = connector_for(runtime, WEBGAINS)
    connector.paginator = replace(Webgains.paginator, size=1000)  # type: ignore[misc]
    connector.max_window = timedelta(days=201)  # type: ignore[misc]  # one window
    start, end = window(200)
    got = await records_of(connector, 200)
    assert len(got) > 250
    calls = stats(sandbox["webgains"])["by_path"]
    assert sum(n for path, n in calls.items() if path.endswith("/transactions")) >= 2
    assert sorted(r.external_id for r in got) == sorted(
        t.external_id for t in WEBGAINS.expected(start, end)
    )


async def test_verify_names_the_site(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, WEBGAINS).verify()
    site = WEBGAINS.credentials["campaign_id"]
    assert verified.accounts[0].name == site_name(site)
    assert f"site {site} ({site_name(site)})" in verified.message


async def test_a_wrong_publisher_id_says_where_to_find_it(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, WEBGAINS, publisher_id="999").verify()
    assert "no publisher 999" in refused.value.message
    assert "Account information" in refused.value.message
    with pytest.raises(CredentialsRejected, match="no publisher 999"):
        await records_of(connector_for(runtime, WEBGAINS, publisher_id="999"), 5)


async def test_a_site_of_another_publisher_is_named_with_the_real_ones(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, WEBGAINS, campaign_id="42").verify()
    message = refused.value.message
    assert "Campaign ID 42" in message
    assert "Websites & apps" in message
    assert all(site in message for site in sites_of(WEBGAINS.credentials["publisher_id"]))


async def test_the_directory_with_this_sites_memberships(runtime, sandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Two programs a page: every page of both listings is read.
    small = replace(Webgains.programs_paginator, size=2)
    monkeypatch.setattr(Webgains, "programs_paginator", small)
    site = WEBGAINS.credentials["campaign_id"]
    programs = [p async for page in connector_for(runtime, WEBGAINS).programs() for p in page]
    assert len({p.external_id for p in programs}) == len(programs)
    joined = {p.external_id for p in programs if p.relationship == "joined"}
    members = memberships(WEBGAINS.credentials["publisher_id"], registry_spec(sandbox))
    assert joined == {str(m["program"]["id"]) for m in members if str(m["campaign"]["id"]) == site}
    assert {p.relationship for p in programs} == {"joined", "not_joined"}
    assert {p.account_id for p in programs} == {site}
    for program in programs:
        assert program.name
        assert program.domains
        assert program.deeplinks is not None
        assert (program.network_relationship is not None) == (program.relationship == "joined")


def test_a_program_with_and_without_a_membership() -> None:
    member = {"id": 5, "program": {"id": 7978}, "campaign": {"id": 1193402}, "status": 1}
    joined = offline().map_program({**DIRECTORY_ROW, "membership": member})
    assert (joined.external_id, joined.name) == ("7978", "Example Store UK")
    assert joined.domains == ("www.example-store.co.uk",)
    assert (joined.relationship, joined.network_relationship) == ("joined", "1")
    assert joined.account_id == "1193402"
    assert joined.deeplinks is True
    assert joined.terms == ()  # neither listing gives rates
    other = offline().map_program({**DIRECTORY_ROW, "allows_deeplinks": 0, "membership": None})
    assert (other.relationship, other.network_relationship, other.deeplinks) == (
        "not_joined",
        None,
        False,
    )


def test_the_documented_link() -> None:
    program = LinkProgram("p1", "7978", "1193402", relationship="joined", deeplinks=True)
    request = LinkRequest("https://www.example-store.co.uk/p?a=1&b=2", "nlrt42", program)
    assert Webgains.link(request) == (
        "https://track.webgains.com/click.html?wgcampaignid=1193402&wgprogramid=7978"
        "&clickref=nlrt42&wgtarget=https%3A%2F%2Fwww.example-store.co.uk%2Fp%3Fa%3D1%26b%3D2"
    )
    without = Webgains.link(LinkRequest("https://www.example-store.co.uk/", None, program))
    assert "clickref" not in without


@pytest.mark.parametrize(
    ("sub_id", "fine"),
    [("nlrt42", True), ("x" * 100, True), ("x" * 101, False), ("a b", False), ("a&b", False)],
)
def test_the_sub_id_rule(sub_id: str, fine: bool) -> None:
    assert Webgains.links is not None
    assert Webgains.links.sub_id.param == "clickref"
    assert (Webgains.links.sub_id.problem(sub_id) is None) is fine


def registry_spec(sandbox: dict[str, str]) -> DataSpec:
    return DataSpec.from_config(httpx.get(f"{sandbox['webgains']}/_sandbox/config").json())


# ---- without a personal token --------------------------------------------------------
@pytest.fixture
def operator_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NETLEDGER_WEBGAINS_CLIENT_ID", "7")
    monkeypatch.setenv("NETLEDGER_WEBGAINS_CLIENT_SECRET", "operator-client-secret")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def signed_in(username: str = "signin@example.com", **extra: str) -> Case:
    publisher = publisher_of(username)
    credentials = {
        **WEBGAINS.credentials,
        "username": username,
        "publisher_id": publisher,
        "campaign_id": sites_of(publisher)[0],
        **extra,
    }
    del credentials["api_token"]
    return Case("webgains", credentials, [credentials["campaign_id"]])


@pytest.mark.usefixtures("operator_client")
async def test_the_password_grant_serves_a_connection_without_a_token(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    case = signed_in()
    start, end = window(40)
    got = await records_of(connector_for(runtime, case))
    assert sorted(r.external_id for r in got) == sorted(
        t.external_id for t in case.expected(start, end)
    )
    await records_of(connector_for(runtime, case))  # a second worker: the cached token
    assert stats(sandbox["webgains"])["by_path"]["/oauth/token"] == 1
    httpx.post(f"{sandbox['webgains']}/_sandbox/expire_tokens").raise_for_status()
    assert len(await records_of(connector_for(runtime, case))) == len(got)
    assert stats(sandbox["webgains"])["by_path"]["/oauth/token"] == 2


@pytest.mark.usefixtures("operator_client")
async def test_a_wrong_password_is_refused_with_the_hint(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CredentialsRejected) as refused:
        await connector_for(runtime, signed_in(password="bad-password")).verify()
    assert "Webgains refused the credentials" in refused.value.message
    assert Webgains.credentials_hint in refused.value.message
    assert "bad-password" not in refused.value.message


async def test_neither_token_nor_operator_client_names_what_is_missing(
    runtime, sandbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("NETLEDGER_WEBGAINS_CLIENT_ID", raising=False)
    monkeypatch.setenv("NETLEDGER_WEBGAINS_CLIENT_SECRET", "only-the-secret")
    get_settings.cache_clear()
    try:
        with pytest.raises(NotConfigured) as missing:
            await records_of(connector_for(runtime, signed_in()), 5)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    message = missing.value.message
    for words in ("no API token", "api_token", "user settings"):
        assert words in message
    assert "(NETLEDGER_WEBGAINS_CLIENT_ID not set)" in message
    assert stats(sandbox["webgains"])["total"] == 0, "nothing is sent"
