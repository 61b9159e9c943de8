"""The one write path for transactions: idempotent bulk upsert, change history, rollups.

Per batch, inside the caller's database transaction:
1. programs the records reveal are upserted (name filled in when first learnt);
2. the records are COPYed into a temporary staging table;
3. one statement inserts new rows and updates only rows whose fingerprint changed,
   records a `transaction_change` for each status or amount change, and applies the
   exact +/- deltas to `daily_rollup` (days cut in the workspace's timezone).
Re-running any batch, or a crash halfway (the transaction rolls back), converges to the
same rows: nothing is doubled and nothing lost.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import jsonutil
from app.db import driver_connection
from app.ledger.records import TransactionRecord

STAGING_COLUMNS = (
    "external_id",
    "advertiser_external_id",
    "advertiser_name",
    "status",
    "network_status",
    "event_at",
    "click_at",
    "validated_at",
    "source_timezone",
    "order_id",
    "click_ref",
    "sub_ids",
    "sale_amount",
    "commission_amount",
    "currency",
    "country",
    "device",
    "product",
    "raw",
    "fingerprint",
    "account_id",
)

_CREATE_STAGING = """
CREATE TEMP TABLE nl_staging (
    external_id text NOT NULL, advertiser_external_id text, advertiser_name text,
    status text NOT NULL, network_status text NOT NULL, event_at timestamptz NOT NULL,
    click_at timestamptz, validated_at timestamptz, source_timezone text NOT NULL,
    order_id text, click_ref text, sub_ids text NOT NULL, sale_amount numeric,
    commission_amount numeric NOT NULL, currency text NOT NULL, country text, device text,
    product text, raw text NOT NULL, fingerprint bytea NOT NULL, account_id text NOT NULL
) ON COMMIT DROP
"""

_UPSERT_PROGRAMS = """
INSERT INTO program (workspace_id, connection_id, account_id, external_id, name)
SELECT $1, $2, acc, ext, nm FROM unnest($3::text[], $4::text[], $5::text[]) AS u(acc, ext, nm)
ON CONFLICT (connection_id, account_id, external_id)
DO UPDATE SET name = EXCLUDED.name, updated_at = now()
WHERE EXCLUDED.name IS NOT NULL AND program.name IS DISTINCT FROM EXCLUDED.name
"""

_MERGE_HEAD = """
WITH old AS (
    -- One index probe per staged line. As a plain join the planner may hash the whole
    -- connection's ledger instead: after a big first load in one transaction its row
    -- estimate for a connection is stale and tiny, and each batch then reads every line
    -- (quadratic over an upload). LIMIT keeps the subquery from being flattened into one.
    SELECT t.id, t.status, t.network_status, t.sale_amount, t.commission_amount, t.currency,
           t.event_at, t.program_id, t.click_ref, t.country, t.device
    FROM nl_staging s CROSS JOIN LATERAL (
        SELECT id, status, network_status, sale_amount, commission_amount, currency,
               event_at, program_id, click_ref, country, device
        FROM transaction WHERE connection_id = $2 AND external_id = s.external_id LIMIT 1
    ) t
), up AS (
    INSERT INTO transaction AS t (
        workspace_id, connection_id, network, external_id, program_id, advertiser_external_id,
        advertiser_name, status, network_status, event_at, click_at, validated_at,
        source_timezone, order_id, click_ref, sub_ids, sale_amount, commission_amount,
        currency, country, device, product, raw, fingerprint)
    SELECT $1, $2, $3, s.external_id, p.id, s.advertiser_external_id, s.advertiser_name,
           s.status, s.network_status, s.event_at, s.click_at, s.validated_at,
           s.source_timezone, s.order_id, s.click_ref, s.sub_ids::jsonb, s.sale_amount,
           s.commission_amount, s.currency, s.country, s.device, s.product, s.raw::jsonb,
           s.fingerprint
    FROM nl_staging s
    LEFT JOIN program p ON p.connection_id = $2 AND p.account_id = s.account_id
        AND p.external_id = s.advertiser_external_id
    ON CONFLICT (connection_id, external_id) DO UPDATE SET
        program_id = EXCLUDED.program_id,
        advertiser_external_id = EXCLUDED.advertiser_external_id,
        advertiser_name = EXCLUDED.advertiser_name,
        status = EXCLUDED.status, network_status = EXCLUDED.network_status,
        event_at = EXCLUDED.event_at, click_at = EXCLUDED.click_at,
        validated_at = EXCLUDED.validated_at, source_timezone = EXCLUDED.source_timezone,
        order_id = EXCLUDED.order_id, click_ref = EXCLUDED.click_ref,
        sub_ids = EXCLUDED.sub_ids, sale_amount = EXCLUDED.sale_amount,
        commission_amount = EXCLUDED.commission_amount, currency = EXCLUDED.currency,
        country = EXCLUDED.country, device = EXCLUDED.device, product = EXCLUDED.product,
        raw = EXCLUDED.raw, fingerprint = EXCLUDED.fingerprint, updated_at = now()
    WHERE t.fingerprint <> EXCLUDED.fingerprint
    RETURNING t.id, (t.xmax = 0) AS inserted, t.status, t.network_status, t.sale_amount,
              t.commission_amount, t.currency, t.event_at, t.program_id, t.click_ref,
              t.country, t.device
), changes AS (
    INSERT INTO transaction_change (
        workspace_id, transaction_id, sync_run_id, upload_id, old_status, new_status,
        old_network_status, new_network_status, old_sale_amount, new_sale_amount,
        old_commission_amount, new_commission_amount)
    SELECT $1, up.id, $5, $6, old.status, up.status, old.network_status, up.network_status,
           old.sale_amount, up.sale_amount, old.commission_amount, up.commission_amount
    FROM up JOIN old ON old.id = up.id
    WHERE old.status <> up.status OR old.network_status <> up.network_status
       OR old.sale_amount IS DISTINCT FROM up.sale_amount
       OR old.commission_amount <> up.commission_amount OR old.currency <> up.currency
    RETURNING 1
), deltas AS (
    SELECT (up.event_at AT TIME ZONE $4)::date AS day, up.program_id, up.currency, up.status,
           up.click_ref, up.country, up.device,
           1 AS n, coalesce(up.sale_amount, 0) AS sale, up.commission_amount AS commission
    FROM up
    UNION ALL
    SELECT (old.event_at AT TIME ZONE $4)::date, old.program_id, old.currency, old.status,
           old.click_ref, old.country, old.device,
           -1, -coalesce(old.sale_amount, 0), -old.commission_amount
    FROM old JOIN up ON up.id = old.id
)"""


# The rollup levels, coarsest first: each takes the same +/- deltas in the same statement.
# A report reads the coarsest level that has every key it groups or filters by.
ROLLUP_LEVELS: dict[str, tuple[str, ...]] = {
    "daily_connection_rollup": ("currency", "status"),
    "daily_rollup": ("program_id", "currency", "status"),
    "daily_detail_rollup": ("program_id", "currency", "status", "click_ref", "country", "device"),
}


def _rollup_cte(name: str, table: str, keys: tuple[str, ...], source: str) -> str:
    columns = ", ".join(keys)
    return f"""{name} AS (
    INSERT INTO {table} AS r (workspace_id, day, connection_id, {columns},
                              transactions, sale_amount, commission_amount)
    SELECT $1, day, $2, {columns}, sum(n), sum(sale), sum(commission)
    FROM {source} GROUP BY day, {columns}
    ON CONFLICT (workspace_id, day, connection_id, {columns}) DO UPDATE SET
        transactions = r.transactions + EXCLUDED.transactions,
        sale_amount = r.sale_amount + EXCLUDED.sale_amount,
        commission_amount = r.commission_amount + EXCLUDED.commission_amount
    RETURNING 1
)"""


# And one level with the statuses as columns (same sums as daily_connection_rollup, a
# quarter of the rows): what reports read when they neither group nor filter by status.
TOTALS_TABLE = "daily_connection_totals"
STATUS_COLUMNS = ("pending", "approved", "declined", "paid")
_TOTALS_SUMS = (
    "transactions",
    "sale_amount",
    "commission_amount",
    *(f"{s}_{kind}" for s in STATUS_COLUMNS for kind in ("transactions", "commission")),
)


STATUS_PIVOT_COLUMNS = ", ".join(_TOTALS_SUMS[3:])


def status_pivot(count: str, commission: str) -> str:
    """The select list for `STATUS_PIVOT_COLUMNS`: `count` and `commission` summed per
    status, 0 where a status has nothing (grouped rows with a `status` column)."""
    return ", ".join(
        f"coalesce(sum({count}) FILTER (WHERE status = '{s}'), 0), "
        f"coalesce(sum({commission}) FILTER (WHERE status = '{s}'), 0)"
        for s in STATUS_COLUMNS
    )


def _totals_cte(name: str, source: str) -> str:
    columns = ", ".join(_TOTALS_SUMS)
    pivot = status_pivot("n", "commission")
    updates = ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in _TOTALS_SUMS)
    return f"""{name} AS (
    INSERT INTO {TOTALS_TABLE} AS r (workspace_id, day, connection_id, currency, {columns})
    SELECT $1, day, $2, currency, sum(n), sum(sale), sum(commission), {pivot}
    FROM {source} GROUP BY day, currency
    ON CONFLICT (workspace_id, day, connection_id, currency) DO UPDATE SET {updates}
    RETURNING 1
)"""


def rollup_ctes(source: str) -> str:
    """`, rolled_0 AS (...), ...`: every rollup level fed from `source`, which has the
    columns day, program_id, currency, status, click_ref, country, device, n, sale,
    commission."""
    levels = [
        _rollup_cte(f"rolled_{i}", table, keys, source)
        for i, (table, keys) in enumerate(ROLLUP_LEVELS.items())
    ]
    levels.append(_totals_cte(f"rolled_{len(ROLLUP_LEVELS)}", source))
    return "".join(", " + level for level in levels)


_ROLLUP_COUNT = " + ".join(
    f"(SELECT count(*) FROM rolled_{i})" for i in range(len(ROLLUP_LEVELS) + 1)
)


_MERGE = (
    _MERGE_HEAD
    + rollup_ctes("deltas")
    + f"""
