"""The caller's own workspace and its API keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.schemas.common import problem_responses
from app.api.schemas.workspace import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    WorkspaceOut,
    WorkspaceUpdate,
)
from app.auth import cache as auth_cache
from app.auth.keys import create_key, list_keys, revoke_key
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
    # Its keys' auth cache entries hold the old fields: cleared now and again once the
    # change is visible (re-listing the keys then, to include any key made meanwhile).
    await auth_cache.forget_workspace(session, runtime.redis, workspace.id)

    async def forget_keys() -> None:
        async with runtime.sessions() as fresh:
            await auth_cache.forget_workspace(fresh, runtime.redis, workspace.id)

    after_commit(session, forget_keys)
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
    return [key_out(r) for r in await list_keys(session, workspace.id)]


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
    minted = await create_key(session, workspace.id, body.name)
    return ApiKeyCreated(**key_out(minted.row).model_dump(), key=minted.plaintext)


@router.delete(
    "/api-keys/{key_id}",
    operation_id="revokeApiKey",
    response_model=ApiKeyOut,
    responses=problem_responses(401, 404),
)
async def delete_api_key(
    key_id: uuid.UUID, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> ApiKeyOut:
    """Revoke a key: requests with it get 401 from now on."""
    row = await revoke_key(session, workspace.id, key_id)
    # Out of the auth cache before the revocation commits, and again after (before this
    # response is sent), so that no request after it is answered from the cache.
    digests = [row.secret_sha256]
    await auth_cache.forget(runtime.redis, digests)

    async def forget_key() -> None:
        await auth_cache.forget(runtime.redis, digests)

    after_commit(session, forget_key)
    return key_out(row)
