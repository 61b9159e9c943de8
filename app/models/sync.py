"""Sync runs, uploaded report files and exchange rates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.models.base import Base, CreatedAt, Currency, UUIDPk

# `rate_limited`: ended early because the network's quota is spent until `resume_at`.
RUN_STATES = ("queued", "running", "succeeded", "failed", "rate_limited")
UPLOAD_STATES = ("queued", "processing", "succeeded", "failed")
_STATE_CHECK = "state IN ('queued', 'running', 'succeeded', 'failed', 'rate_limited')"


class SyncRun(Base):
    __tablename__ = "sync_run"
    __table_args__ = (
        CheckConstraint(_STATE_CHECK, name="state_known"),
        Index("ix_sync_run_workspace_queued", "workspace_id", "queued_at", "id"),
        Index("ix_sync_run_connection_queued", "connection_id", "queued_at"),
        # One sync per connection at a time: a second request finds the active run.
        Index(
            "uq_sync_run_active_connection",
            "connection_id",
            unique=True,
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[UUIDPk]
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(16), server_default=text("'queued'"))
    trigger: Mapped[str] = mapped_column(String(16), server_default=text("'api'"))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    pages: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    seen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    inserted: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    updated: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None]
    queued_at: Mapped[CreatedAt]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Incremental runs read changes since this day (the last success) instead of the window.
    since: Mapped[date | None] = mapped_column(Date)
    # Finished units (account x window) and the counters as they stood after the last one:
    # a run that resumes skips those units and restores those counters.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    units_total: Mapped[int | None]
    units_done: Mapped[int] = mapped_column(server_default=text("0"))
    expected_end_at: Mapped[datetime | None]
    resume_at: Mapped[datetime | None]
    # Which job of the run is current: bumped when a run continues in a new job (after a
    # slice, or carried on by another worker after its own died); part of the job id.
    job_seq: Mapped[int] = mapped_column(server_default=text("0"))


class Upload(Base):
    __tablename__ = "upload"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'processing', 'succeeded', 'failed')", name="state_known"
        ),
        Index("ix_upload_workspace_created", "workspace_id", "created_at", "id"),
        Index("uq_upload_connection_sha256", "connection_id", "sha256", unique=True),
    )

    id: Mapped[UUIDPk]
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(300))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # The file itself, so any worker on any machine can process it; loaded only on demand.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    state: Mapped[str] = mapped_column(String(16), server_default=text("'queued'"))
    rows_parsed: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    report_counts: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    inserted: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    updated: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    errors: Mapped[list[Any]] = mapped_column(server_default=text("'[]'::jsonb"))
    created_at: Mapped[CreatedAt]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class FxRate(Base):
    """ECB daily reference rate: how many `currency` one euro buys on `day`."""

    __tablename__ = "fx_rate"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[Currency] = mapped_column(primary_key=True)
    per_eur: Mapped[Decimal] = mapped_column(Numeric(20, 10))
    source: Mapped[str] = mapped_column(String(32), server_default=text("'ecb'"))
