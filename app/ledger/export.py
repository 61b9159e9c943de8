"""Streaming transactions as CSV: a server-side cursor, a few thousand rows at a time, so
a million lines take the memory of one batch."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.ledger.queries import TransactionFilter, transactions_query
from app.models import Program, Transaction

BATCH = 2000
COLUMNS = (
    "id",
    "connection_id",
    "network",
    "external_id",
    "status",
    "network_status",
    "event_at",
    "click_at",
    "validated_at",
    "order_id",
    "click_ref",
    "program_id",
    "program_external_id",
    "program_name",
    "sale_amount",
    "commission_amount",
    "currency",
    "country",
    "device",
    "created_at",
    "updated_at",
)


def _iso(value: Any) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _row(t: Transaction, p: Program | None) -> list[Any]:
    return [
        t.id,
        t.connection_id,
        t.network,
        t.external_id,
        t.status,
        t.network_status,
        _iso(t.event_at),
        _iso(t.click_at),
        _iso(t.validated_at),
        t.order_id,
        t.click_ref,
        t.program_id,
        t.advertiser_external_id,
        (p.name if p else None) or t.advertiser_name,
        t.sale_amount,
        t.commission_amount,
        t.currency,
        t.country,
        t.device,
        _iso(t.created_at),
        _iso(t.updated_at),
    ]


async def stream_csv(
    sessions: async_sessionmaker[AsyncSession], query: Select[Transaction, Program]
) -> AsyncIterator[str]:
    """CSV text in chunks of `BATCH` rows, read through a session of its own (the request's
    transaction has ended by the time the body is sent). The identity map holds objects
    weakly, so rows already written are freed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    async with sessions() as session:
        result = await session.stream(query.execution_options(yield_per=BATCH))
        async for partition in result.partitions(BATCH):
            for row in partition:
                writer.writerow(_row(row[0], row[1]))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def transactions_csv(
    sessions: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    timezone: str,
    filters: TransactionFilter,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> AsyncIterator[str]:
    """Every line `transactions_query` selects, as streamed CSV (see `stream_csv`)."""
    return stream_csv(sessions, transactions_query(workspace_id, timezone, filters, after))
