"""Connections: the publisher's accounts on networks."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.schemas.common import Page, problem_responses
from app.api.schemas.connections import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionUpdate,
    LastError,
    SecretState,
)
from app.api.schemas.programs import ProgramSyncOut
from app.connections import service
from app.connectors.registry import connector_class
from app.models import Connection
from app.reporting.cache import bump
from app.runtime import Runtime
from app.syncs import programs as program_syncs

router = APIRouter(prefix="/v1/connections", tags=["connections"])


def connection_out(connection: Connection) -> ConnectionOut:
    last_error = None
    if connection.last_error_code:
        last_error = LastError(
            code=connection.last_error_code,
            message=connection.last_error_message or "",
            at=connection.last_error_at,
        )
    return ConnectionOut(
        id=connection.id,
        network=connection.network,
        nickname=connection.nickname,
        status=connection.status,
        settings=dict(connection.settings),
        secrets={
            key: SecretState(set=True, last4=hint) for key, hint in connection.secret_hints.items()
        },
        notices=service.notices(connection),
        last_sync_at=connection.last_sync_at,
        last_success_at=connection.last_success_at,
        last_error=last_error,
        program_sync=ProgramSyncOut(
            connection_id=connection.id,
            state=connection.programs_state,
            synced_at=connection.programs_synced_at,
            error=connection.programs_error,
        ),
        created_at=connection.created_at,
        updated_at=connection.updated_at,
    )


async def _list_programs_soon(
    session: AsyncSession, runtime: Runtime, connection: Connection
) -> None:
    """A program sync of an API network's connection, once this request commits."""
    if connector_class(connection.network) is None:
        return
    await program_syncs.request_program_sync(session, connection)
    after_commit(session, lambda: program_syncs.enqueue(runtime.redis, [connection.id]))


@router.post(
    "",
    operation_id="createConnection",
    status_code=201,
    response_model=ConnectionOut,
    responses=problem_responses(401, 422),
)
async def create_connection(
    body: ConnectionCreate, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> ConnectionOut:
    """Connect a network account. Every bad or missing form field is named in the 422."""
    connection = await service.create_connection(
        session, runtime.box, workspace.id, body.network, body.credentials, body.nickname
    )
    # Programs first: links and brands need them before any transaction sync.
    await _list_programs_soon(session, runtime, connection)
    return connection_out(connection)


@router.get(
    "",
    operation_id="listConnections",
    response_model=Page[ConnectionOut],
    responses=problem_responses(401, 422),
)
async def list_connections(
    session: Session,
    workspace: CurrentWorkspace,
    network: str | None = Query(default=None, description="Only this network's connections."),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[ConnectionOut]:
    """The workspace's connections, oldest first."""
    after = None
    if cursor:
        created_at, last_id = decode_cursor(cursor, 2)
        after = (datetime.fromisoformat(created_at), uuid.UUID(last_id))
    connections = await service.list_connections(
        session, workspace.id, network=network, after=after, limit=limit + 1
    )
    rows, next_cursor = cut_page(
        connections, limit, lambda c: [c.created_at.isoformat(), str(c.id)]
    )
    return Page[ConnectionOut](data=[connection_out(c) for c in rows], next_cursor=next_cursor)


@router.get(
    "/{connection_id}",
    operation_id="getConnection",
    response_model=ConnectionOut,
    responses=problem_responses(401, 404),
)
async def get_connection(
    connection_id: uuid.UUID, session: Session, workspace: CurrentWorkspace
) -> ConnectionOut:
    """One connection: its status, last sync and last error."""
    return connection_out(await service.get_connection(session, workspace.id, connection_id))


@router.patch(
    "/{connection_id}",
    operation_id="updateConnection",
    response_model=ConnectionOut,
    responses=problem_responses(401, 404, 422),
)
async def update_connection(
    connection_id: uuid.UUID,
    body: ConnectionUpdate,
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
) -> ConnectionOut:
    """Rename, pause or resume a connection, or replace some of its credentials."""
    connection = await service.get_connection(session, workspace.id, connection_id, lock=True)
    connection = await service.update_connection(
        session,
        runtime.box,
        connection,
        nickname=body.nickname,
        paused=body.paused,
        credentials=body.credentials,
    )
    if body.credentials:
        # New credentials may reach other accounts, or give links what they lacked.
        await _list_programs_soon(session, runtime, connection)
    return connection_out(connection)


@router.delete(
    "/{connection_id}",
    operation_id="deleteConnection",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 404),
)
async def delete_connection(
    connection_id: uuid.UUID, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> Response:
    """Disconnect a network account and delete everything synced through it."""
    connection = await service.get_connection(session, workspace.id, connection_id, lock=True)
    await service.delete_connection(session, connection)
    after_commit(session, lambda: bump(runtime.redis, workspace.id))
    return Response(status_code=204)
