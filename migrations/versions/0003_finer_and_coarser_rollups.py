"""Finer and coarser rollups: by click ref, country and device; and by connection alone

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:01:00.708457
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_connection_rollup",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transactions", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "sale_amount",
            sa.Numeric(precision=20, scale=6),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "commission_amount",
            sa.Numeric(precision=20, scale=6),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_daily_connection_rollup_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_connection_rollup")),
    )
    op.create_index(
        "ix_daily_connection_rollup_connection",
        "daily_connection_rollup",
        ["connection_id"],
        unique=False,
    )
    op.create_index(
        "uq_daily_connection_rollup_key",
        "daily_connection_rollup",
        ["workspace_id", "day", "connection_id", "currency", "status"],
        unique=True,
    )
    op.create_table(
        "daily_detail_rollup",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("click_ref", sa.String(length=500), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("transactions", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "sale_amount",
            sa.Numeric(precision=20, scale=6),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "commission_amount",
            sa.Numeric(precision=20, scale=6),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_daily_detail_rollup_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_detail_rollup")),
    )
    op.create_index(
        "ix_daily_detail_rollup_connection", "daily_detail_rollup", ["connection_id"], unique=False
    )
    op.create_index(
        "uq_daily_detail_rollup_key",
        "daily_detail_rollup",
        [
            "workspace_id",
            "day",
            "connection_id",
            "program_id",
            "currency",
            "status",
            "click_ref",
            "country",
            "device",
        ],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    # Existing ledgers: fill the new rollups from the transactions already stored.
    for table, keys in (
        ("daily_connection_rollup", "currency, status"),
        ("daily_detail_rollup", "program_id, currency, status, click_ref, country, device"),
    ):
        selected = ", ".join(f"t.{k.strip()}" for k in keys.split(","))
        op.execute(
            f"""
            INSERT INTO {table} (workspace_id, day, connection_id, {keys},
                                 transactions, sale_amount, commission_amount)
            SELECT t.workspace_id, (t.event_at AT TIME ZONE w.timezone)::date, t.connection_id,
                   {selected}, count(*), sum(coalesce(t.sale_amount, 0)),
                   sum(t.commission_amount)
            FROM transaction t JOIN workspace w ON w.id = t.workspace_id
            GROUP BY t.workspace_id, 2, t.connection_id, {selected}
            """
        )


def downgrade() -> None:
    op.drop_index(
        "uq_daily_detail_rollup_key",
        table_name="daily_detail_rollup",
        postgresql_nulls_not_distinct=True,
    )
    op.drop_index("ix_daily_detail_rollup_connection", table_name="daily_detail_rollup")
    op.drop_table("daily_detail_rollup")
    op.drop_index("uq_daily_connection_rollup_key", table_name="daily_connection_rollup")
    op.drop_index("ix_daily_connection_rollup_connection", table_name="daily_connection_rollup")
    op.drop_table("daily_connection_rollup")
