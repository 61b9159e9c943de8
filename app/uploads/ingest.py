"""Ingesting an upload in a worker: parse row by row in a thread, feed the same ingest path
as API syncs, all in one database transaction so a rejected file writes nothing; progress
goes to the upload row in short transactions of its own."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from app.amazon.errors import UploadRejected
from app.amazon.mapping import OrderedDay
from app.amazon.parse import ParsedBatch, parse_upload
from app.amazon.reports import ReportKind
from app.db import transaction
from app.ledger.clicks import DayClicks, replace_daily_clicks
from app.ledger.ingest import IngestCounts, Target, ingest
from app.models import Connection, Upload, Workspace
from app.reporting.cache import bump
from app.runtime import Runtime

log = logging.getLogger("netledger.uploads")


def _now() -> datetime:
    return datetime.now(UTC)


async def _start(
    runtime: Runtime, upload_id: uuid.UUID
) -> tuple[Upload, Connection, Target, Path] | None:
    async with transaction(runtime.sessions) as session:
        upload = await session.get(Upload, upload_id, with_for_update=True)
        if upload is None or upload.state in ("succeeded", "failed"):
            return None
        connection = await session.get(Connection, upload.connection_id)
        workspace = await session.get(Workspace, upload.workspace_id)
        assert connection is not None
        assert workspace is not None
        upload.state = "processing"
        upload.started_at = upload.started_at or _now()
        upload.rows_parsed = 0
        content = (
            await session.execute(select(Upload.content).where(Upload.id == upload_id))
        ).scalar_one()
        with tempfile.NamedTemporaryFile(
            prefix="netledger-upload-", suffix=".zip", delete=False
        ) as handle:
            handle.write(content)
        del content
        target = Target(
            workspace_id=workspace.id,
            connection_id=connection.id,
            network="amazon",
            workspace_timezone=workspace.timezone,
            upload_id=upload.id,
        )
        return upload, connection, target, Path(handle.name)


async def _progress(runtime: Runtime, upload_id: uuid.UUID, rows: int) -> None:
    async with transaction(runtime.sessions) as session:
        await session.execute(update(Upload).where(Upload.id == upload_id).values(rows_parsed=rows))


async def _fail(runtime: Runtime, upload_id: uuid.UUID, errors: list[dict[str, Any]]) -> None:
    async with transaction(runtime.sessions) as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload_id)
            .values(state="failed", errors=errors, finished_at=_now())
        )


def _daily_statistics(
    trends: dict[date, DayClicks],
    ordered: dict[date, OrderedDay],
    currency: str,
    has_orders: bool,
) -> list[DayClicks]:
    """A day's clicks and ordered items from daily trends, and the value of its ordered
    items from the orders report (0 on a day it lists nothing, unknown without one); a day
    only the orders report covers counts its items."""
    days = {when: dataclasses.replace(day) for when, day in trends.items()}
    if has_orders:
        for day in days.values():
            day.ordered_amount, day.currency = Decimal(0), currency
    for when, part in ordered.items():
        entry = days.setdefault(when, DayClicks(when, ordered_items=part.items))
        entry.ordered_amount, entry.currency = part.amount, currency
    return [days[d] for d in sorted(days)]


async def run_upload(runtime: Runtime, upload_id: uuid.UUID) -> str:
    started = await _start(runtime, upload_id)
    if started is None:
        return "skipped"
    upload, connection, target, path = started
    settings = connection.settings
    parser = parse_upload(
        path,
        currency=settings["currency"],
        marketplace=settings.get("marketplace", "US"),
        store_id=settings["store_id"],
        filename=upload.filename,
    )
    counts = IngestCounts()
    trends: dict[date, DayClicks] = {}
    ordered: dict[date, OrderedDay] = {}
    batches: Iterator[ParsedBatch] = iter(parser)

    def read_ahead() -> asyncio.Future[ParsedBatch | None]:
        # The parser works on the next batch in a thread while Postgres merges this one.
        return asyncio.ensure_future(asyncio.to_thread(next, batches, None))

    upcoming: asyncio.Future[ParsedBatch | None] | None = None
    try:
        async with transaction(runtime.sessions) as session:
            upcoming = read_ahead()
            while (batch := await upcoming) is not None:
                upcoming = read_ahead()
                if batch.transactions:
                    counts.add(await ingest(session, target, batch.transactions))
                for stat in batch.daily_stats:
                    day = trends.setdefault(stat.day, DayClicks(stat.day))
                    day.clicks += stat.clicks
                    day.ordered_items += stat.ordered_items
                for when, part in batch.ordered.items():
                    total = ordered.setdefault(when, OrderedDay(when))
                    total.items += part.items
                    total.amount += part.amount
                await _progress(runtime, upload_id, batch.rows_parsed)
            has_orders = any(r.kind == ReportKind.ORDERS.value for r in parser.summary.reports)
            days = _daily_statistics(trends, ordered, settings["currency"], has_orders)
            await replace_daily_clicks(session, target, days)
            summary = parser.summary
            await session.execute(
                update(Upload)
                .where(Upload.id == upload_id)
                .values(
                    state="succeeded",
                    finished_at=_now(),
                    rows_parsed=summary.rows_parsed,
                    report_counts=summary.report_counts(),
                    inserted=counts.inserted,
                    updated=counts.updated,
                    unchanged=counts.unchanged,
                    date_start=summary.date_start,
                    date_end=summary.date_end,
                    errors=summary.as_dict()["errors"] + [{"warning": w} for w in summary.warnings],
                )
            )
    except UploadRejected as exc:
        await _fail(runtime, upload_id, [exc.body()])
        return "failed"
    except Exception as exc:  # a bug: record it, keep the worker alive
        log.exception("upload %s crashed", upload_id)
        await _fail(runtime, upload_id, [{"detail": f"internal error: {type(exc).__name__}"}])
        return "failed"
    finally:
        if upcoming is not None and not upcoming.done():
            # Let a read-ahead in flight finish before its file goes; its outcome is moot.
            with contextlib.suppress(Exception):
                await upcoming
        path.unlink(missing_ok=True)
    await bump(runtime.redis, target.workspace_id)
    return "succeeded"
