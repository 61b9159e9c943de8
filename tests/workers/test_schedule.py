"""The every-minute scheduler: due connections get a sync, and a run whose job went
missing from Redis is enqueued again instead of blocking its connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.workers.jobs import sync_due
from app.workers.tasks import JobContext
from tests.connectors.support import CASES
from tests.workers.support import drain
from tests.workers.test_sync_end_to_end import body


async def test_due_connections_are_synced(client, workspace, runtime, settings, sandbox) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    due = (
        await client.post("/v1/connections", json=body(CASES["cj"], "due"), headers=headers)
    ).json()
    fresh = (
        await client.post("/v1/connections", json=body(CASES["awin"], "fresh"), headers=headers)
    ).json()
    paused = (
        await client.post("/v1/connections", json=body(CASES["rakuten"], "off"), headers=headers)
    ).json()
    await client.patch(f"/v1/connections/{paused['id']}", json={"paused": True}, headers=headers)
    async with runtime.engine.begin() as db:
        await db.execute(
            text("update connection set last_sync_at = :at where id = :id"),
            {"at": datetime.now(UTC) - timedelta(minutes=5), "id": fresh["id"]},
        )

    queued = await sync_due(JobContext(runtime=runtime, job_id="cron", job_try=1))
    assert queued == 1
    await drain(settings)

    runs = (await client.get("/v1/syncs", headers=headers)).json()["data"]
    assert [(r["connection_id"], r["state"], r["trigger"]) for r in runs] == [
        (due["id"], "succeeded", "schedule")
    ]
    window = runs[0]["window_end"], runs[0]["window_start"]
    assert (datetime.fromisoformat(window[0]) - datetime.fromisoformat(window[1])).days == 90


async def test_a_run_whose_job_vanished_is_enqueued_again(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection = (
        await client.post("/v1/connections", json=body(CASES["cj"], "cj"), headers=headers)
    ).json()
    run = (await client.post(f"/v1/connections/{connection['id']}/syncs", headers=headers)).json()
    await runtime.redis.flushdb()  # the queue is lost
    async with runtime.engine.begin() as db:
        await db.execute(text("update sync_run set queued_at = now() - interval '10 minutes'"))
        await db.execute(text("update connection set last_sync_at = now()"))
    assert await sync_due(JobContext(runtime=runtime, job_id="cron", job_try=1)) == 1
    await drain(settings)
    done = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert done["state"] == "succeeded"
