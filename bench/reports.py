"""Report speed: the performance report from rollups under load, against the same report
computed from the raw transactions table, on one database in one run.

    python -m bench.reports [--transactions 10000000] [--seconds 20] [--concurrency 32]
                            [--accept-encoding gzip[,identity]]

Loads synthetic transactions with COPY (2 years, 18 networks, 2,000 programs, 6
currencies, one currency per program), builds the rollups from them with one aggregate
each (what the ingest path keeps in step; the tests check the two agree), then:
- serves the API (`netledger api`) in its own process and drives
  `GET /v1/reports/performance?group_by=network,day` over the last 90 days, converted to
  USD, from a separate load-generator process with `--concurrency` connections: p50/p95
  latency and requests per second. Requests send `Accept-Encoding: gzip`, as browsers and
  HTTP client libraries do (the API then sends the cached body gzip-compressed as
  stored); `--accept-encoding identity` measures clients that take only plain JSON, and
  `gzip,identity` measures both;
- times the same report computed from the raw table (same grouping, same conversion).
Set BENCH_DATABASE_URL to use another Postgres server than the local one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from app.catalog import CATALOG
from app.db import driver_dsn
from app.fx.seed import seed_database
from app.ledger.ingest import STATUS_PIVOT_COLUMNS, status_pivot
from app.workspaces.service import create_workspace
from bench.common import running_api, scratch_database

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "SEK")
PROGRAMS = 2000
STATUSES = ("pending", "approved", "declined", "paid")
DAYS = 730
TODAY = datetime.now(UTC).date()
COLUMNS = (
    "workspace_id",
    "connection_id",
    "network",
    "external_id",
    "program_id",
    "advertiser_external_id",
    "status",
    "network_status",
    "event_at",
    "source_timezone",
    "click_ref",
    "sale_amount",
    "commission_amount",
    "currency",
    "country",
    "device",
    "fingerprint",
)

RAW_REPORT = """
WITH fx AS ({rates})
SELECT c.network, (t.event_at AT TIME ZONE 'UTC')::date AS day, count(*) AS transactions,
       sum(t.sale_amount * fx.rate) AS sale, sum(t.commission_amount * fx.rate) AS commission,
       sum(t.commission_amount * fx.rate) FILTER (WHERE t.status = 'pending') AS pending,
       sum(t.commission_amount * fx.rate) FILTER (WHERE t.status = 'approved') AS approved,
       sum(t.commission_amount * fx.rate) FILTER (WHERE t.status = 'declined') AS declined,
       sum(t.commission_amount * fx.rate) FILTER (WHERE t.status = 'paid') AS paid
FROM transaction t
JOIN connection c ON c.id = t.connection_id
LEFT JOIN fx ON fx.day = (t.event_at AT TIME ZONE 'UTC')::date AND fx.currency = t.currency
WHERE t.workspace_id = $1 AND t.event_at >= $2 AND t.event_at < $3
GROUP BY 1, 2
"""

ROLLUP_FROM_RAW = """
INSERT INTO {table} (workspace_id, day, connection_id, {keys}, transactions, sale_amount,
                     commission_amount)
SELECT workspace_id, (event_at AT TIME ZONE 'UTC')::date, connection_id, {keys}, count(*),
       sum(coalesce(sale_amount, 0)), sum(commission_amount)
FROM transaction GROUP BY workspace_id, 2, connection_id, {keys}
"""

TOTALS_FROM_ROLLUP = f"""
INSERT INTO daily_connection_totals (workspace_id, day, connection_id, currency, transactions,
    sale_amount, commission_amount, {STATUS_PIVOT_COLUMNS})
SELECT workspace_id, day, connection_id, currency, sum(transactions), sum(sale_amount),
       sum(commission_amount), {status_pivot("transactions", "commission_amount")}
