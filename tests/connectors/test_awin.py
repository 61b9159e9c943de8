"""Awin specifics: account fan-out, the requested timezone, programmes."""

import httpx
import pytest

from app.connectors.errors import CredentialsRejected
from app.sandbox.expected import expected_transactions
from tests.connectors.support import CASES, connector_for, stats, window

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
    assert programs
    assert all(p.external_id and p.name for p in programs)
    assert all(p.relationship_status == "joined" for p in programs)


async def test_a_foreign_publisher_is_refused(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, AWIN, publisher_id="123")
    with pytest.raises(CredentialsRejected, match="refused"):
        [r async for page in connector.transactions(*window(5)) for r in page]
    assert httpx.get(f"{sandbox['awin']}/_sandbox/stats").json()["by_status"].get("403") == 1
