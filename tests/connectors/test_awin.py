"""Awin specifics: account fan-out, the requested timezone, programmes."""

import httpx
import pytest

from app.connectors.awin import Awin
from app.connectors.errors import CredentialsRejected
from app.links.format import LinkProgram, LinkRequest
from app.sandbox.data import DataSpec, account
from app.sandbox.expected import expected_transactions
from tests.connectors.support import CASES, TODAY, connector_for, stats, window

AWIN = CASES["awin"]


async def test_a_token_fans_out_to_every_publisher_account(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, AWIN)
    assert [s.account_id for s in await connector.scopes()] == AWIN.accounts
    assert len(AWIN.accounts) == 2


async def test_a_pinned_publisher_is_the_only_one_read(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    pinned = AWIN.accounts[1]
    connector = connector_for(runtime, AWIN, publisher_id=pinned)
    start, end = window(40)
    records = [r async for page in connector.transactions(start, end) for r in page]
    assert records
    paths = {e["path"] for e in stats(sandbox["awin"])["requests"]}
    assert paths == {f"/publishers/{pinned}/transactions/"}


async def test_times_are_read_in_the_requested_zone(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, AWIN, timezone="US/Eastern")
    start, end = window(30)
    records = [r async for page in connector.transactions(start, end) for r in page]
    queries = [
        e["query"] for e in stats(sandbox["awin"])["requests"] if "transactions" in e["path"]
    ]
    assert {q["timezone"] for q in queries} == {"US/Eastern"}
    want = {
        t.external_id: t.event_at
        for account in AWIN.accounts
        for t in expected_transactions("awin", account, 0, start, end, timezone="US/Eastern")
    }
    assert {r.external_id: r.event_at for r in records} == want
    assert all(r.source_timezone == "US/Eastern" for r in records)


async def test_programmes_of_each_account(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, AWIN)
    programs = [p async for page in connector.programs() for p in page]
    ours = {"joined": "joined", "pending": "pending", "suspended": "declined"}
    want = {
        (pid, str(a.id)): ours[a.relationship]
        for pid in AWIN.accounts
        for a in account("awin", pid, DataSpec(TODAY)).advertisers
        if a.relationship in ours
    }
    assert {(p.account_id, p.external_id): p.relationship for p in programs} == want
    assert all(p.name and p.domains and p.tracking_url for p in programs)
    assert {p.network_relationship for p in programs} == {"joined", "pending", "suspended"}


def test_links_follow_the_documented_format() -> None:
    program = LinkProgram("p", "5432", "123456", domains=("www.shoes.example",))
    request = LinkRequest("https://www.shoes.example/sale?c=red&s=42", "post-17", program)
    assert Awin.link(request) == (
        "https://www.awin1.com/cread.php?awinmid=5432&awinaffid=123456&clickref=post-17"
        "&ued=https%3A%2F%2Fwww.shoes.example%2Fsale%3Fc%3Dred%26s%3D42"
    )
    plain = LinkRequest("https://www.shoes.example/", None, program)
    assert "clickref" not in Awin.link(plain)
    rule = Awin.links.sub_id  # type: ignore[union-attr]
    assert rule.problem("x" * 51)
    assert rule.problem("post 17")
    assert not rule.problem("post_17")


async def test_a_foreign_publisher_is_refused(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, AWIN, publisher_id="123")
    with pytest.raises(CredentialsRejected, match="refused"):
        [r async for page in connector.transactions(*window(5)) for r in page]
    assert httpx.get(f"{sandbox['awin']}/_sandbox/stats").json()["by_status"].get("403") == 1
