"""A worker process killed mid-sync, and the job run again by another worker, ends with
exactly the right rows: every page commits its rows and counters together, and a rerun
re-reads the window."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

from arq.constants import in_progress_key_prefix
from sqlalchemy import text

from app.syncs.service import job_id
from tests.conftest import TEST_SECRET_KEYS
from tests.connectors.support import CASES, knobs
from tests.workers.support import drain, rollups_match_transactions
from tests.workers.test_sync_end_to_end import WINDOW, assert_exact, body


def worker_process(settings) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "NETLEDGER_SECRET_KEY": ",".join(TEST_SECRET_KEYS),
        "NETLEDGER_NETWORK_BASE_URLS": json.dumps(settings.network_base_urls),
        "NETLEDGER_NETWORK_RATE_LIMITS": json.dumps(settings.network_rate_limits),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def test_worker_killed_mid_sync_then_rerun(
    client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    # Small, slow pages: the sync takes long enough to be killed in the middle.
    knobs(sandbox["cj"], page_size=5, latency_ms=150)
    created = await client.post("/v1/connections", json=body(CASES["cj"], "CJ"), headers=headers)
    connection_id = created.json()["id"]
    run = (
        await client.post(f"/v1/connections/{connection_id}/syncs", json=WINDOW, headers=headers)
    ).json()

    worker = worker_process(settings)
    try:
        for _ in range(300):
            progress = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
            if progress["pages"] >= 3:
                break
            await asyncio.sleep(0.1)
        else:  # pragma: no cover
            raise AssertionError(f"the sync never got going: {progress}")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    killed = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert killed["state"] == "running"
    async with runtime.engine.connect() as db:
        partial = await db.scalar(text("select count(*) from transaction"))
    assert partial > 0

    # arq hands a job whose worker died to another worker once its in-progress mark
    # expires (the job timeout + 10 s); expire it now instead of waiting.
    await runtime.redis.delete(in_progress_key_prefix + job_id(run["connection_id"], run["id"]))
    knobs(sandbox["cj"], latency_ms=0)
    await drain(settings)

    done = (await client.get(f"/v1/syncs/{run['id']}", headers=headers)).json()
    assert done["state"] == "succeeded", done
    total = await assert_exact(runtime, {connection_id: CASES["cj"]})
    assert done["seen"] == total
    assert done["inserted"] + done["unchanged"] + done["updated"] == total
    await rollups_match_transactions(runtime)