FROM daily_connection_rollup GROUP BY workspace_id, day, connection_id, currency
"""


async def load(url: str, n: int) -> tuple[str, str]:
    """The workspace and its API key, with `n` transactions loaded and rolled up."""
    from app.db import create_engine, session_factory, transaction

    engine = create_engine(url, pool_size=1)
    async with transaction(session_factory(engine)) as session:
        created = await create_workspace(session, "Bench Media", "USD", "UTC")
    await engine.dispose()
    workspace = created.workspace.id

    db = await asyncpg.connect(driver_dsn(url))
    networks = [n.slug for n in CATALOG][:18]
    connections = [
        await db.fetchval(
            "INSERT INTO connection (workspace_id, network, nickname, credentials_sealed) "
            "VALUES ($1, $2, $2, '\\x00') RETURNING id",
            workspace,
            slug,
        )
        for slug in networks
    ]
    rng = random.Random(42)
    programs = []  # (program id, external id, connection index, network, currency)
    for i in range(PROGRAMS):
        index = i % len(connections)
        program_id = await db.fetchval(
            "INSERT INTO program (workspace_id, connection_id, external_id, name) "
            "VALUES ($1, $2, $3, $4) RETURNING id",
            workspace,
            connections[index],
            str(i),
            f"Brand {i}",
        )
        programs.append((program_id, str(i), index, networks[index], rng.choice(CURRENCIES)))

    # Secondary indexes are built once after the load, as one would for a bulk import.
    index_defs = await db.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'transaction' "
        "AND indexname NOT IN ('pk_transaction', 'uq_transaction_connection_external')"
    )
    for row in index_defs:
        await db.execute(f'DROP INDEX "{row["indexname"]}"')

    start = datetime.combine(TODAY - timedelta(days=DAYS), datetime.min.time(), UTC)
    batch = 250_000
    loaded = 0
    started = time.perf_counter()
    while loaded < n:
        rows = []
        for i in range(loaded, min(n, loaded + batch)):
            program_id, external, index, network, currency = programs[rng.randrange(PROGRAMS)]
            commission = Decimal(rng.randrange(1, 20_000)) / 100
            status = STATUSES[rng.randrange(4)]
            rows.append(
                (
                    workspace,
                    connections[index],
                    network,
                    f"t{i}",
                    program_id,
                    external,
                    status,
                    status,
                    start + timedelta(seconds=rng.randrange(DAYS * 86400)),
                    "UTC",
                    f"post-{rng.randrange(50_000)}",
                    commission * 12,
                    commission,
                    currency,
                    "GB",
                    "iPhone",
                    b"\x00",
                )
            )
        await db.copy_records_to_table("transaction", records=rows, columns=COLUMNS)
        loaded += len(rows)
        rate = loaded / (time.perf_counter() - started)
        print(f"  loaded {loaded:,} transactions ({rate:,.0f}/s)", file=sys.stderr)
    for row in index_defs:
        await db.execute(row["indexdef"])
    for table, keys in (
        ("daily_connection_rollup", "currency, status"),
        ("daily_rollup", "program_id, currency, status"),
    ):
        await db.execute(ROLLUP_FROM_RAW.format(table=table, keys=keys))
    await db.execute(TOTALS_FROM_ROLLUP)
    # A steady state, as a live database is in: otherwise autovacuum's pass over the ten
    # million fresh rows competes with the measurements.
    await db.execute("VACUUM (ANALYZE)")
    await db.close()
    return str(workspace), created.api_key


def _load_worker(args: tuple[str, str, dict[str, str], int, float, str]) -> list[float]:
    base_url, key, params, connections, seconds, encoding = args

    async def run() -> list[float]:
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": encoding}
        async with httpx.AsyncClient(
            base_url=base_url, headers=headers, limits=limits, timeout=60
        ) as client:

            async def loop() -> None:
                while time.perf_counter() < deadline:
                    began = time.perf_counter()
                    response = await client.get("/v1/reports/performance", params=params)
                    response.raise_for_status()
                    latencies.append(time.perf_counter() - began)

            await asyncio.gather(*(loop() for _ in range(connections)))
        return latencies

    return asyncio.run(run())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def raw_report(url: str, workspace: str, start: date, end: date, runs: int) -> list[float]:
    from sqlalchemy.dialects import postgresql

    from app.fx.sql import daily_rates

    compiled = daily_rates(start, end, "USD").compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    sql = RAW_REPORT.format(rates=str(compiled))
    db = await asyncpg.connect(driver_dsn(url))
    times = []
    low = datetime.combine(start, datetime.min.time(), UTC)
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    for _ in range(runs):
        began = time.perf_counter()
        await db.fetch(sql, uuid.UUID(workspace), low, high)
        times.append(time.perf_counter() - began)
    await db.close()
    return times


def main(n: int, seconds: float, concurrency: int, encodings: list[str]) -> None:
    asyncio.run(_main(n, seconds, concurrency, encodings))


async def _main(n: int, seconds: float, concurrency: int, encodings: list[str]) -> None:
    async with scratch_database("reports") as url:
        await seed_database(url)
        workspace, key = await load(url, n)
        results = await asyncio.to_thread(
            serve_and_measure, url, key, seconds, concurrency, encodings
        )
        raw = await raw_report(url, workspace, *report_window(), runs=5)
    report(n, concurrency, seconds, results, raw)


def report_window() -> tuple[date, date]:
    return TODAY - timedelta(days=89), TODAY


def serve_and_measure(
    url: str, key: str, seconds: float, concurrency: int, encodings: list[str]
) -> dict[str, Any]:
    start, end = report_window()
    params = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "group_by": "network,day",
        "currency": "USD",
    }
    with running_api(url, "bench", workers=2) as base_url:
        # Reports nobody asked for yet: computed from the rollups (windows a day apart).
        uncached = [_uncached(base_url, key, params, shift) for shift in range(1, 11)]
        # What each Accept-Encoding gets on the wire (and that gzip is what is measured).
        sizes = {e: _wire_size(base_url, key, params, e) for e in ("gzip", "identity")}
        # The same report again and again: what a dashboard gets, from the cache.
        alone, loaded = {}, {}
        for encoding in encodings:
            alone[encoding] = _load_worker((base_url, key, params, 1, 5.0, encoding))
            loaded[encoding] = _load(base_url, key, params, concurrency, seconds, encoding)
        sample = httpx.get(
            f"{base_url}/v1/reports/performance",
            params=params,
            headers={"Authorization": f"Bearer {key}"},
        ).json()
    return {
        "uncached": uncached,
        "alone": alone,
        "loaded": loaded,
        "rows": len(sample["data"]),
        "sizes": sizes,
    }


def _load(
    base_url: str,
    key: str,
    params: dict[str, str],
    concurrency: int,
    seconds: float,
    encoding: str,
) -> dict[str, Any]:
    if shutil.which("wrk"):
        return _wrk(base_url, key, params, concurrency, seconds, encoding)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        work = (base_url, key, params, concurrency, seconds, encoding)
        latencies = pool.map(_load_worker, [work])[0]
    return {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "rps": len(latencies) / seconds,
        "tool": "python",
    }


def _wire_size(base_url: str, key: str, params: dict[str, str], encoding: str) -> int:
    """Bytes of body the API sends for `Accept-Encoding: encoding` (checking the coding)."""
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": encoding}
    with httpx.stream(
        "GET", f"{base_url}/v1/reports/performance", params=params, headers=headers, timeout=60
    ) as response:
        response.raise_for_status()
        sent = response.headers.get("content-encoding", "identity")
        if sent != encoding:
            raise SystemExit(f"asked for {encoding}, the API sent {sent}")
        return sum(len(chunk) for chunk in response.iter_raw())


def _uncached(base_url: str, key: str, params: dict[str, str], shift: int) -> float:
    moved = {
        **params,
        "start": (date.fromisoformat(params["start"]) - timedelta(days=shift)).isoformat(),
        "end": (date.fromisoformat(params["end"]) - timedelta(days=shift)).isoformat(),
    }
    began = time.perf_counter()
    httpx.get(
        f"{base_url}/v1/reports/performance",
        params=moved,
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ).raise_for_status()
    return time.perf_counter() - began


# wrk reports p50/p95 through its Lua `done` hook, as one JSON line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50": %f, "p95": %f, "requests": %d, "seconds": %f, "errors": %d}\\n',
    latency:percentile(50) / 1e6, latency:percentile(95) / 1e6, summary.requests,
    summary.duration / 1e6, e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def _wrk(
    base_url: str,
    key: str,
    params: dict[str, str],
    connections: int,
    seconds: float,
    encoding: str,
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    url = f"{base_url}/v1/reports/performance?" + urllib.parse.urlencode(params)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "-s", script.name]
    command += ["-H", f"Authorization: Bearer {key}", "-H", f"Accept-Encoding: {encoding}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    stats = json.loads(next(x for x in output.splitlines() if x.startswith("JSON "))[5:])
    if stats["errors"]:
        raise SystemExit(f"wrk saw {stats['errors']} errors:\n{output}")
    return {
        "p50": stats["p50"],
        "p95": stats["p95"],
        "rps": stats["requests"] / stats["seconds"],
        "tool": "wrk",
    }


def report(
    n: int, concurrency: int, seconds: float, results: dict[str, Any], raw: list[float]
) -> None:
    uncached, sizes = results["uncached"], results["sizes"]
    ms = 1000
    print(f"report benchmark: {n:,} transactions, 90 days by network and day in USD")
    print(f"  rows in the report: {results['rows']}")
    print(
        f"  body on the wire: {sizes['identity']:,} bytes of JSON, "
        f"{sizes['gzip']:,} bytes with Accept-Encoding: gzip"
    )
    print(
        f"  uncached, from rollups:  p50 {percentile(uncached, 0.5) * ms:7.1f} ms"
        f"   max {max(uncached) * ms:7.1f} ms"
    )
    for encoding, alone in results["alone"].items():
        loaded = results["loaded"][encoding]
        served = {
            "gzip": "the API sends the stored gzip bytes",
            "identity": "the API inflates the stored body per request",
        }[encoding]
        inflating = ", inflating" if encoding == "gzip" else ""
        tool = loaded["tool"] + (
            ", not inflating" if encoding == "gzip" and loaded["tool"] == "wrk" else inflating
        )
        print(f"  cached, Accept-Encoding: {encoding} ({served})")
        print(
            f"    one connection (httpx{inflating}):  p50 {percentile(alone, 0.5) * ms:7.1f} ms"
            f"   p95 {percentile(alone, 0.95) * ms:7.1f} ms"
        )
        print(
            f"    {concurrency} connections ({tool}): p50 {loaded['p50'] * ms:7.1f} ms"
            f"   p95 {loaded['p95'] * ms:7.1f} ms   {loaded['rps']:7.1f} req/s"
        )
    print(
        f"  from the raw table:      p50 {statistics.median(raw) * ms:7.1f} ms"
        f"   best {min(raw) * ms:7.1f} ms"
    )
    ratio = statistics.median(raw) / percentile(uncached, 0.5)
    print(f"  uncached rollup report against the raw table (p50): {ratio:.0f}x faster")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--accept-encoding",
        default="gzip",
        help="what the load sends as Accept-Encoding: gzip (default), identity, or both "
        "as gzip,identity (measured one after the other)",
    )
    args = parser.parse_args()
    encodings = [e.strip() for e in args.accept_encoding.split(",") if e.strip()]
    if not encodings or set(encodings) - {"gzip", "identity"}:
        parser.error("--accept-encoding takes gzip, identity or gzip,identity")
    main(args.transactions, args.seconds, args.concurrency, encodings)
