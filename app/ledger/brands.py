"""Brands: one merchant's programs across networks and connections, grouped by the
registrable domain of the merchant's site (`program.brand`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Connection, Program

_RANK = {"joined": 0, "pending": 1, None: 2, "not_joined": 3, "declined": 4}


@dataclass(frozen=True)
class Brand:
    id: str
    name: str | None
    networks: list[str]
    program_count: int
    joined_count: int


def _brands_query(workspace_id: uuid.UUID) -> Any:
    joined_first = (Program.relationship != literal("joined", Text)).asc()
    return (
        select(
            Program.brand,
            func.array_agg(aggregate_order_by(Program.name, joined_first, Program.name))[1],
            func.array_agg(func.distinct(Connection.network)),
            func.count(),
            func.count().filter(Program.relationship == "joined"),
        )
        .join(Connection, Connection.id == Program.connection_id)
        .where(Program.workspace_id == workspace_id, Program.brand.is_not(None))
        .group_by(Program.brand)
    )


async def list_brands(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    q: str | None = None,
    after: str | None = None,
    limit: int,
) -> list[Brand]:
    """Brands by domain, from after the brand `after`; `q` matches a brand's domain or any
    of its programs' names, any case."""
    query = _brands_query(workspace_id)
    if q:
        query = query.having(
            or_(
                Program.brand.icontains(q, autoescape=True),
                func.bool_or(Program.name.icontains(q, autoescape=True)),
            )
        )
    if after is not None:
        query = query.where(Program.brand > after)
    rows = await session.execute(query.order_by(Program.brand).limit(limit))
    return [Brand(r[0], r[1], sorted(r[2]), r[3], r[4]) for r in rows]


async def get_brand(
    session: AsyncSession, workspace_id: uuid.UUID, brand_id: str
) -> tuple[Brand, list[tuple[Program, str]]] | None:
    """The brand and its programs, best first (see `best_first`)."""
    row = (
        await session.execute(_brands_query(workspace_id).where(Program.brand == brand_id))
    ).first()
    if row is None:
        return None
    programs = await session.execute(
        select(Program, Connection.network)
        .join(Connection, Connection.id == Program.connection_id)
        .where(Program.workspace_id == workspace_id, Program.brand == brand_id)
    )
    found = [(p, network) for p, network in programs]
    brand = Brand(row[0], row[1], sorted(row[2]), row[3], row[4])
    return brand, sorted(found, key=lambda pair: best_first(pair[0], pair[1]))


def best_first(program: Program, network: str) -> tuple[Any, ...]:
    """Sort key: joined before pending before unknown before the rest; then the highest
    percentage, then the highest flat amount; then by network and name."""
    percents = [Decimal(t["value"]) for t in program.terms if t.get("kind") == "percent"]
    flats = [Decimal(t["value"]) for t in program.terms if t.get("kind") == "flat"]
    return (
        _RANK.get(program.relationship, 2),
        -max(percents, default=Decimal(-1)),
        -max(flats, default=Decimal(-1)),
        network,
        program.name or "",
        str(program.id),
    )
