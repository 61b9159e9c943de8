"""Programs: the brands (advertisers) across every connection."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.deps import CurrentWorkspace, Session
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.schemas.common import Page, problem_responses
from app.ledger import programs

router = APIRouter(prefix="/v1/programs", tags=["programs"])


class ProgramOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    network: str
    external_id: str
    name: str | None
    domain: str | None
    relationship_status: str | None


@router.get(
    "",
    operation_id="listPrograms",
    response_model=Page[ProgramOut],
    responses=problem_responses(401, 422),
)
async def list_programs(
    session: Session,
    workspace: CurrentWorkspace,
    q: str | None = Query(default=None, description="Matches names and domains, any case."),
    connection_id: uuid.UUID | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[ProgramOut]:
    """Brands seen through the workspace's connections, by name."""
    after = None
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        after = (name, uuid.UUID(last_id))
    found = await programs.list_programs(
        session, workspace.id, q=q, connection_id=connection_id, after=after, limit=limit + 1
    )
    rows, next_cursor = cut_page(found, limit, lambda pair: [pair[0].name or "", str(pair[0].id)])
    return Page[ProgramOut](
        data=[
            ProgramOut(
                id=p.id,
                connection_id=p.connection_id,
                network=network,
                external_id=p.external_id,
                name=p.name,
                domain=p.domain,
                relationship_status=p.relationship_status,
            )
            for p, network in rows
        ],
        next_cursor=next_cursor,
    )
