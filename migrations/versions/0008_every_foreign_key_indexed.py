"""Every foreign key indexed: cascades and SET NULLs find their rows without a scan

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_transaction_change_workspace", "transaction_change", ["workspace_id"])
    op.create_index(
        "ix_transaction_change_sync_run",
        "transaction_change",
        ["sync_run_id"],
        postgresql_where=sa.text("sync_run_id IS NOT NULL"),
    )
    op.create_index(
        "ix_transaction_change_upload",
        "transaction_change",
        ["upload_id"],
        postgresql_where=sa.text("upload_id IS NOT NULL"),
    )
    op.create_index("ix_daily_clicks_connection", "daily_clicks", ["connection_id"])
    op.create_index("ix_daily_clicks_program", "daily_clicks", ["program_id"])


def downgrade() -> None:
    op.drop_index("ix_daily_clicks_program", table_name="daily_clicks")
    op.drop_index("ix_daily_clicks_connection", table_name="daily_clicks")
    op.drop_index("ix_transaction_change_upload", table_name="transaction_change")
    op.drop_index("ix_transaction_change_sync_run", table_name="transaction_change")
    op.drop_index("ix_transaction_change_workspace", table_name="transaction_change")
