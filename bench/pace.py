"""Pace: a first sync under a network's real, documented budget, against what that budget
allows at best.

    python -m bench.pace [--network sovrn] [--days 30]

Sovrn allows one call a minute per key and one day per call, so a first sync of N days
cannot take less than about N minutes. This syncs one sandbox connection for `--days`
through the API and a real arq worker, with the sandbox enforcing the network's own limit
and netledger keeping its documented budget (no overrides), and prints the wall time
against N calls x the budget's interval. The run also shows its progress and expected end
while it goes. Takes about `--days` minutes for Sovrn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import UTC, datetime, timedelta

import httpx

from app.api.app import create_app
from app.connectors.registry import connector_class
from app.runtime import Runtime
from app.sandbox import registry
from app.sandbox.server import running_sandbox
from app.settings import Settings
from app.workers.main import build_worker
from app.workspaces.service import create_workspace
from bench.common import scratch_database


async def main(network: str, days: int) -> None:
    cls = connector_class(network)
    if cls is None or not cls.budgets:
        raise SystemExit(f"{network} has no connector with a documented budget")
    interval = min(b.window / b.limit for b in cls.budgets)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
    today = datetime.now(UTC).date()
    window = {"start": (today - timedelta(days=days - 1)).isoformat(), "end": today.isoformat()}
    with running_sandbox([network]) as sandbox:
        async with scratch_database("pace") as url:
            settings = Settings(
                DATABASE_URL=url,
                REDIS_URL=redis_url,
                NETLEDGER_SECRET_KEY="bench",
                NETLEDGER_NETWORK_BASE_URLS=json.dumps(dict(sandbox)),
            )
            runtime = Runtime.build(settings)
            await runtime.redis.flushdb()
            app = create_app(settings, runtime=runtime)
            app.state.runtime = runtime
            worker = build_worker(settings, handle_signals=False, cron_jobs=[], poll_delay=0.2)
            worker_task = asyncio.create_task(worker.async_run())
            try:
                async with runtime.sessions() as session, session.begin():
                    created = await create_workspace(session, "pace", "USD")
                client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://bench",
                    headers={"Authorization": f"Bearer {created.api_key}"},
                    timeout=60,
                )
                first = registry.connections(network)[0]
                body = {"network": network, "credentials": first.credentials}
                connection = (await client.post("/v1/connections", json=body)).json()
                started = time.perf_counter()
                run = (
                    await client.post(f"/v1/connections/{connection['id']}/syncs", json=window)
                ).json()
                shown = -1
                while run["state"] in ("queued", "running"):
                    await asyncio.sleep(2)
                    run = (await client.get(f"/v1/syncs/{run['id']}")).json()
                    if run["units_done"] != shown:
                        shown = run["units_done"]
                        print(
                            f"  {time.perf_counter() - started:7.0f} s  {shown}/"
                            f"{run['units_total']} units, expected end {run['expected_end_at']}",
                            flush=True,
                        )
                wall = time.perf_counter() - started
                calls = httpx.get(f"{sandbox[network]}/_sandbox/stats").json()["total"]
            finally:
                worker_task.cancel()
                await worker.close()
                await runtime.close()
    if run["state"] != "succeeded":
        raise SystemExit(f"the run ended {run['state']}: {run['error']}")
    best = days * interval
    print(f"pace benchmark: {network}, {days} days, budget one call per {interval:g} s")
    print(f"  calls to the network        {calls}")
    print(f"  lines                       {run['seen']}")
    print(f"  first sync wall time        {wall:8.1f} s")
    print(f"  {days} calls x {interval:g} s             {best:8.1f} s")
    print(f"  ratio wall / budget floor:  {wall / best:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", default="sovrn")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.network, args.days))
