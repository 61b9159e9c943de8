"""Tenants and their API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, Currency, UUIDPk


class Workspace(Base):
    __tablename__ = "workspace"

    id: Mapped[UUIDPk]
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[Currency]
    timezone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    created_at: Mapped[CreatedAt]


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[UUIDPk]
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # The public part of the key (`nl_<prefix>_...`), used to find the row; never secret.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # sha256 hex of the whole key; the key itself is shown once and never stored.
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
