"""Sync runs and requests for them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RunState = Literal["queued", "running", "succeeded", "failed", "rate_limited"]


class SyncRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"start": "2026-08-01", "end": "2026-11-24"}]},
    )

    start: date | None = Field(
        default=None, description="First day to read. Default: last success minus the lookback."
    )
    end: date | None = Field(default=None, description="Last day to read. Default: today.")


class RunError(BaseModel):
    code: str = Field(examples=["auth_failed"])
    message: str


class SyncRunOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    state: RunState
    trigger: str = Field(description="`api` or `schedule`.")
    window_start: date
    window_end: date
    pages: int
    seen: int
    inserted: int
    updated: int
    unchanged: int
    error: RunError | None
    since: date | None = Field(
        description="Set when the run reads only what changed since this day (networks that "
        "can list changes, after a first full sync)."
    )
    units_total: int | None = Field(
        description="Accounts x windows the run reads (known once it has started)."
    )
    units_done: int = Field(description="Of those, finished and checkpointed.")
    expected_end_at: datetime | None = Field(
        description="When the run should end at its pace so far (networks that allow one "
        "call a minute take long)."
    )
    resume_at: datetime | None = Field(
        description="For `rate_limited` runs: when the network's quota frees again."
    )
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SyncRunList(BaseModel):
    data: list[SyncRunOut]


class VerifyAccount(BaseModel):
    id: str | None
    name: str | None


class VerifyResult(BaseModel):
    ok: bool = Field(description="Whether the network accepted the credentials.")
    code: str | None = Field(
        default=None, description="When not ok: `auth_failed`, `transient`, `rate_limited`..."
    )
    message: str
    accounts: list[VerifyAccount] = Field(
        default_factory=list, description="Accounts the credentials reach, where the network says."
    )
