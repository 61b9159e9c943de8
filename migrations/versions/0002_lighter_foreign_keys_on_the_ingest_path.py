"""lighter foreign keys on the ingest path

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:40:37.568161
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(
        op.f("fk_daily_rollup_program_id_program"), "daily_rollup", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_daily_rollup_workspace_id_workspace"), "daily_rollup", type_="foreignkey"
    )
    op.drop_constraint(op.f("fk_transaction_program_id_program"), "transaction", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_transaction_workspace_id_workspace"), "transaction", type_="foreignkey"
    )


def downgrade() -> None:
    op.create_foreign_key(
        op.f("fk_transaction_workspace_id_workspace"),
        "transaction",
        "workspace",
        ["workspace_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_transaction_program_id_program"),
        "transaction",
        "program",
        ["program_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_daily_rollup_workspace_id_workspace"),
        "daily_rollup",
        "workspace",
        ["workspace_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_daily_rollup_program_id_program"),
        "daily_rollup",
        "program",
        ["program_id"],
        ["id"],
        ondelete="CASCADE",
    )
