"""Uploaded report files."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

UploadState = Literal["queued", "processing", "succeeded", "failed"]


class UploadOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    filename: str
    size_bytes: int
    sha256: str
    state: UploadState
    rows_parsed: int = Field(description="Rows read so far (grows while processing).")
    report_counts: dict[str, int] = Field(
        description="Records per report in the file.", examples=[{"Fee-Earnings": 1200}]
    )
    inserted: int
    updated: int
    unchanged: int
    date_start: date | None = Field(description="First day found in the file.")
    date_end: date | None
    errors: list[dict[str, Any]] = Field(
        description="Problems naming file, sheet and row; a failed upload says why here."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
