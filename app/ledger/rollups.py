"""Rebuilding a workspace's rollups from its transactions (when the zone its days are cut
in changes). The ingest path keeps them in step otherwise."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.ledger.ingest import ROLLUP_LEVELS, STATUS_PIVOT_COLUMNS, TOTALS_TABLE, status_pivot


async def rebuild_rollups(session: AsyncSession, workspace_id: uuid.UUID, timezone: str) -> None:
    await _rebuild_levels(session, workspace_id, timezone)
    await _rebuild_totals(session, workspace_id, timezone)


async def _rebuild_totals(session: AsyncSession, workspace_id: uuid.UUID, timezone: str) -> None:
    pivot = status_pivot("1", "commission_amount")
    await session.execute(
        text(f"DELETE FROM {TOTALS_TABLE} WHERE workspace_id = :w"), {"w": workspace_id}
    )
    await session.execute(
        text(
            f"""
            INSERT INTO {TOTALS_TABLE} (workspace_id, day, connection_id, currency,
                transactions, sale_amount, commission_amount, {STATUS_PIVOT_COLUMNS})
            SELECT workspace_id, (event_at AT TIME ZONE :tz)::date, connection_id, currency,
                   count(*), sum(coalesce(sale_amount, 0)), sum(commission_amount), {pivot}
            FROM transaction WHERE workspace_id = :w
            GROUP BY workspace_id, 2, connection_id, currency
            """
        ),
        {"w": workspace_id, "tz": timezone},
    )


async def _rebuild_levels(session: AsyncSession, workspace_id: uuid.UUID, timezone: str) -> None:
    for table, keys in ROLLUP_LEVELS.items():
        columns = ", ".join(keys)
        await session.execute(
            text(f"DELETE FROM {table} WHERE workspace_id = :w"), {"w": workspace_id}
        )
        await session.execute(
            text(
                f"""
                INSERT INTO {table} (workspace_id, day, connection_id, {columns},
                                     transactions, sale_amount, commission_amount)
                SELECT workspace_id, (event_at AT TIME ZONE :tz)::date, connection_id, {columns},
                       count(*), sum(coalesce(sale_amount, 0)), sum(commission_amount)
                FROM transaction WHERE workspace_id = :w
                GROUP BY workspace_id, 2, connection_id, {columns}
                """
            ),
            {"w": workspace_id, "tz": timezone},
        )
