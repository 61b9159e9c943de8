"""The program sync as a job of its own: when a connection is made, daily, on demand; a
failure is kept on the connection and touches nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.workers.jobs import programs_due
from app.workers.tasks import JobContext
from tests.connectors.support import CASES
from tests.workers.support import drain


async def connection_state(client, headers, connection_id: str) -> dict:  # type: ignore[no-untyped-def]
    body = (await client.get(f"/v1/connections/{connection_id}", headers=headers)).json()
    return {"status": body["status"], **body["program_sync"]}


async def test_daily_and_failing_program_syncs(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    good = await client.post(
        "/v1/connections", json={"network": "cj", "credentials": CASES["cj"].credentials}, headers=h
    )
    bad_credentials = {**CASES["tune"].credentials, "api_key": "bad-key"}
    bad = await client.post(
        "/v1/connections", json={"network": "tune", "credentials": bad_credentials}, headers=h
    )
    good_id, bad_id = good.json()["id"], bad.json()["id"]
    await drain(settings)

    ok = await connection_state(client, h, good_id)
    assert ok["state"] == "succeeded"
    assert ok["error"] is None
    failed = await connection_state(client, h, bad_id)
    assert failed["state"] == "failed"
    assert failed["synced_at"] is None
    assert "refused" in failed["error"]
    # A failed program listing is not a failed connection: syncs go on as before.
    assert failed["status"] == "active"

    context = JobContext(runtime=runtime, job_id="cron", job_try=1)
    # Only the failed one is due: the other was listed less than a day ago.
    assert await programs_due(context) == 1
    async with runtime.engine.begin() as db:
        await db.execute(
            text("update connection set programs_synced_at = :t where id = :id"),
            {"t": datetime.now(UTC) - timedelta(days=2), "id": good_id},
        )
    assert await programs_due(context) == 2
    assert (await connection_state(client, h, good_id))["state"] == "queued"
    await drain(settings)
    again = await connection_state(client, h, good_id)
    assert again["state"] == "succeeded"
    assert again["synced_at"] > ok["synced_at"]


async def test_new_credentials_list_the_programs_again(
    client, workspace, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    bad_credentials = {**CASES["tune"].credentials, "api_key": "bad-key"}
    created = await client.post(
        "/v1/connections", json={"network": "tune", "credentials": bad_credentials}, headers=h
    )
    connection_id = created.json()["id"]
    await drain(settings)
    assert (await connection_state(client, h, connection_id))["state"] == "failed"
    fixed = await client.patch(
        f"/v1/connections/{connection_id}",
        json={"credentials": {"api_key": CASES["tune"].credentials["api_key"]}},
        headers=h,
    )
    assert fixed.json()["program_sync"]["state"] == "queued"
    await drain(settings)
    assert (await connection_state(client, h, connection_id))["state"] == "succeeded"
