"""Fan-out: every network with a connector, two accounts each, synced at once, against
its floor.

    python -m bench.fanout [--latency-ms 200] [--days 120] [--networks awin,cj,...]
                           [--keep-budgets]

Every sandbox response is delayed by `--latency-ms`; the sandbox runs in its own process
(`netledger sandbox`), as remote networks would, so its CPU is not ours. One real arq
worker (in this process) runs the jobs; the API is called over ASGI. First every
connection of one workspace is synced alone, one after another; then `POST /v1/syncs`
syncs an identical second workspace's connections at once. Both workspaces start empty,
so both sides insert the same rows.

The floor no scheduler can beat is the larger of the slowest connection alone and the CPU
the all-at-once run costs (this process, which is the API and the worker, plus every
Postgres process) divided by the cores. The ratio is all-at-once wall time / floor.

By default every network's call budget is lifted on both sides, so the ratio measures
scheduling and CPU. With `--keep-budgets` the sandbox enforces each network's documented
limits and netledger keeps its own (Sovrn: one call a minute, so keep `--days` small).
Either way the benchmark counts, per network, the calls a network refused with 429 in the
all-at-once run: with budgets kept, any refusal is a budget netledger overspent.
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
from pathlib import Path
from typing import Any

import httpx

from app.api.app import create_app
from app.connectors.registry import connector_class
from app.runtime import Runtime
from app.sandbox import registry
from app.settings import Settings
from app.workers.main import build_worker
from app.workspaces.service import create_workspace
from bench.common import scratch_database

ACCOUNTS = 2


def connections(networks: list[str]) -> list[dict[str, Any]]:
    """The first two sandbox accounts of each network."""
    return [
        {"network": slug, "nickname": c.nickname, "credentials": c.credentials}
        for slug in networks
        for c in registry.connections(slug)[:ACCOUNTS]
    ]


def networks_with_connectors() -> list[str]:
    return [slug for slug in registry.slugs() if connector_class(slug) is not None]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (exited ones count nothing)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


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


def refusals(sandbox: dict[str, str]) -> dict[str, int]:
    """429 answers each sandbox network has given so far."""
    counts = {}
    for slug, base_url in sandbox.items():
        by_status = httpx.get(f"{base_url}/_sandbox/stats", timeout=10).json()["by_status"]
        counts[slug] = int(by_status.get("429", 0))
    return counts


def calls(sandbox: dict[str, str]) -> int:
    return sum(
        int(httpx.get(f"{u}/_sandbox/stats", timeout=10).json()["total"]) for u in sandbox.values()
    )


async def wait_done(client: httpx.AsyncClient, run_ids: list[str]) -> list[dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    while True:
        for run_id in [i for i in run_ids if i not in done]:
            run = (await client.get(f"/v1/syncs/{run_id}")).json()
            if run["state"] in ("succeeded", "failed", "rate_limited"):
                if run["state"] != "succeeded":
                    raise SystemExit(f"sync failed: {run['error']}")
                done[run_id] = run
        if len(done) == len(run_ids):
            return [done[i] for i in run_ids]
        await asyncio.sleep(0.05)


async def fresh_budgets(runtime: Runtime, sandbox: dict[str, str], knobs: dict[str, Any]) -> None:
    """Both workspaces use the same sandbox accounts: forget the calls the syncs alone made
    (and the tokens and sessions they hold), on our side and the sandbox's, so that the run
    at once starts as the first did."""
    for pattern in ("netledger:budget:*", "netledger:auth:*"):
        async for key in runtime.redis.scan_iter(match=pattern):
            await runtime.redis.delete(key)
    for base_url in sandbox.values():
        httpx.post(f"{base_url}/_sandbox/reset", timeout=10).raise_for_status()
        httpx.post(f"{base_url}/_sandbox/config", json=knobs, timeout=10).raise_for_status()


async def workspace_client(runtime: Runtime, app: Any, name: str) -> httpx.AsyncClient:
    async with runtime.sessions() as session, session.begin():
        created = await create_workspace(session, name, "USD")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://bench",
        headers={"Authorization": f"Bearer {created.api_key}"},
        timeout=60,
    )


async def main(latency_ms: int, days: int, networks: list[str], keep_budgets: bool) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    # Unless budgets are kept, the sandbox's own limits are lifted, and so are ours below:
    # this measures scheduling and CPU, not the documented budgets (Sovrn: one a minute).
    knobs: dict[str, Any] = {"latency_ms": latency_ms}
    lifted = {"NETLEDGER_NETWORK_RATE_LIMITS": json.dumps({n: 100_000 for n in networks})}
    if keep_budgets:
        lifted = {}
    else:
        knobs |= {"rate_limit_per_minute": 100_000, "rate_limits": {}}
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
                **lifted,
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
                    for body in connections(networks):
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

                await fresh_budgets(runtime, sandbox, knobs)
                refused_before, calls_before = refusals(sandbox), calls(sandbox)
                pg = postgres_pids()
                cpu_before = time.process_time() + cpu_seconds(pg)
                started = time.perf_counter()
                runs = (await together.post("/v1/syncs", json=window)).json()["data"]
                done_all = await wait_done(together, [r["id"] for r in runs])
                wall = time.perf_counter() - started
                every_pg = sorted(set(pg) | set(postgres_pids()))
                cpu = time.process_time() + cpu_seconds(every_pg) - cpu_before
                refused_after, calls_made = refusals(sandbox), calls(sandbox) - calls_before
            finally:
                worker_task.cancel()
                await worker.close()
                await runtime.close()

    slowest, network, lines = max(alone)
    total_lines = sum(r["seen"] for r in done_all)
    cores = os.cpu_count() or 1
    floor = max(slowest, cpu / cores)
    print(
        f"fan-out benchmark: {len(runs)} connections of {len(networks)} networks, "
        f"{latency_ms} ms latency, {days} days"
    )
    for seconds, slug, seen in sorted(alone, reverse=True):
        print(f"  alone  {slug:<18} {seconds:8.2f} s  ({seen} lines)")
    print(f"  sum of syncs alone           {sum(t for t, _, _ in alone):8.2f} s")
    print(f"  slowest alone ({network})  {slowest:8.2f} s  ({lines} lines)")
    print(f"  all {len(runs)} at once             {wall:8.2f} s  ({total_lines} lines)")
    print(f"  CPU of API+worker+Postgres   {cpu:8.2f} s  / {cores} cores = {cpu / cores:.2f} s")
    print(f"  floor (max of the two)       {floor:8.2f} s")
    refused = {n: refused_after[n] - refused_before[n] for n in refused_after}
    over = ", ".join(f"{n} {c}" for n, c in sorted(refused.items()) if c) or "none"
    budgets = "kept by netledger and the sandbox" if keep_budgets else "lifted"
    print(f"  budgets {budgets}; {calls_made} calls at once, refused with 429: {over}")
    print(f"  ratio all-at-once / floor: {wall / floor:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--networks", default="", help="comma-separated (default: all)")
    parser.add_argument("--keep-budgets", action="store_true", help="the networks' own limits")
    args = parser.parse_args()
    chosen = [n for n in args.networks.split(",") if n] or networks_with_connectors()
    asyncio.run(main(args.latency_ms, args.days, chosen, args.keep_budgets))