SELECT (SELECT count(*) FROM up WHERE inserted) AS inserted,
       (SELECT count(*) FROM up WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM changes) AS changes,
       {_ROLLUP_COUNT} AS rollups
"""
)

# Deleting lines a network withdrew: the rows go, and their amounts leave every rollup.
_DELETE = (
    """
WITH gone AS (
    DELETE FROM transaction WHERE connection_id = $2 AND external_id = ANY($4::text[])
    RETURNING event_at, program_id, currency, status, click_ref, country, device,
              sale_amount, commission_amount
), removed AS (
    SELECT (event_at AT TIME ZONE $3)::date AS day, program_id, currency, status, click_ref,
           country, device, -1 AS n, -coalesce(sale_amount, 0) AS sale,
           -commission_amount AS commission
    FROM gone
)"""
    + rollup_ctes("removed")
    + f"""
SELECT (SELECT count(*) FROM gone) AS deleted, {_ROLLUP_COUNT} AS rollups
"""
)


@dataclass
class IngestCounts:
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0

    def add(self, other: IngestCounts) -> None:
        self.seen += other.seen
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes += other.changes


@dataclass(frozen=True)
class Target:
    """Where a batch goes: the connection, its workspace and the workspace's timezone."""

    workspace_id: uuid.UUID
    connection_id: uuid.UUID
    network: str
    workspace_timezone: str = "UTC"
    sync_run_id: uuid.UUID | None = None
    upload_id: uuid.UUID | None = None


