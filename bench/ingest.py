"""Ingest throughput: normalised records through the ingest path, against raw COPY + upsert.

    python -m bench.ingest [--records 200000] [--batch 5000]

Both run on the same database in the same run. The ingest path does everything a sync
does per batch: program upserts, COPY to staging, insert-or-update-where-changed, change
history and rollup deltas. The baseline turns the same records into rows, COPYs them
into a staging table and upserts them into the same `transaction` table (same indexes and
foreign keys, another connection) with a plain INSERT ... ON CONFLICT DO UPDATE: the floor
that writing these rows at all costs. Each side is measured twice: a first load
(all inserts) and a reload with 10% of the rows changed (the common steady state).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from app.db import create_engine, driver_dsn, session_factory, transaction
from app.ledger.ingest import STAGING_COLUMNS, Target, ingest, staging_row
from app.ledger.records import TransactionRecord
from bench.common import Stopwatch, scratch_database

STATUSES = ("pending", "approved", "declined", "paid")
# One connection's shape: the brands it earns from and the days a sync re-reads.
ADVERTISERS = 150
DAYS = 120


def make_records(n: int, seed: int, changed_share: float = 0.0) -> list[TransactionRecord]:
    rng = random.Random(seed)
    change = random.Random(seed + 1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    records = []
    for i in range(n):
        status = STATUSES[rng.randrange(4)]
        commission = Decimal(rng.randrange(0, 50_000)) / 100
        if change.random() < changed_share:
            status, commission = "approved", commission + Decimal("1.00")
        advertiser = str(rng.randrange(ADVERTISERS))
        records.append(
            TransactionRecord(
                external_id=f"tx-{i}",
                status=status,
                network_status=status,
                event_at=start + timedelta(seconds=rng.randrange(DAYS * 86400)),
                commission_amount=commission,
                sale_amount=commission * 10,
                currency=("USD", "EUR", "GBP")[rng.randrange(3)],
                order_id=f"o-{i // 2}",
                click_ref=f"post-{rng.randrange(5000)}",
                sub_ids={"clickRef": f"post-{i % 5000}"},
                advertiser_id=advertiser,
                advertiser_name=f"Brand {advertiser}",
                country="GB",
                device="iPhone",
                raw={"id": i, "commissionAmount": {"amount": commission, "currency": "GBP"}},
            )
        )
    return records


BASELINE_UPSERT = """
INSERT INTO transaction AS t (workspace_id, connection_id, network, external_id,
    advertiser_external_id, advertiser_name, status, network_status, event_at, click_at,
    validated_at, source_timezone, order_id, click_ref, sub_ids, sale_amount,
    commission_amount, currency, country, device, product, raw, fingerprint)
SELECT $1, $2, 'bench', external_id, advertiser_external_id, advertiser_name, status,
    network_status, event_at, click_at, validated_at, source_timezone, order_id, click_ref,
    sub_ids::jsonb, sale_amount, commission_amount, currency, country, device, product,
    raw::jsonb, fingerprint FROM nl_staging
ON CONFLICT (connection_id, external_id) DO UPDATE SET status = EXCLUDED.status,
    network_status = EXCLUDED.network_status, sale_amount = EXCLUDED.sale_amount,
    commission_amount = EXCLUDED.commission_amount, raw = EXCLUDED.raw,
    fingerprint = EXCLUDED.fingerprint, updated_at = now()
"""
STAGING = """CREATE TEMP TABLE nl_staging (
    external_id text, advertiser_external_id text, advertiser_name text, status text,
    network_status text, event_at timestamptz, click_at timestamptz, validated_at timestamptz,
    source_timezone text, order_id text, click_ref text, sub_ids text, sale_amount numeric,
    commission_amount numeric, currency text, country text, device text, product text,
    raw text, fingerprint bytea) ON COMMIT DROP"""


async def raw_load(
    url: str, ids: tuple[uuid.UUID, uuid.UUID], records: list[TransactionRecord], batch: int
) -> None:
    connection = await asyncpg.connect(driver_dsn(url))
    try:
        for start in range(0, len(records), batch):
            rows = [staging_row(r) for r in records[start : start + batch]]
            async with connection.transaction():
                await connection.execute(STAGING)
                await connection.copy_records_to_table(
                    "nl_staging", records=rows, columns=STAGING_COLUMNS
                )
                await connection.execute(BASELINE_UPSERT, *ids)
    finally:
        await connection.close()


async def path_load(sessions, target: Target, records: list[TransactionRecord], batch: int) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(records), batch):
        async with transaction(sessions) as session:
            await ingest(session, target, records[start : start + batch])


async def main(n: int, batch: int) -> None:
    first, second = make_records(n, 7), make_records(n, 7, changed_share=0.10)
    async with scratch_database("ingest") as url:
        connection = await asyncpg.connect(driver_dsn(url))
        workspace = await connection.fetchval(
            "INSERT INTO workspace (name, currency) VALUES ('bench', 'USD') RETURNING id"
        )
        conn_ids = [
            await connection.fetchval(
                "INSERT INTO connection (workspace_id, network, nickname, credentials_sealed) "
                "VALUES ($1, 'bench', 'bench', '\\x00') RETURNING id",
                workspace,
            )
            for _ in range(2)
        ]
        await connection.close()

        engine = create_engine(url, pool_size=2)
        sessions = session_factory(engine)
        target = Target(workspace, conn_ids[0], "bench", "Europe/London")
        results = {}
        for label, records in (("first load", first), ("reload, 10% changed", second)):
            with Stopwatch() as raw:
                await raw_load(url, (workspace, conn_ids[1]), records, batch)
            with Stopwatch() as ours:
                await path_load(sessions, target, records, batch)
            results[label] = (n / ours.seconds, n / raw.seconds)
        await engine.dispose()

    print(f"ingest benchmark: {n} records, batches of {batch}")
    print(f"{'case':<22}{'ingest path rec/s':>20}{'raw COPY+upsert rec/s':>24}{'ratio':>8}")
    for label, (ours_rate, raw_rate) in results.items():
        print(f"{label:<22}{ours_rate:>20,.0f}{raw_rate:>24,.0f}{ours_rate / raw_rate:>8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    asyncio.run(main(args.records, args.batch))
