"""Syncs: pulling commissions from networks now, and their progress."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.schemas.common import Page, problem_responses
from app.api.schemas.syncs import (
    RunError,
    RunState,
    SyncRequest,
    SyncRunList,
    SyncRunOut,
    VerifyAccount,
    VerifyResult,
)
from app.connections.service import get_connection
from app.models import SyncRun
from app.syncs import queries, service
from app.syncs.verify import verify_connection

router = APIRouter(prefix="/v1", tags=["syncs"])


def run_out(run: SyncRun) -> SyncRunOut:
    error = (
        RunError(code=run.error_code, message=run.error_message or "") if run.error_code else None
    )
    return SyncRunOut(
        id=run.id,
        connection_id=run.connection_id,
        state=run.state,
        trigger=run.trigger,
        window_start=run.window_start,
        window_end=run.window_end,
        pages=run.pages,
        seen=run.seen,
        inserted=run.inserted,
        updated=run.updated,
        unchanged=run.unchanged,
        error=error,
        since=run.since,
        units_total=run.units_total,
        units_done=run.units_done,
        expected_end_at=run.expected_end_at,
        resume_at=run.resume_at,
        queued_at=run.queued_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


@router.post(
    "/connections/{connection_id}/verify",
    operation_id="verifyConnection",
    tags=["connections"],
    response_model=VerifyResult,
    responses=problem_responses(401, 404, 409, 502, 504),
)
async def verify(
    connection_id: uuid.UUID, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> VerifyResult:
    """Check the saved credentials against the network now (its cheapest call)."""
    connection = await get_connection(session, workspace.id, connection_id)
    outcome = await verify_connection(session, runtime, connection)
    return VerifyResult(
        ok=outcome.ok,
        code=outcome.code,
        message=outcome.message,
        accounts=[VerifyAccount(id=a.account_id, name=a.name) for a in outcome.accounts],
    )


@router.post(
    "/connections/{connection_id}/syncs",
    operation_id="syncConnection",
    status_code=202,
    response_model=SyncRunOut,
    responses=problem_responses(401, 404, 409, 422),
)
async def sync_connection(
    connection_id: uuid.UUID,
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    body: SyncRequest | None = None,
) -> SyncRunOut:
    """Sync one connection now. If it is already syncing, that run is returned."""
    body = body or SyncRequest()
    connection = await get_connection(session, workspace.id, connection_id)
    run, created = await service.request_connection_sync(
        session, connection, runtime.settings, start=body.start, end=body.end
    )
    if created:
        after_commit(session, lambda: service.enqueue(runtime.redis, [run]))
    return run_out(run)


@router.post(
    "/syncs",
    operation_id="syncAll",
    status_code=202,
    response_model=SyncRunList,
    responses=problem_responses(401, 422),
)
async def sync_all(
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    body: SyncRequest | None = None,
) -> SyncRunList:
    """Sync every active connection now, all at once: one run per connection."""
    body = body or SyncRequest()
    requested = await service.request_workspace_sync(
        session, workspace.id, runtime.settings, start=body.start, end=body.end
    )
    new_runs = [run for run, created in requested if created]
    after_commit(session, lambda: service.enqueue(runtime.redis, new_runs))
    return SyncRunList(data=[run_out(run) for run, _ in requested])


@router.get(
    "/syncs",
    operation_id="listSyncs",
    response_model=Page[SyncRunOut],
    responses=problem_responses(401, 422),
)
async def list_syncs(
    session: Session,
    workspace: CurrentWorkspace,
    connection_id: uuid.UUID | None = Query(default=None),
    state: RunState | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[SyncRunOut]:
    """Sync runs, newest first."""
    after = None
    if cursor:
        queued_at, last_id = decode_cursor(cursor, 2)
        after = (datetime.fromisoformat(queued_at), uuid.UUID(last_id))
    runs = await queries.list_runs(
        session,
        workspace.id,
        connection_id=connection_id,
        state=state,
        after=after,
        limit=limit + 1,
    )
    rows, next_cursor = cut_page(runs, limit, lambda r: [r.queued_at.isoformat(), str(r.id)])
    return Page[SyncRunOut](data=[run_out(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/syncs/{run_id}",
    operation_id="getSync",
    response_model=SyncRunOut,
    responses=problem_responses(401, 404),
)
async def get_sync(run_id: uuid.UUID, session: Session, workspace: CurrentWorkspace) -> SyncRunOut:
    """One sync run with its progress counters."""
    return run_out(await queries.get_run(session, workspace.id, run_id))
