"""Reading transactions: the filters the API offers, scoped to one workspace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import keyset
from app.models import Program, Transaction


@dataclass(frozen=True)
class TransactionFilter:
    start: date | None = None
    end: date | None = None
    network: str | None = None
    connection_id: uuid.UUID | None = None
    program_id: uuid.UUID | None = None
    status: str | None = None
    click_ref: str | None = None
    updated_since: datetime | None = None


def transactions_query(
    workspace_id: uuid.UUID,
    timezone: str,
    filters: TransactionFilter,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> Select[Transaction, Program]:
    """Newest first; `start`/`end` are event dates in the workspace's timezone."""
    zone = ZoneInfo(timezone)
    query = (
        select(Transaction, Program)
        .outerjoin(Program, Program.id == Transaction.program_id)
        .where(Transaction.workspace_id == workspace_id)
    )
    if filters.start:
        query = query.where(Transaction.event_at >= datetime.combine(filters.start, time.min, zone))
    if filters.end:
        end = datetime.combine(filters.end + timedelta(days=1), time.min, zone)
        query = query.where(Transaction.event_at < end)
    if filters.network:
        query = query.where(Transaction.network == filters.network)
    if filters.connection_id:
        query = query.where(Transaction.connection_id == filters.connection_id)
    if filters.program_id:
        query = query.where(Transaction.program_id == filters.program_id)
    if filters.status:
        query = query.where(Transaction.status == filters.status)
    if filters.click_ref:
        query = query.where(Transaction.click_ref == filters.click_ref)
    if filters.updated_since:
        query = query.where(Transaction.updated_at >= filters.updated_since)
    return keyset(query, Transaction.event_at, Transaction.id, after, descending=True)


async def list_transactions(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    timezone: str,
    filters: TransactionFilter,
    *,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
) -> list[tuple[Transaction, Program | None]]:
    """Up to `limit` lines of `transactions_query`, each with its program if known."""
    query = transactions_query(workspace_id, timezone, filters, after).limit(limit)
    return [(row[0], row[1]) for row in await session.execute(query)]
