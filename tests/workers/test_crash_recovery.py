"""A worker process killed mid-sync: the run's lease lapses, the scheduler hands it to
another worker, and the run continues from its last checkpoint to exactly the right rows.
No Redis key is deleted by hand; arq's own in-progress mark for the dead job stays."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

from sqlalchemy import text

from app.runtime import Runtime
from app.syncs.lease import alive
from app.workers.tasks import TASKS
from tests.conftest import TEST_SECRET_KEYS
from tests.connectors.support import CASES, knobs
from tests.workers.support import drain, rollups_match_transactions, work_until
from tests.workers.test_sync_end_to_end import assert_exact, request_cj_sync

LEASE = 2


def worker_process(settings) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "NETLEDGER_SECRET_KEY": ",".join(TEST_SECRET_KEYS),
        "NETLEDGER_NETWORK_BASE_URLS": json.dumps(settings.network_base_urls),
        "NETLEDGER_NETWORK_RATE_LIMITS": json.dumps(settings.network_rate_limits),
        "NETLEDGER_SYNC_LEASE_SECONDS": str(settings.sync_lease_seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def run_state(runtime: Runtime, run_id: str) -> dict:
    async with runtime.engine.connect() as db:
        row = (
            await db.execute(
                text("select state, job_seq, units_done, units_total from sync_run where id = :id"),
                {"id": run_id},
            )
        ).one()
    return dict(row._mapping)


async def test_a_killed_worker_hands_its_run_on_from_the_last_checkpoint(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    short = settings.model_copy(update={"sync_lease_seconds": LEASE})
    headers = workspace["headers"]
    # Small, slow pages over four windows: the sync is killed after some units are done.
    knobs(sandbox["cj"], page_size=5, latency_ms=40)
    connection_id, run = await request_cj_sync(client, headers)

    worker = worker_process(short)
    try:
        for _ in range(600):
            if (await run_state(runtime, run["id"]))["units_done"] >= 1:
                break
            await asyncio.sleep(0.1)
        else:  # pragma: no cover
            raise AssertionError("the sync never finished a unit")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    killed = await run_state(runtime, run["id"])
    assert killed["state"] == "running"
    assert 1 <= killed["units_done"] < killed["units_total"]

    # The lease lapses by itself; the every-minute scheduler then carries the run on.
    for _ in range(100):
        if not await alive(runtime.redis, run["id"]):
            break
        await asyncio.sleep(0.1)
    assert not await alive(runtime.redis, run["id"])
    await asyncio.sleep(LEASE)  # the run must also have started longer ago than a lease
    scheduler = Runtime.build(short)
    try:
        assert await TASKS["sync_due"]({"runtime": scheduler}) == 1
    finally:
        await scheduler.close()
    knobs(sandbox["cj"], latency_ms=0)
    # The dead worker's job stays queued under arq's in-progress mark (it runs, and finds
    # its run finished, once the mark expires): run a worker until the run is done.

    async def finished() -> bool:
        return (await run_state(runtime, run["id"]))["state"] != "running"

    await work_until(short, finished)

    done = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert done["state"] == "succeeded", done
    assert (await run_state(runtime, run["id"]))["job_seq"] == 1
    total = await assert_exact(runtime, {connection_id: CASES["cj"]})
    # Counters restart from the last checkpoint and finished units are not read again, so
    # every line is counted exactly once (a re-read unit would count its lines twice).
    assert done["seen"] == total
    assert done["inserted"] + done["unchanged"] + done["updated"] == total
    await rollups_match_transactions(runtime)


async def test_a_long_run_continues_in_new_jobs_slice_by_slice(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    sliced = settings.model_copy(update={"sync_slice_seconds": 0})
    headers = workspace["headers"]
    connection_id, run = await request_cj_sync(client, headers)
    await drain(sliced)
    state = await run_state(runtime, run["id"])
    assert state["state"] == "succeeded"
    assert state["units_done"] == state["units_total"] >= 4
    # One job per unit: each slice ended after one unit and handed the rest on.
    assert state["job_seq"] == state["units_total"] - 1
    total = await assert_exact(runtime, {connection_id: CASES["cj"]})
    done = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert done["seen"] == total
