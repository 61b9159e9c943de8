"""Connection totals with the statuses as columns: a quarter of the rows for reports that
neither group nor filter by status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("pending", "approved", "declined", "paid")


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name, sa.Numeric(precision=20, scale=6), server_default=sa.text("0"), nullable=False
    )


def _count(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "daily_connection_totals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _count("transactions"),
        _money("sale_amount"),
        _money("commission_amount"),
        *[_count(f"{s}_transactions") for s in STATUSES],
        *[_money(f"{s}_commission") for s in STATUSES],
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_daily_connection_totals_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_connection_totals")),
    )
    op.create_index(
        "ix_daily_connection_totals_connection",
        "daily_connection_totals",
        ["connection_id"],
        unique=False,
    )
    op.create_index(
        "uq_daily_connection_totals_key",
        "daily_connection_totals",
        ["workspace_id", "day", "connection_id", "currency"],
        unique=True,
    )
    pivot = ", ".join(
        f"coalesce(sum(transactions) FILTER (WHERE status = '{s}'), 0), "
        f"coalesce(sum(commission_amount) FILTER (WHERE status = '{s}'), 0)"
        for s in STATUSES
    )
    columns = ", ".join(f"{s}_transactions, {s}_commission" for s in STATUSES)
    op.execute(
        f"""
        INSERT INTO daily_connection_totals (workspace_id, day, connection_id, currency,
            transactions, sale_amount, commission_amount, {columns})
        SELECT workspace_id, day, connection_id, currency, sum(transactions), sum(sale_amount),
               sum(commission_amount), {pivot}
        FROM daily_connection_rollup GROUP BY workspace_id, day, connection_id, currency
        """
    )


def downgrade() -> None:
    op.drop_index("uq_daily_connection_totals_key", table_name="daily_connection_totals")
    op.drop_index("ix_daily_connection_totals_connection", table_name="daily_connection_totals")
    op.drop_table("daily_connection_totals")
