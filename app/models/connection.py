"""A publisher's account on one network, and the programs (brands) seen through it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, UpdatedAt, UUIDPk

CONNECTION_STATUSES = ("active", "paused", "auth_failed", "error")


class Connection(Base):
    __tablename__ = "connection"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'paused', 'auth_failed', 'error')", name="status_known"
        ),
        Index("ix_connection_workspace_created", "workspace_id", "created_at", "id"),
    )

    id: Mapped[UUIDPk]
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    nickname: Mapped[str] = mapped_column(String(200))
    # Secret form fields, sealed with AES-GCM (app/crypto); bound to this row's id.
    credentials_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # What may be shown of each secret: {"api_token": "a1b2"} or {"password": null}.
    secret_hints: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    # Non-secret form fields (currency, timezone, ids, usernames...), stored as given.
    settings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'active'"))
    last_sync_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_message: Mapped[str | None]
    last_error_at: Mapped[datetime | None]
    # The program sync (a job of its own, daily and on demand): state, last success, error.
    programs_state: Mapped[str | None] = mapped_column(String(16))
    programs_synced_at: Mapped[datetime | None]
    programs_error: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


PROGRAM_SYNC_STATES = ("queued", "running", "succeeded", "failed")


class Program(Base):
    __tablename__ = "program"
    __table_args__ = (
        Index(
            "uq_program_connection_account_external",
            "connection_id",
            "account_id",
            "external_id",
            unique=True,
        ),
        Index("ix_program_workspace_name", "workspace_id", "name"),
        Index("ix_program_workspace_brand", "workspace_id", "brand"),
        CheckConstraint(
            "relationship IN ('joined', 'pending', 'declined', 'not_joined')",
            name="relationship_known",
        ),
    )

    id: Mapped[UUIDPk]
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    # The publisher account or site the program was seen through ('' on networks with one
    # account per connection): the same advertiser on two Awin publisher ids is two rows.
    account_id: Mapped[str] = mapped_column(String(128), server_default=text("''"))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(300))
    domains: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    # The registrable domain of the first of `domains`: programs of one brand share it.
    brand: Mapped[str | None] = mapped_column(String(253))
    relationship: Mapped[str | None] = mapped_column(String(16))
    network_relationship: Mapped[str | None] = mapped_column(String(64))
    # [{"kind": "percent"|"flat", "value": "5.00", "currency": null, "category": null}]
    terms: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    deeplinks: Mapped[bool | None]
    link_token: Mapped[str | None] = mapped_column(Text)
    tracking_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
