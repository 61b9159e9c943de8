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
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.service import credentials_of
from app.connectors.base import Connector
from app.connectors.errors import ConnectorError
from app.connectors.registry import connector_class
from app.db import driver_connection
from app.errors import FieldError, ProblemError, ValidationFailed
from app.links.amazon import AmazonLinks, marketplace_domain
from app.links.domains import on_domain, registrable
from app.links.format import LinkFormat, LinkProgram, LinkRequest
from app.models import Connection, DailyDetailRollup, Program
from app.runtime import Runtime
from app.syncs.runner import connector_for

MAX_URL = 2048
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")
CACHE_SECONDS = 7 * 86400


# Where a network's links come from: its connector class, or Amazon's own builder.
LinkBuilder = type[Connector] | type[AmazonLinks]


def builder(network: str) -> LinkBuilder | None:
    if network == "amazon":
        return AmazonLinks
    cls = connector_class(network)
    return cls if cls is not None and cls.links is not None else None


@dataclass(frozen=True)
class LinkItem:
    connection_id: uuid.UUID
    destination_url: str
    program_id: uuid.UUID | None = None
    sub_id: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    network: str
    connection_id: uuid.UUID
    program_id: str | None
    sub_id: str | None
    method: str


class LinkUnavailable(ProblemError):
    status = 502
    slug = "link-unavailable"
    title = "The network could not make the link"


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message)])


def check_destination(value: str, field: str = "destination_url") -> str:
    """An absolute http(s) URL with a dotted host, or a 422 naming `field`."""
    return checked_url(value, field)[0]


