"""Programs and brands: every merchant the workspace's connections reach, and the same
merchant across networks side by side."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, Query

from app.api.deps import CurrentWorkspace, RuntimeDep, Session, after_commit
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.routers.connections import connection_out
from app.api.schemas.common import Page, problem_responses
from app.api.schemas.programs import (
    BrandDetail,
    BrandOut,
    CommissionTermOut,
    ProgramOut,
    ProgramSyncOut,
    Relationship,
)
from app.connections.service import get_connection
from app.errors import NotFound
from app.ledger import brands, programs
from app.models import Program
from app.syncs import programs as program_syncs

router = APIRouter(prefix="/v1", tags=["programs"])


def program_out(program: Program, network: str) -> ProgramOut:
    return ProgramOut(
        id=program.id,
        connection_id=program.connection_id,
        network=network,
        account_id=program.account_id,
        external_id=program.external_id,
        name=program.name,
        domains=list(program.domains),
        brand_id=program.brand,
        relationship=program.relationship,
        network_relationship=program.network_relationship,
        terms=[
            CommissionTermOut(
                kind=t["kind"],
                value=Decimal(t["value"]),
                currency=t.get("currency"),
                category=t.get("category"),
            )
            for t in program.terms
        ],
        deeplinks=program.deeplinks,
        tracking_url=program.tracking_url,
        created_at=program.created_at,
        updated_at=program.updated_at,
    )


@router.get(
    "/programs",
    operation_id="listPrograms",
    response_model=Page[ProgramOut],
    responses=problem_responses(401, 422),
)
async def list_programs(
    session: Session,
    workspace: CurrentWorkspace,
    q: str | None = Query(default=None, description="Matches names and domains, any case."),
    network: str | None = Query(default=None, description="A network slug, e.g. `awin`."),
    connection_id: uuid.UUID | None = Query(default=None),
    relationship: Relationship | None = Query(default=None),
    domain: str | None = Query(
        default=None,
        description="A merchant's domain or URL: programs of its brand (registrable domain).",
    ),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[ProgramOut]:
    """Programs seen through the workspace's connections, by name."""
    after = None
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        after = (str(name), uuid.UUID(str(last_id)))
    where = programs.ProgramFilter(q, network, connection_id, relationship, domain)
    found = await programs.list_programs(session, workspace.id, where, after=after, limit=limit + 1)
    rows, next_cursor = cut_page(found, limit, lambda pair: [pair[0].name or "", str(pair[0].id)])
    return Page[ProgramOut](
        data=[program_out(p, network) for p, network in rows], next_cursor=next_cursor
    )


@router.get(
    "/programs/{program_id}",
    operation_id="getProgram",
    response_model=ProgramOut,
    responses=problem_responses(401, 404),
)
async def get_program(
    program_id: uuid.UUID, session: Session, workspace: CurrentWorkspace
) -> ProgramOut:
    """One program with its relationship, terms and link fields."""
    found = await programs.get_program(session, workspace.id, program_id)
    if found is None:
        raise NotFound("No such program in this workspace.")
    return program_out(*found)


@router.post(
    "/connections/{connection_id}/programs/sync",
    operation_id="syncPrograms",
    tags=["connections"],
    status_code=202,
    response_model=ProgramSyncOut,
    responses=problem_responses(401, 404, 409),
)
async def sync_programs(
    connection_id: uuid.UUID, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> ProgramSyncOut:
    """List the connection's programs from its network now (also done daily). A request
    while one is queued or running joins it."""
    connection = await get_connection(session, workspace.id, connection_id)
    await program_syncs.request_program_sync(session, connection)
    after_commit(session, lambda: program_syncs.enqueue(runtime.redis, [connection.id]))
    return connection_out(connection).program_sync


@router.get(
    "/brands",
    operation_id="listBrands",
    tags=["brands"],
    response_model=Page[BrandOut],
    responses=problem_responses(401, 422),
)
async def list_brands(
    session: Session,
    workspace: CurrentWorkspace,
    q: str | None = Query(
        default=None, description="Matches a brand's domain or its programs' names, any case."
    ),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[BrandOut]:
    """Merchants across networks, grouped by the registrable domain of their site."""
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    found = await brands.list_brands(session, workspace.id, q=q, after=after, limit=limit + 1)
    rows, next_cursor = cut_page(found, limit, lambda brand: [brand.id])
    return Page[BrandOut](data=[BrandOut(**vars(b)) for b in rows], next_cursor=next_cursor)


@router.get(
    "/brands/{brand_id}",
    operation_id="getBrand",
    tags=["brands"],
    response_model=BrandDetail,
    responses=problem_responses(401, 404),
)
async def get_brand(brand_id: str, session: Session, workspace: CurrentWorkspace) -> BrandDetail:
    """A brand with its programs on every network and connection, the best joined first:
    relationship and commission terms side by side."""
    found = await brands.get_brand(session, workspace.id, brand_id.lower())
    if found is None:
        raise NotFound(f"No brand {brand_id!r} in this workspace.")
    brand, rows = found
    return BrandDetail(**vars(brand), programs=[program_out(p, n) for p, n in rows])
