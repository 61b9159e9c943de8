"""Ingesting an upload in a worker: a child process parses row by row (app.uploads.reader)
while this one feeds the same ingest path as API syncs, all in one database transaction so
a rejected file writes nothing; progress goes to the upload row in short transactions of
its own."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import tempfile
import uuid
import weakref
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from app.amazon.mapping import OrderedDay
from app.amazon.reports import ReportKind
from app.db import transaction
from app.ledger.clicks import DayClicks, replace_daily_clicks
from app.ledger.ingest import IngestCounts, Target, ingest_staged
from app.models import Connection, Upload, Workspace
from app.reporting.cache import bump
from app.runtime import Runtime
from app.uploads.reader import ReadRejected, UploadReader

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


# Parsing is CPU-bound and each parser process holds ~200 MB: a worker runs at most one per
# two cores at once (it may run up to `max_jobs` jobs); other uploads stay queued meanwhile.
PARSERS_PER_WORKER = max(1, (os.cpu_count() or 2) // 2)
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def parser_slots() -> asyncio.Semaphore:
    """This event loop's limit on uploads parsed at once."""
    loop = asyncio.get_running_loop()
    if loop not in _SLOTS:
        _SLOTS[loop] = asyncio.Semaphore(PARSERS_PER_WORKER)
    return _SLOTS[loop]


async def run_upload(runtime: Runtime, upload_id: uuid.UUID) -> str:
    async with parser_slots():
        return await _run_upload(runtime, upload_id)


async def _run_upload(runtime: Runtime, upload_id: uuid.UUID) -> str:
    started = await _start(runtime, upload_id)
    if started is None:
        return "skipped"
    upload, connection, target, path = started
    settings = connection.settings
    options = {
        "currency": settings["currency"],
        "marketplace": settings.get("marketplace", "US"),
        "store_id": settings["store_id"],
        "filename": upload.filename,
    }
    counts = IngestCounts()
    trends: dict[date, DayClicks] = {}
    ordered: dict[date, OrderedDay] = {}
    try:
        async with (
            UploadReader(path, options) as reader,
            transaction(runtime.sessions) as session,
        ):
            async for batch in reader:
                counts.add(await ingest_staged(session, target, batch.staged))
                for stat in batch.daily_stats:
                    day = trends.setdefault(stat.day, DayClicks(stat.day))
                    day.clicks += stat.clicks
                    day.ordered_items += stat.ordered_items
                for when, part in batch.ordered.items():
                    total = ordered.setdefault(when, OrderedDay(when))
                    total.items += part.items
                    total.amount += part.amount
                await _progress(runtime, upload_id, batch.rows_parsed)
            summary = reader.summary
            assert summary is not None
            has_orders = any(r.kind == ReportKind.ORDERS.value for r in summary.reports)
            days = _daily_statistics(trends, ordered, settings["currency"], has_orders)
            await replace_daily_clicks(session, target, days)
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
        log.info(
            "upload %s: %d rows, %d lines inserted; parser peak memory %.0f MB",
            upload_id,
            summary.rows_parsed,
            counts.inserted,
            reader.peak_rss_mb,
        )
    except ReadRejected as exc:
        await _fail(runtime, upload_id, [exc.body])
        return "failed"
    except Exception as exc:  # a bug: record it, keep the worker alive
        log.exception("upload %s crashed", upload_id)
        await _fail(runtime, upload_id, [{"detail": f"internal error: {type(exc).__name__}"}])
        return "failed"
    finally:
        path.unlink(missing_ok=True)
    await bump(runtime.redis, target.workspace_id)
    return "succeeded"