_encode_sub_ids = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def staging_row(record: TransactionRecord) -> tuple[Any, ...]:
    # sub-ids are plain strings: the stdlib encoder needs no Decimal handling for them.
    sub_ids = _encode_sub_ids(record.sub_ids)
    raw = jsonutil.dumps(record.raw)
    row = (
        record.external_id,
        record.advertiser_id,
        record.advertiser_name,
        record.status,
        record.network_status,
        record.event_at,
        record.click_at,
        record.validated_at,
        record.source_timezone,
        record.order_id,
        record.click_ref,
        sub_ids,
        record.sale_amount,
        record.commission_amount,
        record.currency,
        record.country,
        record.device,
        record.product,
        raw,
    )
    digest = hashlib.blake2b(repr(row).encode(), digest_size=16).digest()
    # The account only picks the program; it is not part of what the network says of the
    # line, so it stays out of the fingerprint.
    return (*row, digest, record.account_id or "")


@dataclass
class StagedBatch:
    """A batch ready for the database: one staging row per distinct external id (the last
    word on an id wins) and the programs it reveals. Plain data, so the CPU half of ingest
    can run in another process (see app.uploads.reader)."""

    rows: list[tuple[Any, ...]]
    programs: dict[tuple[str, str], str | None]  # (account id, advertiser id) -> name


