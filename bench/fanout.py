"""Fan-out: 18 sandbox connections synced at once, against the slowest one synced alone.

    python -m bench.fanout [--latency-ms 200] [--days 120]

Three networks (Awin, CJ, Rakuten), six accounts each, every sandbox response delayed by
`--latency-ms`; the sandbox runs in its own process (`netledger sandbox`), as remote
networks would. One real arq worker (in this process) runs the jobs; the API is called
over ASGI. First every connection of one workspace is synced alone, one after another
(the slowest of those is the floor no scheduler can beat); then `POST /v1/syncs` syncs an
identical second workspace's 18 connections at once. Both workspaces start empty, so
both sides insert the same rows. The ratio is all-at-once wall time / slowest alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.api.app import create_app
from app.runtime import Runtime
from app.settings import Settings
from app.workers.main import build_worker
from app.workspaces.service import create_workspace
from bench.common import scratch_database

ACCOUNTS = 6


def connections() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(ACCOUNTS):
        out.append(
            {
                "network": "awin",
                "credentials": {"api_token": f"bench-awin-{i}", "timezone": "Europe/London"},
            }
        )
        out.append(
            {
                "network": "cj",
                "credentials": {
                    "username": "bench",
                    "password": "bench-pw",
                    "personal_access_token": f"benchpat{i:02d}0123456789abcdef",
                    "company_id": str(5_000_000 + i),
                },
            }
        )
        out.append(
            {
                "network": "rakuten",
                "credentials": {
                    "username": f"bench-{i}",
                    "password": "bench-pw",
                    "sid": str(3_000_000 + i),
                    "client_id": "bench-app",
                    "client_secret": "bench-secret",
                },
            }
        )
    return out


@contextmanager
def sandbox_process(knobs: dict[str, Any]) -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        urls: dict[str, str] = json.loads(process.stdout.readline())
        for base_url in urls.values():
            httpx.post(f"{base_url}/_sandbox/config", json=knobs).raise_for_status()
        yield urls
    finally:
        process.terminate()
        process.wait(timeout=20)


async def wait_done(client: httpx.AsyncClient, run_ids: list[str]) -> list[dict[str, Any]]:
    while True:
        runs = [(await client.get(f"/v1/syncs/{i}")).json() for i in run_ids]
        if all(r["state"] in ("succeeded", "failed") for r in runs):
            failed = [r for r in runs if r["state"] == "failed"]
            if failed:
                raise SystemExit(f"sync failed: {failed[0]['error']}")
            return runs
        await asyncio.sleep(0.05)


async def workspace_client(runtime: Runtime, app: Any, name: str) -> httpx.AsyncClient:
    async with runtime.sessions() as session, session.begin():
        created = await create_workspace(session, name, "USD")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://bench",
        headers={"Authorization": f"Bearer {created.api_key}"},
        timeout=60,
    )


async def main(latency_ms: int, days: int) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    knobs = {"rate_limit_per_minute": 100_000, "latency_ms": latency_ms}
    window = {
        "start": (datetime.now(UTC).date() - timedelta(days=days)).isoformat(),
        "end": datetime.now(UTC).date().isoformat(),
    }
    with sandbox_process(knobs) as sandbox:
        async with scratch_database("fanout") as url:
            settings = Settings(
                DATABASE_URL=url,
                REDIS_URL=redis_url,
                NETLEDGER_SECRET_KEY="bench",
                NETLEDGER_NETWORK_BASE_URLS=json.dumps(dict(sandbox)),
                NETLEDGER_NETWORK_RATE_LIMITS=json.dumps({"awin": 100_000, "cj": 100_000}),
            )
            runtime = Runtime.build(settings)
            await runtime.redis.flushdb()
            app = create_app(settings, runtime=runtime)
            app.state.runtime = runtime
            worker = build_worker(settings, handle_signals=False, cron_jobs=[], poll_delay=0.02)
            worker_task = asyncio.create_task(worker.async_run())
            try:
                solo = await workspace_client(runtime, app, "alone")
                together = await workspace_client(runtime, app, "together")
                for client in (solo, together):
                    for body in connections():
                        (await client.post("/v1/connections", json=body)).raise_for_status()

                alone: list[tuple[float, str, int]] = []
                for connection in (await solo.get("/v1/connections?limit=100")).json()["data"]:
                    started = time.perf_counter()
                    run = (
                        await solo.post(f"/v1/connections/{connection['id']}/syncs", json=window)
                    ).json()
                    (done,) = await wait_done(solo, [run["id"]])
                    alone.append(
                        (time.perf_counter() - started, connection["network"], done["seen"])
                    )

                started = time.perf_counter()
                runs = (await together.post("/v1/syncs", json=window)).json()["data"]
                done_all = await wait_done(together, [r["id"] for r in runs])
                wall = time.perf_counter() - started
            finally:
                worker_task.cancel()
                await worker.close()
                await runtime.close()

    slowest, network, lines = max(alone)
    total_lines = sum(r["seen"] for r in done_all)
    print(f"fan-out benchmark: {len(runs)} connections, {latency_ms} ms latency, {days} days")
    print(f"  sum of syncs alone         {sum(t for t, _, _ in alone):8.2f} s")
    print(f"  slowest alone ({network:<7})    {slowest:8.2f} s  ({lines} lines)")
    print(f"  all {len(runs)} at once           {wall:8.2f} s  ({total_lines} lines)")
    print(f"  ratio all-at-once / slowest alone: {wall / slowest:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--days", type=int, default=120)
    args = parser.parse_args()
    asyncio.run(main(args.latency_ms, args.days))
