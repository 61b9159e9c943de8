"""The ledger: one row per network transaction, its change history and the report rollup."""

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
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, Currency, Money, UpdatedAt, UUIDPk

TRANSACTION_STATUSES = ("pending", "approved", "declined", "paid")
_STATUS_CHECK = "status IN ('pending', 'approved', 'declined', 'paid')"


class Transaction(Base):
    __tablename__ = "transaction"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status_known"),
        Index("uq_transaction_connection_external", "connection_id", "external_id", unique=True),
        Index("ix_transaction_workspace_event", "workspace_id", "event_at", "id"),
        Index("ix_transaction_workspace_updated", "workspace_id", "updated_at"),
        Index("ix_transaction_workspace_click_ref", "workspace_id", "click_ref"),
        Index("ix_transaction_program", "program_id"),
    )

    id: Mapped[UUIDPk]
    # Derived from the connection (which belongs to the workspace); no foreign key of its
    # own, to keep the hot insert path to one referential check.
    workspace_id: Mapped[uuid.UUID]
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    # Set by the ingest path from `program` in the same statement; programs go only with
    # their connection, so no foreign key is needed to keep it true.
    program_id: Mapped[uuid.UUID | None]
    advertiser_external_id: Mapped[str | None] = mapped_column(String(128))
    advertiser_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    network_status: Mapped[str] = mapped_column(String(64))
    event_at: Mapped[datetime]
    click_at: Mapped[datetime | None]
    validated_at: Mapped[datetime | None]
    # The IANA zone the network reported times in; times above are UTC.
    source_timezone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    order_id: Mapped[str | None] = mapped_column(String(200))
    click_ref: Mapped[str | None] = mapped_column(String(500))
    sub_ids: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    sale_amount: Mapped[Money | None]
    commission_amount: Mapped[Money]
    currency: Mapped[Currency]
    country: Mapped[str | None] = mapped_column(String(2))
    device: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(500))
    raw: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    # Digest of every normalised field: an upsert rewrites the row only when it differs.
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class TransactionChange(Base):
    __tablename__ = "transaction_change"
    # Every foreign key indexed, so deleting a workspace, a sync run or an upload finds its
    # history rows without scanning the table (the nullable ones only where set).
    __table_args__ = (
        Index("ix_transaction_change_transaction", "transaction_id", "changed_at"),
        Index("ix_transaction_change_workspace", "workspace_id"),
        Index(
            "ix_transaction_change_sync_run",
            "sync_run_id",
            postgresql_where=text("sync_run_id IS NOT NULL"),
        ),
        Index(
            "ix_transaction_change_upload",
            "upload_id",
            postgresql_where=text("upload_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transaction.id", ondelete="CASCADE")
    )
    sync_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sync_run.id", ondelete="SET NULL")
    )
    upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("upload.id", ondelete="SET NULL")
    )
    changed_at: Mapped[CreatedAt]
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    old_network_status: Mapped[str | None] = mapped_column(String(64))
    new_network_status: Mapped[str] = mapped_column(String(64))
    old_sale_amount: Mapped[Money | None]
    new_sale_amount: Mapped[Money | None]
    old_commission_amount: Mapped[Money | None]
    new_commission_amount: Mapped[Money]


class _Rollup:
    """What every rollup level has: the day (in the workspace's timezone), the connection,
    and the sums; each level adds its own keys. The ingest path keeps them all in step so
    reports never scan `transaction`."""

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Derived from the connection (which belongs to the workspace); no foreign key of its
    # own, to keep the hot insert path to one referential check.
    workspace_id: Mapped[uuid.UUID]
    day: Mapped[date] = mapped_column(Date)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    transactions: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    sale_amount: Mapped[Decimal] = mapped_column(server_default=text("0"))
    commission_amount: Mapped[Decimal] = mapped_column(server_default=text("0"))


def _rollup_indexes(table: str, *keys: str, nulls_not_distinct: bool = True) -> tuple[Index, ...]:
    unique = Index(
        f"uq_{table}_key",
        "workspace_id",
        "day",
        "connection_id",
        *keys,
        unique=True,
        postgresql_nulls_not_distinct=nulls_not_distinct or None,
    )
    return unique, Index(f"ix_{table}_connection", "connection_id")


class DailyConnectionRollup(_Rollup, Base):
    """The coarsest level: day x connection x currency x status. Reports by network,
    connection, day, week, month or status read this one."""

    __tablename__ = "daily_connection_rollup"
    __table_args__ = _rollup_indexes(
        "daily_connection_rollup", "currency", "status", nulls_not_distinct=False
    )

    currency: Mapped[Currency]
    status: Mapped[str] = mapped_column(String(16))


class DailyConnectionTotals(_Rollup, Base):
    """Day x connection x currency with the statuses as columns: the same sums as
    `daily_connection_rollup`, a quarter of the rows. Reports that neither group nor filter
    by status (network, connection, day, week, month) read this one."""

    __tablename__ = "daily_connection_totals"
    __table_args__ = _rollup_indexes(
        "daily_connection_totals", "currency", nulls_not_distinct=False
    )

    currency: Mapped[Currency]
    pending_transactions: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    approved_transactions: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    declined_transactions: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    paid_transactions: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    pending_commission: Mapped[Decimal] = mapped_column(server_default=text("0"))
    approved_commission: Mapped[Decimal] = mapped_column(server_default=text("0"))
    declined_commission: Mapped[Decimal] = mapped_column(server_default=text("0"))
    paid_commission: Mapped[Decimal] = mapped_column(server_default=text("0"))


class DailyRollup(_Rollup, Base):
    """Day x connection x program x currency x status: reports by program."""

    __tablename__ = "daily_rollup"
    __table_args__ = _rollup_indexes("daily_rollup", "program_id", "currency", "status")

    program_id: Mapped[uuid.UUID | None]
    currency: Mapped[Currency]
    status: Mapped[str] = mapped_column(String(16))


class DailyDetailRollup(_Rollup, Base):
    """With the finer keys reports may group by: the publisher's click ref (article), the
    shopper's country and device. The largest level, read only when asked for one of them."""

    __tablename__ = "daily_detail_rollup"
    __table_args__ = _rollup_indexes(
        "daily_detail_rollup",
        "program_id",
        "currency",
        "status",
        "click_ref",
        "country",
        "device",
    )

    program_id: Mapped[uuid.UUID | None]
    currency: Mapped[Currency]
    status: Mapped[str] = mapped_column(String(16))
    click_ref: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    device: Mapped[str | None] = mapped_column(String(64))


class DailyClicks(Base):
    """Click statistics a network reports per day (e.g. Amazon's daily trends)."""

    __tablename__ = "daily_clicks"
    __table_args__ = (
        Index(
            "uq_daily_clicks_key",
            "workspace_id",
            "day",
            "connection_id",
            "program_id",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        Index("ix_daily_clicks_connection", "connection_id"),
        Index("ix_daily_clicks_program", "program_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    program_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE")
    )
    clicks: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    ordered_items: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # What ordered items are worth before they ship (Amazon's orders report): not yet
    # commission, so never in the rollups; null when the network reported no orders.
    ordered_amount: Mapped[Money | None]
    currency: Mapped[Currency | None]
