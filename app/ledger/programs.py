"""Programs (brands) a connection reaches: stored as the network lists them, read back
across one workspace's connections."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import keyset
from app.ledger.ingest import Target
from app.ledger.records import ProgramRecord
from app.links.domains import host_of, hosts_of, registrable
from app.models import Connection, Program


@dataclass(frozen=True)
class ProgramFilter:
    """`q` matches names and domains (any case); `domain` names a merchant's site, matched
    by registrable domain (`www.shop.example.co.uk` finds `shop.example.co.uk`'s brand)."""

    q: str | None = None
    network: str | None = None
    connection_id: uuid.UUID | None = None
    relationship: str | None = None
    domain: str | None = None


def sort_name() -> ColumnElement[str]:
    return func.coalesce(Program.name, "")


async def list_programs(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    where: ProgramFilter,
    *,
    after: tuple[str, uuid.UUID] | None = None,
    limit: int,
) -> list[tuple[Program, str]]:
    """Each matching program with its connection's network, by name, from after the
    program `after` names (its name and id)."""
    query = (
        select(Program, Connection.network)
        .join(Connection, Connection.id == Program.connection_id)
        .where(Program.workspace_id == workspace_id)
    )
    if where.q:
        query = query.where(
            or_(
                Program.name.icontains(where.q, autoescape=True),
                func.array_to_string(Program.domains, " ").icontains(where.q, autoescape=True),
            )
        )
    if where.network:
        query = query.where(Connection.network == where.network)
    if where.connection_id:
        query = query.where(Program.connection_id == where.connection_id)
    if where.relationship:
        query = query.where(Program.relationship == where.relationship)
    if where.domain:
        query = query.where(Program.brand == (registrable(host_of(where.domain)) or ""))
    query = keyset(query, sort_name(), Program.id, after)
    return [(row[0], row[1]) for row in await session.execute(query.limit(limit))]


async def get_program(
    session: AsyncSession, workspace_id: uuid.UUID, program_id: uuid.UUID
) -> tuple[Program, str] | None:
    """The workspace's program and its connection's network."""
    row = (
        await session.execute(
            select(Program, Connection.network)
            .join(Connection, Connection.id == Program.connection_id)
            .where(Program.workspace_id == workspace_id, Program.id == program_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def upsert_programs(
    session: AsyncSession, target: Target, programs: Sequence[ProgramRecord]
) -> int:
    """Insert new programs and refresh known ones, keyed by account and external id; a
    rerun changes nothing. Returns how many distinct programs the batch held."""
    unique = list({(p.account_id or "", p.external_id): p for p in programs}.values())
    for start in range(0, len(unique), _CHUNK):
        await _upsert_chunk(session, target, unique[start : start + _CHUNK])
    return len(unique)


# Thirteen parameters a row; stay well under Postgres's 32767 bind parameters.
_CHUNK = 2000
_REFRESHED = (
    "name",
    "domains",
    "brand",
    "relationship",
    "network_relationship",
    "terms",
    "deeplinks",
    "link_token",
    "tracking_url",
)


def _row(target: Target, p: ProgramRecord) -> dict[str, Any]:
    domains = list(hosts_of(*p.domains))
    return {
        "workspace_id": target.workspace_id,
        "connection_id": target.connection_id,
        "account_id": p.account_id or "",
        "external_id": p.external_id,
        "name": p.name,
        "domains": domains,
        "brand": registrable(domains[0]) if domains else None,
        "relationship": p.relationship,
        "network_relationship": p.network_relationship,
        "terms": [t.as_json() for t in p.terms],
        "deeplinks": p.deeplinks,
        "link_token": p.link_token,
        "tracking_url": p.tracking_url,
    }


async def _upsert_chunk(
    session: AsyncSession, target: Target, programs: Sequence[ProgramRecord]
) -> None:
    statement = insert(Program).values([_row(target, p) for p in programs])
    excluded = statement.excluded
    # A listing is the network's whole word on a program: it replaces what a transaction
    # alone revealed (a name), and a missing name keeps the one known.
    values = {c: getattr(excluded, c) for c in _REFRESHED}
    values["name"] = func.coalesce(excluded.name, Program.name)
    changed = or_(*(getattr(Program, c).is_distinct_from(v) for c, v in values.items()))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["connection_id", "account_id", "external_id"],
            set_={**values, "updated_at": func.now()},
            where=changed,
        )
    )
