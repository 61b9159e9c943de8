"""Ordered amounts in daily statistics: what ordered items are worth before they ship

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("daily_clicks", sa.Column("ordered_amount", sa.Numeric(20, 6), nullable=True))
    op.add_column("daily_clicks", sa.Column("currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    op.drop_column("daily_clicks", "currency")
    op.drop_column("daily_clicks", "ordered_amount")
