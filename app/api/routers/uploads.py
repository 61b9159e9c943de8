"""Report files uploaded to connections of networks without an API (Amazon Associates)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, File, Query, Response, UploadFile

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.schemas.common import Page, problem_responses
from app.api.schemas.uploads import UploadOut
from app.connections.service import get_connection
from app.errors import FieldError, ValidationFailed
from app.models import Upload
from app.uploads import queries
from app.uploads.jobs import enqueue_upload
from app.uploads.service import receive_upload

router = APIRouter(prefix="/v1", tags=["uploads"])


def upload_out(upload: Upload) -> UploadOut:
    return UploadOut.model_validate(upload, from_attributes=True)


@router.post(
    "/connections/{connection_id}/uploads",
    operation_id="uploadReport",
    status_code=202,
    response_model=UploadOut,
    responses={
        200: {"model": UploadOut, "description": "This file was uploaded before: that upload"},
        **problem_responses(401, 404, 409, 413, 422),
    },
)
async def upload_report(
    connection_id: uuid.UUID,
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    response: Response,
    file: UploadFile = File(
        description="The .zip from Associates Central > Reports > Download Reports (50 MB at most)."
    ),
) -> UploadOut:
    """Upload an Amazon Associates report download; it is processed in the background.
    The same file twice is recognised by its sha256 and counted once (200 with the earlier
    upload); the same file after a failed upload is processed again."""
    connection = await get_connection(session, workspace.id, connection_id)
    name = file.filename or "upload.zip"
    if "\x00" in name:
        raise ValidationFailed([FieldError("file", "its name must not contain the NUL character")])
    received = await receive_upload(session, connection, name, file.file)
    if received.created:
        after_commit(session, lambda: enqueue_upload(runtime.redis, received.upload.id))
    else:
        response.status_code = 200
    return upload_out(received.upload)


@router.get(
    "/uploads",
    operation_id="listUploads",
    response_model=Page[UploadOut],
    responses=problem_responses(401, 422),
)
async def list_uploads(
    session: Session,
    workspace: CurrentWorkspace,
    connection_id: uuid.UUID | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[UploadOut]:
    """Uploads, newest first."""
    after = None
    if cursor:
        created_at, last_id = decode_cursor(cursor, 2)
        after = (datetime.fromisoformat(created_at), uuid.UUID(last_id))
    uploads = await queries.list_uploads(
        session, workspace.id, connection_id=connection_id, after=after, limit=limit + 1
    )
    rows, next_cursor = cut_page(uploads, limit, lambda u: [u.created_at.isoformat(), str(u.id)])
    return Page[UploadOut](data=[upload_out(u) for u in rows], next_cursor=next_cursor)


@router.get(
    "/uploads/{upload_id}",
    operation_id="getUpload",
    response_model=UploadOut,
    responses=problem_responses(401, 404),
)
async def get_upload(
    upload_id: uuid.UUID, session: Session, workspace: CurrentWorkspace
) -> UploadOut:
    """One upload: its state, progress, counts per report, date range and errors."""
    return upload_out(await queries.get_upload(session, workspace.id, upload_id))
