"""A spent quota ends the run `rate_limited` with the time it can resume, instead of a job
sleeping for hours, and the scheduler waits until then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.runtime import Runtime
from app.workers.jobs import sync_due
from app.workers.tasks import JobContext
from tests.workers.support import drain
from tests.workers.test_sync_end_to_end import request_cj_sync


async def test_a_spent_daily_quota_ends_the_run_with_its_resume_time(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    # Two calls a day for CJ: the advertiser lookup and one commissions page fit, the next
    # page does not.
    quota = settings.model_copy(update={"network_rate_limits": {"cj": {"per_day": 2}}})
    headers = workspace["headers"]
    connection_id, run = await request_cj_sync(client, headers)
    began = datetime.now(UTC)
    await drain(quota)

    ended = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert ended["state"] == "rate_limited", ended
    assert ended["error"]["code"] == "rate_limited"
    assert "frees at" in ended["error"]["message"]
    resume_at = datetime.fromisoformat(ended["resume_at"])
    assert began + timedelta(hours=23) < resume_at <= began + timedelta(days=1, minutes=1)
    assert 0 < ended["units_done"] < ended["units_total"]
    connection = (await client.get(f"/v1/connections/{connection_id}", headers=headers)).json()
    assert connection["status"] == "active"  # nothing for the publisher to fix
    assert connection["last_error"]["code"] == "rate_limited"

    # Due again by the interval, but not before the quota frees.
    async with runtime.engine.begin() as db:
        await db.execute(
            text("update connection set last_sync_at = :at where id = :id"),
            {"at": datetime.now(UTC) - timedelta(days=2), "id": connection_id},
        )
    scheduler = Runtime.build(quota)
    try:
        context = JobContext(runtime=scheduler, job_id="cron", job_try=1)
        assert await sync_due(context) == 0
        async with runtime.engine.begin() as db:
            await db.execute(
                text("update sync_run set resume_at = :at where id = :id"),
                {"at": datetime.now(UTC) - timedelta(minutes=1), "id": run["id"]},
            )
        assert await sync_due(context) == 1
    finally:
        await scheduler.close()
