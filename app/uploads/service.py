"""Receiving an upload: size-capped, hashed, structure-checked, stored in Postgres."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon.archive import UploadArchive
from app.errors import Conflict, PayloadTooLarge
from app.models import Connection, Upload

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Received:
    upload: Upload
    created: bool


def read_capped(file: BinaryIO, limit: int = MAX_UPLOAD_BYTES) -> tuple[bytes, str]:
    """The file's bytes and sha256, refusing it as soon as it passes `limit`."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    while chunk := file.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file is over the {limit // (1024 * 1024)} MB limit.")
        digest.update(chunk)
        chunks.append(chunk)
    return b"".join(chunks), digest.hexdigest()


async def receive_upload(
    session: AsyncSession, connection: Connection, filename: str, file: BinaryIO
) -> Received:
    """Store a new upload (queued), or find the same file already uploaded to this
    connection. Archives that are unsafe or not zips are refused before anything is
    written."""
    if connection.network != "amazon":
        raise Conflict(
            f"Connection {connection.id} is a {connection.network} connection: it syncs through "
            "the network's API. Only Amazon Associates connections take report uploads."
        )
    content, sha256 = read_capped(file)
    existing = await session.scalar(
        select(Upload).where(Upload.connection_id == connection.id, Upload.sha256 == sha256)
    )
    if existing is not None:
        if existing.state != "failed":
            return Received(existing, created=False)
        # The same file after a failure (say the connection's store id was fixed): try again.
        existing.state = "queued"
        existing.errors = []
        existing.rows_parsed = 0
        existing.started_at = existing.finished_at = None
        await session.flush()
        return Received(existing, created=True)
    with UploadArchive(content, name=filename):
        pass  # opening checks the archive: a zip, no encryption, nesting, bombs or bad names
    upload = Upload(
        id=uuid.uuid4(),
        workspace_id=connection.workspace_id,
        connection_id=connection.id,
        filename=filename[:300],
        size_bytes=len(content),
        sha256=sha256,
        content=content,
        state="queued",
    )
    session.add(upload)
    await session.flush()
    await session.refresh(upload)
    return Received(upload, created=True)
