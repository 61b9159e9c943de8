"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 08:33:00.795036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fx_rate",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("per_eur", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("source", sa.String(length=32), server_default=sa.text("'ecb'"), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency", name=op.f("pk_fx_rate")),
    )
    op.create_table(
        "workspace",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "timezone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_api_key_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_workspace_id"), "api_key", ["workspace_id"], unique=False)
    op.create_table(
        "connection",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("nickname", sa.String(length=200), nullable=False),
        sa.Column("credentials_sealed", sa.LargeBinary(), nullable=False),
        sa.Column(
            "secret_hints",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'active'"), nullable=False
        ),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_code", sa.String(length=64), nullable=True),
        sa.Column("last_error_message", sa.String(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'auth_failed', 'error')",
            name=op.f("ck_connection_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_connection_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
    )
    op.create_index(
        "ix_connection_workspace_created",
        "connection",
        ["workspace_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "program",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("domain", sa.String(length=300), nullable=True),
        sa.Column("relationship_status", sa.String(length=32), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_program_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_program_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
    )
    op.create_index("ix_program_workspace_name", "program", ["workspace_id", "name"], unique=False)
    op.create_index(
        "uq_program_connection_external", "program", ["connection_id", "external_id"], unique=True
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column(
            "state", sa.String(length=16), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("trigger", sa.String(length=16), server_default=sa.text("'api'"), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("pages", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("seen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("inserted", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.String(), nullable=True),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_sync_run_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_sync_run_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_sync_run_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    op.create_index(
        "ix_sync_run_connection_queued", "sync_run", ["connection_id", "queued_at"], unique=False
    )
    op.create_index(
        "ix_sync_run_workspace_queued",
        "sync_run",
        ["workspace_id", "queued_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_sync_run_active_connection",
        "sync_run",
        ["connection_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )
    op.create_table(
        "upload",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column(
            "state", sa.String(length=16), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("rows_parsed", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "report_counts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("inserted", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column(
            "errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'processing', 'succeeded', 'failed')",
            name=op.f("ck_upload_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_upload_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_upload_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload")),
    )
    op.create_index(
        "ix_upload_workspace_created", "upload", ["workspace_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "uq_upload_connection_sha256", "upload", ["connection_id", "sha256"], unique=True
    )
    op.create_table(
        "daily_clicks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("clicks", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("ordered_items", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_daily_clicks_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_daily_clicks_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_daily_clicks_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_clicks")),
    )
    op.create_index(
        "uq_daily_clicks_key",
        "daily_clicks",
        ["workspace_id", "day", "connection_id", "program_id"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_table(
        "daily_rollup",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
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
            name=op.f("fk_daily_rollup_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_daily_rollup_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_daily_rollup_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_rollup")),
    )
    op.create_index("ix_daily_rollup_connection", "daily_rollup", ["connection_id"], unique=False)
    op.create_index(
        "uq_daily_rollup_key",
        "daily_rollup",
        ["workspace_id", "day", "connection_id", "program_id", "currency", "status"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_table(
        "transaction",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("advertiser_external_id", sa.String(length=128), nullable=True),
        sa.Column("advertiser_name", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("network_status", sa.String(length=64), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("click_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "source_timezone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False
        ),
        sa.Column("order_id", sa.String(length=200), nullable=True),
        sa.Column("click_ref", sa.String(length=500), nullable=True),
        sa.Column(
            "sub_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("sale_amount", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("commission_amount", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("product", sa.String(length=500), nullable=True),
        sa.Column(
            "raw",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'paid')",
            name=op.f("ck_transaction_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_transaction_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_transaction_program_id_program"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_transaction_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction")),
    )
    op.create_index("ix_transaction_program", "transaction", ["program_id"], unique=False)
    op.create_index(
        "ix_transaction_workspace_click_ref",
        "transaction",
        ["workspace_id", "click_ref"],
        unique=False,
    )
    op.create_index(
        "ix_transaction_workspace_event",
        "transaction",
        ["workspace_id", "event_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_transaction_workspace_updated",
        "transaction",
        ["workspace_id", "updated_at"],
        unique=False,
    )
    op.create_index(
        "uq_transaction_connection_external",
        "transaction",
        ["connection_id", "external_id"],
        unique=True,
    )
    op.create_table(
        "transaction_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("transaction_id", sa.UUID(), nullable=False),
        sa.Column("sync_run_id", sa.UUID(), nullable=True),
        sa.Column("upload_id", sa.UUID(), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("old_network_status", sa.String(length=64), nullable=True),
        sa.Column("new_network_status", sa.String(length=64), nullable=False),
        sa.Column("old_sale_amount", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("new_sale_amount", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("old_commission_amount", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("new_commission_amount", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["sync_run_id"],
            ["sync_run.id"],
            name=op.f("fk_transaction_change_sync_run_id_sync_run"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transaction.id"],
            name=op.f("fk_transaction_change_transaction_id_transaction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["upload.id"],
            name=op.f("fk_transaction_change_upload_id_upload"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_transaction_change_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_change")),
    )
    op.create_index(
        "ix_transaction_change_transaction",
        "transaction_change",
        ["transaction_id", "changed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_transaction_change_transaction", table_name="transaction_change")
    op.drop_table("transaction_change")
    op.drop_index("uq_transaction_connection_external", table_name="transaction")
    op.drop_index("ix_transaction_workspace_updated", table_name="transaction")
    op.drop_index("ix_transaction_workspace_event", table_name="transaction")
    op.drop_index("ix_transaction_workspace_click_ref", table_name="transaction")
    op.drop_index("ix_transaction_program", table_name="transaction")
    op.drop_table("transaction")
    op.drop_index(
        "uq_daily_rollup_key", table_name="daily_rollup", postgresql_nulls_not_distinct=True
    )
    op.drop_index("ix_daily_rollup_connection", table_name="daily_rollup")
    op.drop_table("daily_rollup")
    op.drop_index(
        "uq_daily_clicks_key", table_name="daily_clicks", postgresql_nulls_not_distinct=True
    )
    op.drop_table("daily_clicks")
    op.drop_index("uq_upload_connection_sha256", table_name="upload")
    op.drop_index("ix_upload_workspace_created", table_name="upload")
    op.drop_table("upload")
    op.drop_index(
        "uq_sync_run_active_connection",
        table_name="sync_run",
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )
    op.drop_index("ix_sync_run_workspace_queued", table_name="sync_run")
    op.drop_index("ix_sync_run_connection_queued", table_name="sync_run")
    op.drop_table("sync_run")
    op.drop_index("uq_program_connection_external", table_name="program")
    op.drop_index("ix_program_workspace_name", table_name="program")
    op.drop_table("program")
    op.drop_index("ix_connection_workspace_created", table_name="connection")
    op.drop_table("connection")
    op.drop_index(op.f("ix_api_key_workspace_id"), table_name="api_key")
    op.drop_table("api_key")
    op.drop_table("workspace")
    op.drop_table("fx_rate")
