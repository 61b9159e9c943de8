"""Building tracking links for a workspace: one or a batch, each checked on its own.

Per item: the connection is the workspace's; the destination an absolute http(s) URL; the
program (given, or found by the destination's domain where the network needs one) is the
connection's, joined and open to deep links; the destination on the program's domain where
the network tracks there; the sub-id within the network's rule. A bad item is a 422 problem
naming its field and writes nothing; the rest of a batch goes on. A batch reads each
connection, its secrets and its programs once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.upstream import deadline, waiting_on
from app.connectors.base import Connector
from app.connectors.errors import ConnectorError
from app.connectors.registry import connector_class
from app.errors import ProblemError, UpstreamUnavailable
from app.links.amazon import AmazonLinks
from app.links.batch import Batch, LinkItem, read_batch
from app.links.checks import check_amazon, check_program, checked_url
from app.links.domains import registrable
from app.links.format import LinkFormat, LinkProgram, LinkRequest, unlinkable
from app.models import Connection
from app.runtime import Runtime
from app.syncs.runner import connector_for

CACHE_SECONDS = 7 * 86400


# Where a network's links come from: its connector class, or Amazon's own builder.
LinkBuilder = type[Connector] | type[AmazonLinks]


def builder(network: str) -> LinkBuilder | None:
    if network == "amazon":
        return AmazonLinks
    cls = connector_class(network)
    return cls if cls is not None and cls.links is not None else None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    network: str
    connection_id: uuid.UUID
    program_id: str | None
    sub_id: str | None
    method: str


def link_format(network: str) -> LinkFormat | None:
    found = builder(network)
    return found.links if found is not None else None


def _pick(candidates: list[LinkProgram]) -> LinkProgram | None:
    """The connection's best program for a merchant: joined first."""
    order = {"joined": 0, None: 1, "pending": 2}
    ranked = sorted(candidates, key=lambda p: (order.get(p.relationship, 3), p.external_id))
    return ranked[0] if ranked else None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One item checked and ready to build."""

    connection: Connection
    format: LinkFormat
    request: LinkRequest


def prepare(item: LinkItem, ctx: Batch) -> Prepared:
    """Check one item against what the batch read; raises the item's 422."""
    connection = ctx.connections.get(item.connection_id)
    if connection is None:
        raise unlinkable("connection_id", "no connection with this id in the workspace")
    fmt = link_format(connection.network)
    if fmt is None:
        raise unlinkable("connection_id", f"netledger builds no links for {connection.network}")
    destination, host = checked_url(item.destination_url)
    fields = ctx.fields[connection.id]
    program: LinkProgram | None = None
    if item.program_id is not None:
        program = ctx.programs.get(item.program_id)
        if program is None or program.connection_id != str(connection.id):
            raise unlinkable("program_id", "no program with this id on this connection")
    elif fmt.needs_program:
        program = _pick(ctx.by_brand.get((connection.id, registrable(host) or ""), []))
        if program is None:
            raise unlinkable(
                "program_id",
                f"is required: no program of this {connection.network} connection is on "
                f"{registrable(host) or host}; pass the program's id (GET /v1/programs)",
            )
    if program is not None:
        check_program(program, fmt, host)
    if connection.network == "amazon":
        check_amazon(host, item.sub_id, fields, ctx.tracking_ids.get(connection.id, set()))
    if item.sub_id is not None and (problem := fmt.sub_id.problem(item.sub_id)):
        raise unlinkable("sub_id", problem)
    request = LinkRequest(destination, item.sub_id, program, fields)
    return Prepared(connection, fmt, request)


def _cache_key(prepared: Prepared) -> str:
    r = prepared.request
    program = r.program.external_id + "|" + r.program.account_id if r.program else ""
    digest = hashlib.sha256(f"{program}|{r.destination}|{r.sub_id or ''}".encode()).hexdigest()
    return f"netledger:links:{prepared.connection.id}:{digest}"


async def _build(runtime: Runtime, prepared: Prepared, ctx: Batch) -> Link:
    connection, request = prepared.connection, prepared.request
    if prepared.format.method == "template":
        found = builder(connection.network)
        assert found is not None
        url = found.link(request)
    else:
        url = await _api_link(runtime, prepared, ctx)
    return Link(
        url=url,
        network=connection.network,
        connection_id=connection.id,
        program_id=request.program.id if request.program else None,
        sub_id=request.sub_id,
        method=prepared.format.method,
    )


async def _api_link(runtime: Runtime, prepared: Prepared, ctx: Batch) -> str:
    """Ask the network (its budget applies), remembering the answer for a week."""
    key = _cache_key(prepared)
    cached = await runtime.redis.get(key)
    if cached is not None:
        return cached.decode() if isinstance(cached, bytes) else str(cached)
    connection = prepared.connection
    connector = ctx.connectors.get(connection.id)
    if connector is None:
        connector = ctx.connectors[connection.id] = connector_for(runtime, connection)
    if ctx.until is None:
        ctx.until = deadline(runtime.settings.upstream_request_seconds)
    try:
        async with waiting_on(connection.network, ctx.until):
            url = await connector.api_link(prepared.request)
    except ConnectorError as exc:
        raise UpstreamUnavailable(exc.message, network=connection.network) from exc
    await runtime.redis.set(key, url, ex=CACHE_SECONDS)
    return url


async def create_link(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, item: LinkItem
) -> Link:
    ctx = await read_batch(session, runtime, workspace_id, [item], link_format)
    return await _build(runtime, prepare(item, ctx), ctx)


async def create_links(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, items: Sequence[LinkItem]
) -> list[Link | ProblemError]:
    """Each item's link or its problem, in order."""
    ctx = await read_batch(session, runtime, workspace_id, items, link_format)
    out: list[Link | ProblemError] = []
    for item in items:
        try:
            out.append(await _build(runtime, prepare(item, ctx), ctx))
        except ProblemError as exc:
            out.append(exc)
    return out


def as_dict(link: Link) -> dict[str, Any]:
    """The link as JSON-ready values (`LinkOut`'s shape)."""
    return {
        "url": link.url,
        "network": link.network,
        "connection_id": str(link.connection_id),
        "program_id": link.program_id,
        "sub_id": link.sub_id,
        "method": link.method,
    }
