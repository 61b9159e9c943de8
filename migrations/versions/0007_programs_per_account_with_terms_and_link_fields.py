"""Programs per account with typed terms and link fields; brands; a program sync state

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELATIONSHIPS = "relationship IN ('joined', 'pending', 'declined', 'not_joined')"


def upgrade() -> None:
    op.add_column(
        "program",
        sa.Column("account_id", sa.String(128), server_default=sa.text("''"), nullable=False),
    )
    op.drop_index("uq_program_connection_external", table_name="program")
    op.create_index(
        "uq_program_connection_account_external",
        "program",
        ["connection_id", "account_id", "external_id"],
        unique=True,
    )
    op.alter_column("program", "relationship_status", new_column_name="network_relationship")
    op.alter_column("program", "network_relationship", type_=sa.String(64))
    op.add_column("program", sa.Column("relationship", sa.String(16), nullable=True))
    op.create_check_constraint("relationship_known", "program", RELATIONSHIPS)
    op.add_column(
        "program",
        sa.Column(
            "domains",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.execute("UPDATE program SET domains = ARRAY[domain] WHERE domain IS NOT NULL")
    op.drop_column("program", "domain")
    op.add_column("program", sa.Column("brand", sa.String(253), nullable=True))
    op.create_index("ix_program_workspace_brand", "program", ["workspace_id", "brand"])
    op.add_column(
        "program",
        sa.Column(
            "terms",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("program", sa.Column("deeplinks", sa.Boolean(), nullable=True))
    op.add_column("program", sa.Column("link_token", sa.Text(), nullable=True))
    op.add_column("program", sa.Column("tracking_url", sa.Text(), nullable=True))
    op.drop_column("program", "details")
    op.add_column("connection", sa.Column("programs_state", sa.String(16), nullable=True))
    op.add_column(
        "connection", sa.Column("programs_synced_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("connection", sa.Column("programs_error", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("connection", "programs_error")
    op.drop_column("connection", "programs_synced_at")
    op.drop_column("connection", "programs_state")
    op.add_column(
        "program",
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    for column in ("tracking_url", "link_token", "deeplinks", "terms"):
        op.drop_column("program", column)
    op.drop_index("ix_program_workspace_brand", table_name="program")
    op.drop_column("program", "brand")
    op.add_column("program", sa.Column("domain", sa.String(300), nullable=True))
    op.execute("UPDATE program SET domain = domains[1]")
    op.drop_column("program", "domains")
    op.drop_constraint("relationship_known", "program", type_="check")
    op.drop_column("program", "relationship")
    op.alter_column("program", "network_relationship", type_=sa.String(32))
    op.alter_column("program", "network_relationship", new_column_name="relationship_status")
    op.drop_index("uq_program_connection_account_external", table_name="program")
    # Rows of one advertiser on several accounts would collide: keep the oldest.
    op.execute(
        "DELETE FROM program p USING program q WHERE p.connection_id = q.connection_id "
        "AND p.external_id = q.external_id AND p.account_id > q.account_id"
    )
    op.create_index(
        "uq_program_connection_external", "program", ["connection_id", "external_id"], unique=True
    )
    op.drop_column("program", "account_id")
