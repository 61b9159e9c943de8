"""End to end: connections created through the API, `POST /v1/syncs`, a real arq worker,
the sandbox networks over real HTTP, and exact rows in Postgres."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from app.connectors.registry import connector_class
from tests.connectors.support import CASES, TODAY, Case, bump_epoch, knobs
from tests.workers.support import drain, normal, rollups_match_transactions, rows_of

START = TODAY - timedelta(days=100)
WINDOW = {"start": START.isoformat(), "end": TODAY.isoformat()}


def body(case: Case, nickname: str, **overrides: str) -> dict:
    return {
        "network": case.network,
        "nickname": nickname,
        "credentials": {**case.credentials, **overrides},
    }


async def connect_all(client: httpx.AsyncClient, headers: dict) -> dict[str, Case]:
    """Every sandbox network, two accounts on Awin: connection id -> the case it reads."""
    second_awin = Case(
        "awin",
        {"api_token": "e2e-second-awin-token", "timezone": "US/Pacific"},
        [],
        {"timezone": "US/Pacific"},
    )
    from app.sandbox.awin import publisher_ids

    second_awin = Case(
        second_awin.network,
        second_awin.credentials,
        [str(p) for p in publisher_ids("e2e-second-awin-token")],
        second_awin.options,
    )
    # Every network with a sandbox, and a second Awin account.
    cases = {
        "Awin UK": CASES["awin"],
        "Awin US": second_awin,
        **{slug: case for slug, case in CASES.items() if slug != "awin"},
    }
    out = {}
    for nickname, case in cases.items():
        response = await client.post("/v1/connections", json=body(case, nickname), headers=headers)
        assert response.status_code == 201, response.text
        out[response.json()["id"]] = case
    return out


async def request_cj_sync(client: httpx.AsyncClient, headers: dict) -> tuple[str, dict]:
    """A CJ connection and a queued sync of WINDOW: (connection id, the run)."""
    created = await client.post("/v1/connections", json=body(CASES["cj"], "CJ"), headers=headers)
    connection_id = created.json()["id"]
    url = f"/v1/connections/{connection_id}/syncs"
    return connection_id, (await client.post(url, json=WINDOW, headers=headers)).json()


async def sync_all(client: httpx.AsyncClient, headers: dict, settings) -> list[dict]:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/syncs", json=WINDOW, headers=headers)
    assert response.status_code == 202, response.text
    runs = response.json()["data"]
    assert {r["state"] for r in runs} == {"queued"}
    await drain(settings)
    return [(await client.get(f"/v1/syncs/{r['id']}", headers=headers)).json() for r in runs]


async def assert_exact(runtime, connections: dict[str, Case], epoch: int = 0) -> int:  # type: ignore[no-untyped-def]
    total = 0
    for connection_id, case in connections.items():
        stored = await rows_of(runtime, connection_id)
        expected = case.expected(START, TODAY, epoch)
        assert set(stored) == {t.external_id for t in expected}, case.network
        for t in expected:
            status, commission, sale, currency, event_at = stored[t.external_id]
            assert (status, normal(commission), normal(sale), currency, event_at) == (
                t.status,
                normal(t.commission_amount),
                normal(t.sale_amount),
                t.currency,
                t.event_at,
            ), (case.network, t.external_id)
        total += len(expected)
    return total


async def test_sync_all_then_resync_then_changes(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connections = await connect_all(client, headers)

    runs = await sync_all(client, headers, settings)
    assert [r["state"] for r in runs] == ["succeeded"] * len(connections), runs
    total = await assert_exact(runtime, connections)
    assert sum(r["inserted"] for r in runs) == total
    assert all(r["seen"] == r["inserted"] and r["pages"] >= 1 for r in runs)
    await rollups_match_transactions(runtime)

    listed = (
        await client.get(f"/v1/connections/{next(iter(connections))}", headers=headers)
    ).json()
    assert listed["last_success_at"] is not None
    assert listed["status"] == "active"

    # The same sync again changes nothing.
    again = await sync_all(client, headers, settings)
    assert [r["state"] for r in again] == ["succeeded"] * len(connections)
    assert sum(r["inserted"] + r["updated"] for r in again) == 0
    assert sum(r["unchanged"] for r in again) == total

    # Upstream, some statuses and amounts change: rows follow, and the changes are kept.
    for base_url in sandbox.values():
        bump_epoch(base_url)
    changed = await sync_all(client, headers, settings)
    assert [r["state"] for r in changed] == ["succeeded"] * len(connections)
    await assert_exact(runtime, connections, epoch=1)
    assert sum(r["updated"] for r in changed) > 0
    async with runtime.engine.connect() as db:
        history = (
            await db.execute(
                text(
                    "select old_status, new_status, old_commission_amount, new_commission_amount "
                    "from transaction_change"
                )
            )
        ).all()
    assert len(history) == sum(r["updated"] for r in changed)
    assert any(old != new for old, new, *_ in history)
    await rollups_match_transactions(runtime)

    # What the API lists is what was stored.
    seen, cursor = 0, None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/transactions", params=params, headers=headers)).json()
        seen += len(page["data"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    async with runtime.engine.connect() as db:
        assert seen == await db.scalar(text("select count(*) from transaction"))


async def test_injected_429_and_5xx_still_give_exact_rows(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    for base_url in sandbox.values():
        knobs(base_url, fail_next=[503, 429, 502])
    connections = await connect_all(client, workspace["headers"])
    runs = await sync_all(client, workspace["headers"], settings)
    assert [r["state"] for r in runs] == ["succeeded"] * len(connections), runs
    await assert_exact(runtime, connections)
    for base_url in sandbox.values():
        statuses = httpx.get(f"{base_url}/_sandbox/stats").json()["by_status"]
        assert any(int(code) >= 429 for code in statuses)


async def test_bad_credentials_fail_only_their_connection(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    good = await connect_all(client, headers)
    bad = await client.post(
        "/v1/connections",
        json=body(CASES["cj"], "CJ (old token)", personal_access_token="bad-token-000000000000000"),
        headers=headers,
    )
    # A wrong secret on every other network too: each ends auth_failed, saying what to fix.
    wrong = {}
    for slug, case in CASES.items():
        if slug == "cj":
            continue
        secret = "bad" + "0" * 29
        created = await client.post(
            "/v1/connections",
            json=body(case, f"{slug} (wrong)", **{case.secret_key: secret}),
            headers=headers,
        )
        assert created.status_code == 201, created.text
        wrong[created.json()["id"]] = (slug, secret)
    runs = await sync_all(client, headers, settings)
    by_connection = {r["connection_id"]: r for r in runs}
    for connection_id, (slug, secret) in wrong.items():
        run = by_connection[connection_id]
        assert (run["state"], run["error"]["code"]) == ("failed", "auth_failed"), (slug, run)
        assert "refused the credentials" in run["error"]["message"], slug
        hint = connector_class(slug).credentials_hint  # type: ignore[union-attr]
        assert hint in run["error"]["message"], slug
        assert secret not in run["error"]["message"], slug
    failed = by_connection[bad.json()["id"]]
    assert failed["state"] == "failed"
    assert failed["error"]["code"] == "auth_failed"
    assert "CJ refused the credentials" in failed["error"]["message"]
    assert "personal access token" in failed["error"]["message"]
    assert "bad-token" not in failed["error"]["message"]
    connection = (await client.get(f"/v1/connections/{bad.json()['id']}", headers=headers)).json()
    assert connection["status"] == "auth_failed"
    assert connection["last_error"]["code"] == "auth_failed"
    assert all(by_connection[c]["state"] == "succeeded" for c in good)
    await assert_exact(runtime, good)

    # An auth_failed connection is left out of the next sync-all until it is fixed.
    again = (await client.post("/v1/syncs", json=WINDOW, headers=headers)).json()["data"]
    assert bad.json()["id"] not in {r["connection_id"] for r in again}
    refused = await client.post(f"/v1/connections/{bad.json()['id']}/syncs", headers=headers)
    assert refused.status_code == 409


async def test_one_sync_per_connection_at_a_time(client, workspace, settings, sandbox) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    created = await client.post("/v1/connections", json=body(CASES["cj"], "CJ"), headers=headers)
    url = f"/v1/connections/{created.json()['id']}/syncs"
    first = await client.post(url, json=WINDOW, headers=headers)
    second = await client.post(url, json=WINDOW, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    await drain(settings)
    listed = (await client.get("/v1/syncs", headers=headers)).json()["data"]
    assert [r["state"] for r in listed] == ["succeeded"]


async def test_verify_through_the_api(client, workspace, sandbox) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    good = await client.post("/v1/connections", json=body(CASES["awin"], "Awin"), headers=headers)
    result = (
        await client.post(f"/v1/connections/{good.json()['id']}/verify", headers=headers)
    ).json()
    assert result["ok"] is True
    assert [a["id"] for a in result["accounts"]] == CASES["awin"].accounts
    bad = await client.post(
        "/v1/connections",
        json=body(CASES["rakuten"], "Rakuten", password="bad-password"),
        headers=headers,
    )
    result = (
        await client.post(f"/v1/connections/{bad.json()['id']}/verify", headers=headers)
    ).json()
    assert result["ok"] is False
    assert result["code"] == "auth_failed"
    shown = (await client.get(f"/v1/connections/{bad.json()['id']}", headers=headers)).json()
    assert shown["status"] == "auth_failed"


@pytest.mark.parametrize(
    "bad_window", [{"start": "2026-02-01", "end": "2026-01-01"}, {"start": "soon"}]
)
async def test_bad_windows_are_422(client, workspace, bad_window) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/syncs", json=bad_window, headers=workspace["headers"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
