"""Connections: a publisher's account on one network."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.programs import ProgramSyncOut

ConnectionStatus = Literal["active", "paused", "auth_failed", "error"]

_CREDENTIALS_DESCRIPTION = (
    "The network's onboarding form (`GET /v1/networks/{slug}` lists its fields). Secret "
    "fields are write-only: they are encrypted at rest and never returned."
)


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "network": "awin",
                    "nickname": "Awin UK",
                    "credentials": {"api_token": "0f1e2d3c-...", "timezone": "Europe/London"},
                }
            ]
        },
    )

    network: str = Field(description="A catalog slug, e.g. `awin`.", examples=["awin"])
    nickname: str | None = Field(
        default=None,
        max_length=200,
        description="Defaults to the network's name. Useful with several accounts on one network.",
    )
    credentials: dict[str, Any] = Field(default_factory=dict, description=_CREDENTIALS_DESCRIPTION)


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"nickname": "Awin (old account)", "paused": True}]},
    )

    nickname: str | None = Field(default=None, max_length=200)
    paused: bool | None = Field(
        default=None, description="`true` pauses scheduled syncs; `false` resumes them."
    )
    credentials: dict[str, Any] | None = Field(
        default=None,
        description="Fields to replace; others keep their saved values. Send `null` for an "
        "optional field to clear it. Replacing credentials re-activates an `auth_failed` "
        "connection.",
    )


class SecretState(BaseModel):
    set: bool = Field(description="Whether a value is saved.")
    last4: str | None = Field(
        default=None,
        description="The last 4 characters, only for secrets long enough to spare them.",
    )


class LastError(BaseModel):
    code: str = Field(examples=["auth_failed"])
    message: str = Field(examples=["Awin refused the API token: create a new one under ..."])
    at: datetime | None = None


class ConnectionOut(BaseModel):
    id: uuid.UUID
    network: str = Field(examples=["awin"])
    nickname: str = Field(examples=["Awin"])
    status: ConnectionStatus
    settings: dict[str, str] = Field(
        description="The non-secret credential fields, as saved.",
        examples=[{"timezone": "Europe/London"}],
    )
    secrets: dict[str, SecretState] = Field(
        description="The secret credential fields: whether each is set, never its value.",
        examples=[{"api_token": {"set": True, "last4": "9f3a"}}],
    )
    notices: list[str] = Field(
        description=(
            "What this connection cannot see with the credentials it has, and why (e.g. a "
            "network API that keeps only recent lines); empty when nothing is limited."
        ),
        examples=[[]],
    )
    last_sync_at: datetime | None
    last_success_at: datetime | None
    last_error: LastError | None
    program_sync: ProgramSyncOut = Field(
        description="The connection's program listing: daily, or on demand."
    )
    created_at: datetime
    updated_at: datetime
