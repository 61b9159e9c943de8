"""Resumable sync runs: checkpoints, progress and expected end, a rate-limited end state

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "state IN ('queued', 'running', 'succeeded', 'failed')"
NEW_STATES = "state IN ('queued', 'running', 'succeeded', 'failed', 'rate_limited')"


def upgrade() -> None:
    op.add_column("sync_run", sa.Column("since", sa.Date(), nullable=True))
    op.add_column(
        "sync_run",
        sa.Column(
            "checkpoint",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("sync_run", sa.Column("units_total", sa.BigInteger(), nullable=True))
    op.add_column(
        "sync_run",
        sa.Column("units_done", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "sync_run", sa.Column("expected_end_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("sync_run", sa.Column("resume_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "sync_run",
        sa.Column("job_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.drop_constraint(op.f("ck_sync_run_state_known"), "sync_run", type_="check")
    op.create_check_constraint(op.f("ck_sync_run_state_known"), "sync_run", NEW_STATES)


def downgrade() -> None:
    op.execute("UPDATE sync_run SET state = 'failed' WHERE state = 'rate_limited'")
    op.drop_constraint(op.f("ck_sync_run_state_known"), "sync_run", type_="check")
    op.create_check_constraint(op.f("ck_sync_run_state_known"), "sync_run", OLD_STATES)
    for column in (
        "job_seq",
        "resume_at",
        "expected_end_at",
        "units_done",
        "units_total",
        "checkpoint",
        "since",
    ):
        op.drop_column("sync_run", column)