def stage(records: Sequence[TransactionRecord]) -> StagedBatch:
    unique: dict[str, TransactionRecord] = {}
    for record in records:
        unique[record.external_id] = record
    programs: dict[tuple[str, str], str | None] = {}
    for record in unique.values():
        if not record.advertiser_id:
            continue
        key = (record.account_id or "", record.advertiser_id)
        if programs.get(key) is None:
            programs[key] = record.advertiser_name
    return StagedBatch([staging_row(r) for r in unique.values()], programs)


async def ingest(
    session: AsyncSession, target: Target, records: Sequence[TransactionRecord]
) -> IngestCounts:
    """Upsert one batch of a connection's records. Flushes, never commits."""
    return await ingest_staged(session, target, stage(records))


async def ingest_staged(session: AsyncSession, target: Target, staged: StagedBatch) -> IngestCounts:
    """Upsert a staged batch (see `stage`). Flushes, never commits."""
    rows, programs = staged.rows, staged.programs
    if not rows:
        return IngestCounts()
    driver = await driver_connection(session)
    if programs:
        await driver.execute(
            _UPSERT_PROGRAMS,
            target.workspace_id,
            target.connection_id,
            [account for account, _ in programs],
            [advertiser for _, advertiser in programs],
            list(programs.values()),
        )
    # The merge is one big statement over a few thousand rows: compiling it with JIT costs
    # about a fifth of its run time and gains nothing.
    await driver.execute(_CREATE_STAGING + "; SET LOCAL jit = off")
    await driver.copy_records_to_table("nl_staging", records=rows, columns=STAGING_COLUMNS)
    result = await driver.fetchrow(
        _MERGE,
        target.workspace_id,
        target.connection_id,
        target.network,
        target.workspace_timezone,
        target.sync_run_id,
        target.upload_id,
    )
    await driver.execute("DROP TABLE nl_staging")
    assert result is not None
    inserted, updated = int(result["inserted"]), int(result["updated"])
    return IngestCounts(
        seen=len(rows),
        inserted=inserted,
        updated=updated,
        unchanged=len(rows) - inserted - updated,
        changes=int(result["changes"]),
    )


async def delete_transactions(
    session: AsyncSession, target: Target, external_ids: Sequence[str]
) -> int:
    """Remove a connection's lines by the network's ids, keeping the rollups exact.
    Returns how many rows went. Flushes, never commits."""
    if not external_ids:
        return 0
    driver = await driver_connection(session)
    row = await driver.fetchrow(
        _DELETE,
        target.workspace_id,
        target.connection_id,
        target.workspace_timezone,
        list(external_ids),
    )
    assert row is not None
    return int(row["deleted"])
