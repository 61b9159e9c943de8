"""The caller's own workspace and its API keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy import select

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.schemas.common import problem_responses
from app.api.schemas.workspace import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    WorkspaceOut,
    WorkspaceUpdate,
)
from app.auth.keys import mint_key, revoke_key
from app.models import ApiKey, Workspace
from app.reporting.cache import bump
from app.workspaces.service import update_workspace

router = APIRouter(prefix="/v1", tags=["workspace"])


def workspace_out(workspace: Workspace) -> WorkspaceOut:
    return WorkspaceOut.model_validate(workspace, from_attributes=True)


def key_out(row: ApiKey) -> ApiKeyOut:
    return ApiKeyOut.model_validate(row, from_attributes=True)


@router.get(
    "/workspace",
    operation_id="getWorkspace",
    response_model=WorkspaceOut,
    responses=problem_responses(401),
)
async def get_workspace(workspace: CurrentWorkspace) -> WorkspaceOut:
    """The workspace the API key belongs to."""
    return workspace_out(workspace)


@router.patch(
    "/workspace",
    operation_id="updateWorkspace",
    response_model=WorkspaceOut,
    responses=problem_responses(401, 422),
)
async def patch_workspace(
    body: WorkspaceUpdate, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> WorkspaceOut:
    """Rename the workspace or change its reporting currency or timezone."""
    updated = await update_workspace(
        session, workspace, name=body.name, currency=body.currency, timezone=body.timezone
    )
    after_commit(session, lambda: bump(runtime.redis, workspace.id))
    return workspace_out(updated)


@router.get(
    "/api-keys",
    operation_id="listApiKeys",
    response_model=list[ApiKeyOut],
    responses=problem_responses(401),
)
async def list_api_keys(session: Session, workspace: CurrentWorkspace) -> list[ApiKeyOut]:
    """The workspace's API keys (never their secret part)."""
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace.id).order_by(ApiKey.created_at)
    )
    return [key_out(r) for r in rows]


@router.post(
    "/api-keys",
    operation_id="createApiKey",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=problem_responses(401, 422),
)
async def create_api_key(
    body: ApiKeyCreate, session: Session, workspace: CurrentWorkspace
) -> ApiKeyCreated:
    """A new API key for this workspace; the response is the only time its secret is shown."""
    minted = await mint_key(session, workspace.id, body.name)
    await session.refresh(minted.row)
    return ApiKeyCreated(**key_out(minted.row).model_dump(), key=minted.plaintext)


@router.delete(
    "/api-keys/{key_id}",
    operation_id="revokeApiKey",
    response_model=ApiKeyOut,
    responses=problem_responses(401, 404),
)
async def delete_api_key(
    key_id: uuid.UUID, session: Session, workspace: CurrentWorkspace
) -> ApiKeyOut:
    """Revoke a key: requests with it get 401 from now on."""
    row = await revoke_key(session, workspace.id, key_id)
    return key_out(row)