def checked_url(value: str, field: str = "destination_url") -> tuple[str, str]:
    """`check_destination`'s URL and its host."""
    text = value.strip()
    if not text:
        raise _bad(field, "must not be empty")
    if len(text) > MAX_URL:
        raise _bad(field, f"is longer than {MAX_URL} characters")
    if _UNSAFE.search(text):
        raise _bad(field, "must not contain spaces or control characters")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise _bad(field, "is not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise _bad(field, "must be an absolute http:// or https:// URL")
    if not host or "." not in host:
        raise _bad(field, "must name a host, e.g. https://www.example.com/page")
    return text, host


_PROGRAM_FIELDS = (
    "id",
    "external_id",
    "account_id",
    "name",
    "domains",
    "relationship",
    "network_relationship",
    "deeplinks",
    "link_token",
    "tracking_url",
    "connection_id",
    "brand",
)
_COLUMNS = ", ".join(_PROGRAM_FIELDS)
# Straight from the driver: a batch of 1,000 reads as many programs, and ORM rows (or even
# Core result processing) would cost more than building the links.
_PROGRAMS_BY_ID = f"SELECT {_COLUMNS} FROM program WHERE workspace_id = $1 AND id = ANY($2)"
_PROGRAMS_BY_BRAND = f"""
SELECT {_COLUMNS} FROM program
WHERE workspace_id = $1 AND connection_id = ANY($2) AND brand = ANY($3)
"""


def _link_program(row: Mapping[str, Any]) -> LinkProgram:
    return LinkProgram(
        id=str(row["id"]),
        external_id=row["external_id"],
        account_id=row["account_id"],
        name=row["name"],
        domains=tuple(row["domains"]),
        relationship=row["relationship"],
        network_relationship=row["network_relationship"],
        deeplinks=row["deeplinks"],
        link_token=row["link_token"],
        tracking_url=row["tracking_url"],
        connection_id=str(row["connection_id"]),
    )


def link_program(program: Program) -> LinkProgram:
    return _link_program({f: getattr(program, f) for f in _PROGRAM_FIELDS})


def check_program(program: LinkProgram, fmt: LinkFormat, host: str | None) -> None:
    """Refuse a program the publisher cannot send traffic to, saying why."""
    label = program.label
    word = f" (the network says {program.network_relationship!r})"
    if program.relationship in ("pending", "declined", "not_joined"):
        state = program.relationship.replace("_", " ")
        raise _bad(
            "program_id",
            f"{label} is {state}{word if program.network_relationship else ''}: only programs "
            "the publisher has joined can be linked to",
        )
    if program.deeplinks is False:
        raise _bad(
            "program_id",
            f"{label} does not allow deep links: link to its home page through the network instead",
        )
    if fmt.on_program_domain and program.domains and not on_domain(host, program.domains):
        raise _bad(
            "destination_url",
            f"must be on {label}'s site ({', '.join(program.domains)}): this network credits "
            "the merchant whose site the link opens",
        )


@dataclass
class _Context:
    """What a batch reads once: connections, their form fields, programs, tracking ids."""

    connections: dict[uuid.UUID, Connection]
    programs: dict[uuid.UUID, LinkProgram]
    by_brand: dict[tuple[uuid.UUID, str], list[LinkProgram]]
    fields: dict[uuid.UUID, dict[str, str]]
    tracking_ids: dict[uuid.UUID, set[str]]
    # One connector per connection for a batch's network-API links: what it learns once
    # (a token, a site id) serves every item.
    connectors: dict[uuid.UUID, Connector] = field(default_factory=dict)


async def _context(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, items: Sequence[LinkItem]
) -> _Context:
    connection_ids = {i.connection_id for i in items}
    connections = {
        c.id: c
        for c in await session.scalars(
            select(Connection).where(
                Connection.workspace_id == workspace_id, Connection.id.in_(connection_ids)
            )
        )
    }
    program_ids = {i.program_id for i in items if i.program_id}
    programs: dict[uuid.UUID, LinkProgram] = {}
    if program_ids:
        driver = await driver_connection(session)
        rows = await driver.fetch(_PROGRAMS_BY_ID, workspace_id, list(program_ids))
        programs = {row["id"]: _link_program(row) for row in rows}
    # Items without a program on networks that need one: the connection's programs of the
    # destination's brand.
    wanted = {
        (i.connection_id, brand)
        for i in items
        if i.program_id is None
        and i.connection_id in connections
        and (fmt := _format(connections[i.connection_id])) is not None
        and fmt.needs_program
        and (brand := registrable(_host(i.destination_url)))
    }
    by_brand: dict[tuple[uuid.UUID, str], list[LinkProgram]] = {}
    if wanted:
        driver = await driver_connection(session)
        found = await driver.fetch(
            _PROGRAMS_BY_BRAND,
            workspace_id,
            list({c for c, _ in wanted}),
            list({b for _, b in wanted}),
        )
        for row in found:
            key = (row["connection_id"], row["brand"] or "")
            by_brand.setdefault(key, []).append(_link_program(row))
    fields = {c.id: credentials_of(runtime.box, c) for c in connections.values()}
    amazon = [c.id for c in connections.values() if c.network == "amazon"]
    tracking_ids: dict[uuid.UUID, set[str]] = {c: set() for c in amazon}
    if amazon:
        # From the rollup keyed by click ref (a row per day and tracking id), not a scan
        # of every line the store ever reported.
        tags = await session.execute(
            select(DailyDetailRollup.connection_id, DailyDetailRollup.click_ref)
            .where(
                DailyDetailRollup.workspace_id == workspace_id,
                DailyDetailRollup.connection_id.in_(amazon),
                DailyDetailRollup.click_ref.is_not(None),
            )
            .distinct()
        )
        for connection_id, tag in tags:
            if tag:
                tracking_ids[connection_id].add(tag)
    return _Context(connections, programs, by_brand, fields, tracking_ids)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def link_format(network: str) -> LinkFormat | None:
    found = builder(network)
    return found.links if found is not None else None


def _format(connection: Connection) -> LinkFormat | None:
    return link_format(connection.network)


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


def prepare(item: LinkItem, ctx: _Context) -> Prepared:
    """Check one item against what the batch read; raises the item's 422."""
    connection = ctx.connections.get(item.connection_id)
    if connection is None:
        raise _bad("connection_id", "no connection with this id in the workspace")
    fmt = _format(connection)
    if fmt is None:
        raise _bad("connection_id", f"netledger builds no links for {connection.network}")
    destination, host = checked_url(item.destination_url)
    fields = ctx.fields[connection.id]
    program: LinkProgram | None = None
    if item.program_id is not None:
        program = ctx.programs.get(item.program_id)
        if program is None or program.connection_id != str(connection.id):
            raise _bad("program_id", "no program with this id on this connection")
    elif fmt.needs_program:
        program = _pick(ctx.by_brand.get((connection.id, registrable(host) or ""), []))
        if program is None:
            raise _bad(
                "program_id",
                f"is required: no program of this {connection.network} connection is on "
                f"{registrable(host) or host}; pass the program's id (GET /v1/programs)",
            )
    if program is not None:
        check_program(program, fmt, host)
    if connection.network == "amazon":
        _check_amazon(host, item.sub_id, fields, ctx.tracking_ids.get(connection.id, set()))
    if item.sub_id is not None and (problem := fmt.sub_id.problem(item.sub_id)):
        raise _bad("sub_id", problem)
    request = LinkRequest(destination, item.sub_id, program, fields)
    return Prepared(connection, fmt, request)


def _check_amazon(
    host: str | None, sub_id: str | None, fields: dict[str, str], seen: set[str]
) -> None:
    domain = marketplace_domain(fields.get("marketplace"))
    if registrable(host) != domain:
        raise _bad(
            "destination_url",
            f"must be on {domain}, this connection's marketplace: other Amazon stores need a "
            "connection of their own",
        )
    store = fields.get("store_id", "")
    if sub_id is not None and sub_id != store and sub_id not in seen:
        known = ", ".join(sorted({store, *seen})[:10])
        raise _bad(
            "sub_id",
            "must be the store id or a tracking id this connection's reports have shown "
            f"({known}): Amazon's tracking id is its sub-id",
        )


def _cache_key(prepared: Prepared) -> str:
    r = prepared.request
    program = r.program.external_id + "|" + r.program.account_id if r.program else ""
    digest = hashlib.sha256(f"{program}|{r.destination}|{r.sub_id or ''}".encode()).hexdigest()
    return f"netledger:links:{prepared.connection.id}:{digest}"


async def _build(runtime: Runtime, prepared: Prepared, ctx: _Context) -> Link:
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


async def _api_link(runtime: Runtime, prepared: Prepared, ctx: _Context) -> str:
    """Ask the network (its budget applies), remembering the answer for a week."""
    key = _cache_key(prepared)
    cached = await runtime.redis.get(key)
    if cached is not None:
        return cached.decode() if isinstance(cached, bytes) else str(cached)
    connection = prepared.connection
    connector = ctx.connectors.get(connection.id)
    if connector is None:
        connector = ctx.connectors[connection.id] = connector_for(runtime, connection)
    try:
        url = await connector.api_link(prepared.request)
    except ConnectorError as exc:
        raise LinkUnavailable(exc.message) from exc
    await runtime.redis.set(key, url, ex=CACHE_SECONDS)
    return url


async def create_link(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, item: LinkItem
) -> Link:
    ctx = await _context(session, runtime, workspace_id, [item])
    return await _build(runtime, prepare(item, ctx), ctx)


async def create_links(
    session: AsyncSession, runtime: Runtime, workspace_id: uuid.UUID, items: Sequence[LinkItem]
) -> list[Link | ProblemError]:
    """Each item's link or its problem, in order."""
    ctx = await _context(session, runtime, workspace_id, items)
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
