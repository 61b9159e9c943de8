"""Every way a workspace can earn on a URL: its programs of the URL's brand on every
connection, and the connections whose network finds the merchant from the destination
itself (Skimlinks, Sovrn) or whose store the URL is on (Amazon)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import ProblemError
from app.ledger.brands import best_first
from app.links.amazon import marketplace_domain
from app.links.batch import link_program
from app.links.checks import check_destination, check_program
from app.links.domains import registrable
from app.links.format import LinkFormat
from app.links.service import link_format
from app.models import Connection, Program


@dataclass(frozen=True)
class LinkOption:
    connection: Connection
    program: Program | None
    can_link: bool
    reason: str | None


async def link_options(
    session: AsyncSession, workspace_id: uuid.UUID, url: str
) -> tuple[str | None, list[LinkOption]]:
    """The URL's brand and its options: those that can link first (best terms first),
    then the rest with why not."""
    destination = check_destination(url, "url")
    host = urlsplit(destination).hostname
    brand = registrable(host)
    connections = {
        c.id: c
        for c in await session.scalars(
            select(Connection).where(
                Connection.workspace_id == workspace_id, Connection.status != "paused"
            )
        )
    }
    programs = []
    if brand is not None:  # an IP address is nobody's brand
        found = await session.scalars(
            select(Program).where(Program.workspace_id == workspace_id, Program.brand == brand)
        )
        programs = [p for p in found if p.connection_id in connections]
    options = []
    covered: set[uuid.UUID] = set()
    for program in sorted(
        programs, key=lambda p: best_first(p, connections[p.connection_id].network)
    ):
        connection = connections[program.connection_id]
        fmt = link_format(connection.network)
        if fmt is None:
            continue
        covered.add(connection.id)
        options.append(_option(connection, program, fmt, host))
    for connection in connections.values():
        fmt = link_format(connection.network)
        if connection.id in covered or fmt is None or fmt.needs_program:
            continue
        if connection.network == "amazon" and brand != marketplace_domain(
            connection.settings.get("marketplace")
        ):
            continue
        options.append(LinkOption(connection, None, True, None))
    options.sort(key=lambda o: not o.can_link)  # stable: best terms first within each
    return brand, options


def _option(
    connection: Connection, program: Program, fmt: LinkFormat, host: str | None
) -> LinkOption:
    try:
        check_program(link_program(program), fmt, host)
    except ProblemError as exc:
        reason = exc.extra["errors"][0]["message"] if "errors" in exc.extra else exc.detail
        return LinkOption(connection, program, False, reason)
    return LinkOption(connection, program, True, None)
