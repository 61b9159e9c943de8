"""The AvantLink sandbox over real HTTP: one `api.php` for every module, the report's
header-named CSV (and XML), Mountain-time windows with both ends in, dollar strings with
parentheses, reversal lines, errors as text at HTTP 200, daily quotas per module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.connectors.decoders import Xml, as_list
from app.sandbox.avantlink import CONNECTIONS, expected
from app.sandbox.avantlink_records import COLUMNS, website
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, TODAY, fresh_client

US, CA = CONNECTIONS
AFFILIATE = US.credentials["affiliate_id"]
KEY = US.credentials["api_key"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["avantlink"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["avantlink"]) as c:
        yield c


def report(client: httpx.Client, start: date, end: date, **extra: Any) -> httpx.Response:
    params = {
        "module": "AffiliateReport",
        "affiliate_id": AFFILIATE,
        "auth_key": KEY,
        "report_id": "8",
        "output": "csv",
        "date_begin": f"{start} 00:00:00",
        "date_end": f"{end} 23:59:59",
        **extra,
    }
    return client.get("/api.php", params=params)


def rows(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_report_is_header_named_csv_of_the_window(client: httpx.Client) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    response = report(client, start, end)
    assert response.status_code == 200
    assert response.text.splitlines()[0].split(",") == list(COLUMNS)
    got = rows(response)
    want = expected(AFFILIATE, 0, SPEC, start, end)
    assert [r["AvantLink Transaction Id"] for r in got] == [t.external_id for t in want]
    assert got == [t.record for t in want]
    assert len(got) > 10
    for r in got:
        assert r["Total Commission"].startswith(("$", "($"))
        month, day, year = r["Transaction Date"][:10].split("-")
        assert start <= date(int(year), int(month), int(day)) <= end


def test_reversals_and_adjustments_are_negative_lines() -> None:
    lines = [t for t in expected(AFFILIATE, 3, SPEC) if t.record["Transaction Type"] != "SALE"]
    kinds = {t.record["Transaction Type"] for t in lines}
    assert kinds & {"RETURN", "CANCELED", "CANCELLED", "FRAUD"}
    assert "ADJUSTMENT" in kinds
    assert all(t.commission_amount <= 0 for t in lines)
    assert any(t.record["Total Commission"].startswith("($") for t in lines)
    paid = [t for t in expected(AFFILIATE, 3, SPEC) if t.status == "paid"]
    assert paid
    assert all(t.record["Payment Id"] and t.network_status == "Approved" for t in paid)


def test_a_canadian_account_reports_canadian_dollars() -> None:
    account = CA.credentials["affiliate_id"]
    assert {t.currency for t in expected(account, 0, SPEC, currency="CAD")} == {"CAD"}


def test_xml_and_tab_outputs(client: httpx.Client) -> None:
    start, end = TODAY - timedelta(days=10), TODAY - timedelta(days=1)
    xml = report(client, start, end, output="xml")
    table = as_list(Xml().decode(xml.content)["Table1"])
    want = expected(AFFILIATE, 0, SPEC, start, end)
    assert [r["AvantLink_Transaction_Id"] for r in table] == [t.external_id for t in want]
    assert "Campaign_Product_Link" in table[0]
    tab = report(client, start, end, output="tab")
    assert tab.text.splitlines()[0].split("\t") == list(COLUMNS)


def test_website_and_merchant_filters(client: httpx.Client) -> None:
    start, end = TODAY - timedelta(days=60), TODAY - timedelta(days=1)
    site = str(website(AFFILIATE, 1)[0])
    got = rows(report(client, start, end, website_id=site))
    assert got
    assert {r["Website Id"] for r in got} == {site}
    other = report(client, start, end, website_id="1")
    assert other.status_code == 200
    assert other.text.startswith("Invalid website_id")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"auth_key": "bad-key"}, "Invalid auth_key"),
        ({"auth_key": ""}, "Invalid auth_key"),
        ({"affiliate_id": "abc"}, "affiliate_id"),
        ({"report_id": "99"}, "Invalid report_id"),
        ({"date_begin": "03/01/2026"}, "Invalid date_begin"),
        ({"module": "Nope"}, "Invalid module"),
    ],
)
def test_failures_are_text_at_200(client: httpx.Client, change: dict[str, str], words: str) -> None:
    response = report(client, TODAY - timedelta(days=2), TODAY, **change)
    assert response.status_code == 200
    assert words in response.text
    assert "," not in response.text.splitlines()[0]


def test_daily_quotas_are_per_module(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"rate_limits": {86400: 2}}).raise_for_status()
    day = TODAY - timedelta(days=1)
    assert [report(client, day, day).status_code for _ in range(2)] == [200, 200]
    spent = report(client, day, day)
    assert spent.status_code == 200
    assert "limit exceeded" in spent.text
    feed = client.get(
        "/api.php",
        params={"module": "AssociationFeed", "affiliate_id": AFFILIATE, "auth_key": KEY},
    )
    assert "Merchant Id" in feed.text.splitlines()[0]


def test_the_association_feed_by_status(client: httpx.Client) -> None:
    params = {"module": "AssociationFeed", "affiliate_id": AFFILIATE, "auth_key": KEY}
    everything = client.get("/api.php", params={**params, "output": "xml"})
    merchants = as_list(Xml().decode(everything.content)["Table1"])
    assert {m["Association_Status"] for m in merchants} >= {"active", "pending", "none"}
    active = client.get("/api.php", params={**params, "association_status": "active"})
    assert {r["Association Status"] for r in rows(active)} == {"active"}
