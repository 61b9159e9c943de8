"""The caller's workspace and its API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class WorkspaceOut(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Example Media"])
    currency: str = Field(description="Reporting currency (ISO 4217).", examples=["USD"])
    timezone: str = Field(description="IANA zone reports cut days in.", examples=["UTC"])
    created_at: datetime


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"currency": "EUR"}]})

    name: str | None = Field(default=None, max_length=200)
    currency: str | None = Field(default=None, description="ISO 4217, e.g. `EUR`.")
    timezone: str | None = Field(default=None, description="IANA zone, e.g. `Europe/Paris`.")


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's public part: `nl_<prefix>_...`.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["reporting dashboard"])


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The whole key. Shown once; store it now.")
