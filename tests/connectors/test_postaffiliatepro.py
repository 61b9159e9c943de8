"""Post Affiliate Pro specifics: the login in the body and its session inside `D`, the
status table, naive dates in the installation's zone (DST), failures in 200 bodies, the
paging trap, campaigns, and a login answer that never reaches a log."""

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
from app.connectors.ratelimit import Budget
from app.sandbox.expected import expected_transactions
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
    by_word = {p.details["affstatus"]: p.relationship_status for p in programs}
    assert by_word == {"A": "joined", "P": "pending", "D": "declined", "": "not_joined"}
    assert all(p.name for p in programs)


async def test_verify_names_the_installation(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, PAP).verify()
    assert verified.ok
    assert verified.accounts == [Scope(USER, "demo.postaffiliatepro.com")]
    assert "demo.postaffiliatepro.com" in verified.message
