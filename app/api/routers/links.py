"""Tracking links for any program on any joined network."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from app.api.deps import CurrentWorkspace, RuntimeDep, Session
from app.api.routers.programs import program_out
from app.api.schemas.common import problem_responses
from app.api.schemas.links import (
    ConnectionRef,
    HopOut,
    LinkBatch,
    LinkBatchOut,
    LinkCheckOut,
    LinkCheckRequest,
    LinkCreate,
    LinkOptionOut,
    LinkOptions,
    LinkOut,
)
from app.errors import NotFound
from app.links import service
from app.links.batch import LinkItem
from app.links.check import check_link
from app.links.checks import check_destination
from app.links.options import link_options
from app.models import Program

router = APIRouter(prefix="/v1/links", tags=["links"])


def _item(body: LinkCreate) -> LinkItem:
    return LinkItem(body.connection_id, body.destination_url, body.program_id, body.sub_id)


@router.post(
    "",
    operation_id="createLink",
    status_code=201,
    response_model=LinkOut,
    responses=problem_responses(401, 422, 502, 504),
)
async def create_link(
    body: LinkCreate, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> LinkOut:
    """A tracking link to `destination_url` through one connection (and program)."""
    link = await service.create_link(session, runtime, workspace.id, _item(body))
    return LinkOut(**service.as_dict(link))


@router.post(
    "/batch",
    operation_id="createLinks",
    response_model=LinkBatchOut,
    responses=problem_responses(401, 422),
)
async def create_links(
    body: LinkBatch, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> JSONResponse:
    """Up to 1,000 links at once: one result per item, in order, each a link or the
    problem that item has (a bad item does not stop the rest)."""
    results = await service.create_links(
        session, runtime, workspace.id, [_item(i) for i in body.items]
    )
    # Plain JSON, not a thousand response models validated again: the shape is LinkBatchOut.
    data = [
        {"index": n, "link": service.as_dict(r), "problem": None}
        if isinstance(r, service.Link)
        else {"index": n, "link": None, "problem": jsonable_encoder(r.body())}
        for n, r in enumerate(results)
    ]
    return JSONResponse({"data": data})


@router.get(
    "/options",
    operation_id="linkOptions",
    response_model=LinkOptions,
    responses=problem_responses(401, 422),
)
async def options(
    session: Session,
    workspace: CurrentWorkspace,
    url: str = Query(description="A product or page URL.", max_length=4096),
) -> LinkOptions:
    """Every connection and program of the workspace that can track this URL's merchant,
    those that can link first (best commission first), then the rest with why not."""
    brand, found = await link_options(session, workspace.id, url)
    return LinkOptions(
        url=url,
        brand_id=brand,
        data=[
            LinkOptionOut(
                connection=ConnectionRef(
                    id=o.connection.id, network=o.connection.network, nickname=o.connection.nickname
                ),
                program=program_out(o.program, o.connection.network) if o.program else None,
                can_link=o.can_link,
                reason=o.reason,
            )
            for o in found
        ],
    )


@router.post(
    "/check",
    operation_id="checkLink",
    response_model=LinkCheckOut,
    responses=problem_responses(401, 404, 422),
)
async def check(
    body: LinkCheckRequest, session: Session, workspace: CurrentWorkspace, runtime: RuntimeDep
) -> LinkCheckOut:
    """Follow a link's redirects (at most 10 hops, 15 s, public hosts only) and report
    each hop, where it lands and whether the tracking survived."""
    expected = None
    if body.program_id is not None:
        program = await session.get(Program, body.program_id)
        if program is None or program.workspace_id != workspace.id:
            raise NotFound("No such program in this workspace.")
        expected = program.brand
    check_destination(body.url, "url")
    report = await check_link(
        runtime.http, body.url, runtime.settings.egress_allow, expected_domain=expected
    )
    out = asdict(report)
    out["hops"] = [HopOut(**h) for h in out["hops"]]
    return LinkCheckOut(**out)
