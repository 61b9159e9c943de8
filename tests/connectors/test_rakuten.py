"""Rakuten specifics: the token exchange, its cache in Redis and its renewal."""

import httpx
import pytest

from app.connectors.errors import CredentialsRejected
from tests.connectors.support import CASES, connector_for, stats, window

RAKUTEN = CASES["rakuten"]


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


async def test_approved_advertisers(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, RAKUTEN).programs() for p in page]
    assert programs
    assert all(p.name and p.relationship_status == "approved" for p in programs)


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
