"""What a batch of links reads once: its connections and their form fields, the programs
its items name (or, for items without one, the connection's programs on the
destination's brand), and Amazon's tracking ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.service import credentials_of
from app.connectors.base import Connector
from app.db import driver_connection
from app.links.domains import host_of, registrable
from app.links.format import LinkFormat, LinkProgram
from app.models import Connection, DailyDetailRollup, Program
from app.runtime import Runtime


@dataclass(frozen=True)
class LinkItem:
    """One link asked for, as the request gave it (checked later, item by item)."""

    connection_id: uuid.UUID
    destination_url: str
    program_id: uuid.UUID | None = None
    sub_id: str | None = None


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


@dataclass
class Batch:
    """What a batch reads once: connections, their form fields, programs, tracking ids."""

    connections: dict[uuid.UUID, Connection]
    programs: dict[uuid.UUID, LinkProgram]
    by_brand: dict[tuple[uuid.UUID, str], list[LinkProgram]]
    fields: dict[uuid.UUID, dict[str, str]]
    tracking_ids: dict[uuid.UUID, set[str]]
    # One connector per connection for a batch's network-API links: what it learns once
    # (a token, a site id) serves every item.
    connectors: dict[uuid.UUID, Connector] = field(default_factory=dict)
    # When the batch's calls to networks must have answered (event-loop time; set by the
    # first call): one bound for the whole request.
    until: float | None = None


async def read_batch(
    session: AsyncSession,
    runtime: Runtime,
    workspace_id: uuid.UUID,
    items: Sequence[LinkItem],
    format_of: Callable[[str], LinkFormat | None],
) -> Batch:
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
        and (fmt := format_of(connections[i.connection_id].network)) is not None
        and fmt.needs_program
        and (brand := registrable(host_of(i.destination_url)))
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
    return Batch(connections, programs, by_brand, fields, tracking_ids)
