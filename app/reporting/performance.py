"""`GET /v1/reports/performance`: totals grouped by any of the report keys, converted to
one currency, from the coarsest rollup that has every key the report needs."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, Table, and_, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.fx.money import round_money
from app.fx.sql import daily_rates
from app.models import (
    Connection,
    DailyClicks,
    DailyConnectionRollup,
    DailyConnectionTotals,
    DailyDetailRollup,
    DailyRollup,
    Program,
)
from app.reporting.periods import TIME_KEYS, periods

GROUP_KEYS = (
    "network",
    "connection",
    "program",
    "day",
    "week",
    "month",
    "status",
    "click_ref",
    "country",
    "device",
)
FILTER_KEYS = ("network", "connection", "program", "status", "click_ref", "country", "device")
STATUSES = ("pending", "approved", "declined", "paid")
_NEEDS_PROGRAM = {"program"}
_NEEDS_DETAIL = {"click_ref", "country", "device"}
# Clicks and ordered items are kept per day x connection x program: only these keys can
# carry them.
_CLICK_KEYS = {"network", "connection", "program", "day", "week", "month"}


@dataclass(frozen=True)
class ReportRequest:
    workspace_id: uuid.UUID
    start: date
    end: date
    group_by: tuple[str, ...]
    currency: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ReportRow:
    keys: dict[str, Any]
    transactions: int = 0
    sale: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    by_status: dict[str, Decimal] = field(default_factory=dict)
    count_by_status: dict[str, int] = field(default_factory=dict)
    clicks: int | None = None
    ordered_items: int | None = None
    ordered_amount: Decimal | None = None  # converted; None if not reported or no rate
    unconverted: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    request: ReportRequest
    rows: list[ReportRow]
    rate_dates: tuple[date | None, date | None]
    names: dict[str, dict[str, str | None]]


def _rollup_for(request: ReportRequest) -> Table:
    needed = set(request.group_by) | set(request.filters)
    if needed & _NEEDS_DETAIL:
        return DailyDetailRollup.__table__  # type: ignore[return-value]
    if needed & _NEEDS_PROGRAM:
        return DailyRollup.__table__  # type: ignore[return-value]
    if "status" in needed:
        return DailyConnectionRollup.__table__  # type: ignore[return-value]
    return DailyConnectionTotals.__table__  # type: ignore[return-value]


def _key_columns(r: Table) -> dict[str, ColumnElement[Any]]:
    columns: dict[str, ColumnElement[Any]] = {
        "network": Connection.__table__.c.network,
        "connection": r.c.connection_id,
        "day": r.c.day,
        "week": cast(func.date_trunc("week", r.c.day), Date),
        "month": cast(func.date_trunc("month", r.c.day), Date),
    }
    for name, column in (
        ("status", "status"),
        ("program", "program_id"),
        ("click_ref", "click_ref"),
        ("country", "country"),
        ("device", "device"),
    ):
        if column in r.c:
            columns[name] = r.c[column]
    return columns


def _filtered(query: Select[Any], r: Table, request: ReportRequest) -> Select[Any]:
    keys = _key_columns(r)
    query = query.where(
        r.c.workspace_id == request.workspace_id, r.c.day.between(request.start, request.end)
    )
    for name, values in request.filters.items():
        column = keys[name]
        if name in ("connection", "program"):
            query = query.where(column.in_([uuid.UUID(v) for v in values]))
        else:
            query = query.where(column.in_(values))
    return query


def _totals_query(request: ReportRequest, r: Table) -> Select[Any]:
    keys = _key_columns(r)
    fx = daily_rates(request.start, request.end, request.currency).subquery("fx")
    rate = fx.c.rate
    metrics: list[ColumnElement[Any]] = [
        func.sum(r.c.transactions).label("transactions"),
        func.sum(r.c.sale_amount * rate).label("sale"),
        func.sum(r.c.commission_amount * rate).label("commission"),
        func.count().filter(rate.is_(None)).label("missing_rates"),
        func.min(fx.c.rate_date).label("first_rate"),
        func.max(fx.c.rate_date).label("last_rate"),
    ]
    for status in STATUSES:
        commission: ColumnElement[Any]
        count: ColumnElement[Any]
        if "status" in r.c:
            commission = func.sum(r.c.commission_amount * rate).filter(r.c.status == status)
            count = func.sum(r.c.transactions).filter(r.c.status == status)
        else:  # statuses as columns
            commission = func.sum(r.c[f"{status}_commission"] * rate)
            count = func.sum(r.c[f"{status}_transactions"])
        metrics += [commission.label(f"c_{status}"), count.label(f"n_{status}")]
    group = [keys[k].label(k) for k in request.group_by]
    query = (
        select(*group, *metrics)
        .select_from(r)
        .join(Connection, Connection.id == r.c.connection_id)
        .outerjoin(fx, and_(fx.c.day == r.c.day, fx.c.currency == r.c.currency))
    )
    return _filtered(query, r, request).group_by(*[keys[k] for k in request.group_by])


def _unconverted_query(request: ReportRequest, r: Table) -> Select[Any]:
    """What has no rate on its day, per group and currency: reported, never counted as 0."""
    keys = _key_columns(r)
    fx = daily_rates(request.start, request.end, request.currency).subquery("fx")
    group = [keys[k].label(k) for k in request.group_by]
    query = (
        select(
            *group,
            r.c.currency,
            func.sum(r.c.transactions).label("transactions"),
            func.sum(r.c.sale_amount).label("sale"),
            func.sum(r.c.commission_amount).label("commission"),
        )
        .select_from(r)
        .join(Connection, Connection.id == r.c.connection_id)
        .outerjoin(fx, and_(fx.c.day == r.c.day, fx.c.currency == r.c.currency))
        .where(fx.c.rate.is_(None))
    )
    return _filtered(query, r, request).group_by(*[keys[k] for k in request.group_by], r.c.currency)


def _clicks_query(request: ReportRequest) -> Select[Any]:
    c: Table = DailyClicks.__table__  # type: ignore[assignment]
    keys = _key_columns(c)
    fx = daily_rates(request.start, request.end, request.currency).subquery("fx")
    query = (
        select(
            *[keys[k].label(k) for k in request.group_by],
            func.sum(c.c.clicks).label("clicks"),
            func.sum(c.c.ordered_items).label("ordered_items"),
            func.sum(c.c.ordered_amount * fx.c.rate).label("ordered_amount"),
            func.count(c.c.ordered_amount).label("ordered_days"),
            func.count(c.c.ordered_amount).filter(fx.c.rate.is_(None)).label("ordered_unrated"),
        )
        .select_from(c)
        .join(Connection, Connection.id == c.c.connection_id)
        .outerjoin(fx, and_(fx.c.day == c.c.day, fx.c.currency == c.c.currency))
    )
    return _filtered(query, c, request).group_by(*[keys[k] for k in request.group_by])


def _key_of(row: Any, group_by: tuple[str, ...]) -> tuple[Any, ...]:
    """Group keys are every query's first columns (positional access is the fast one)."""
    return tuple(row[: len(group_by)])


async def performance(session: AsyncSession, request: ReportRequest) -> Report:
    # Small, well-indexed queries: planning is cheap and JIT would only cost (see app.fx.sql).
    # Hash aggregation over tens of thousands of rollup rows wants more than the default
    # work_mem. And the day's rates are a few thousand rows: hashing them beats sorting
    # every rollup row for a merge join, which the planner picks by a small margin.
    await session.execute(
        text(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true),"
            " set_config('enable_mergejoin', 'off', true)"
        )
    )
    r = _rollup_for(request)
    rows: dict[tuple[Any, ...], ReportRow] = {}
    first_rate: date | None = None
    last_rate: date | None = None
    missing_rates = False
    # Core execution: plain rows, without the ORM's per-row bookkeeping.
    db = await session.connection()
    zero = Decimal(0)
    for row in await db.execute(_totals_query(request, r)):
        key = _key_of(row, request.group_by)
        m = row._mapping
        rows[key] = ReportRow(
            keys=dict(zip(request.group_by, key, strict=True)),
            transactions=int(m["transactions"] or 0),
            sale=m["sale"] or zero,
            commission=m["commission"] or zero,
            by_status={s: m[f"c_{s}"] or zero for s in STATUSES},
            count_by_status={s: int(m[f"n_{s}"] or 0) for s in STATUSES},
        )
        missing_rates = missing_rates or bool(m["missing_rates"])
        if m["first_rate"] and (first_rate is None or m["first_rate"] < first_rate):
            first_rate = m["first_rate"]
        if m["last_rate"] and (last_rate is None or m["last_rate"] > last_rate):
            last_rate = m["last_rate"]
    # Only when some amount had no rate: then say which, per group and currency.
    unconverted = await db.execute(_unconverted_query(request, r)) if missing_rates else []
    for row in unconverted:
        entry = rows[_key_of(row, request.group_by)]
        entry.unconverted.append(
            {
                "currency": row.currency,
                "transactions": int(row.transactions),
                "sale_amount": row.sale,
                "commission_amount": row.commission,
            }
        )
    clicks_known = not ((set(request.group_by) | set(request.filters)) - _CLICK_KEYS)
    if clicks_known:
        for row in await db.execute(_clicks_query(request)):
            key = _key_of(row, request.group_by)
            if key not in rows:
                rows[key] = ReportRow(keys=dict(zip(request.group_by, key, strict=True)))
            entry = rows[key]
            entry.clicks = int(row.clicks)
            entry.ordered_items = int(row.ordered_items)
            # Ordered amounts are known where orders were reported and every day had a rate.
            if row.ordered_days and not row.ordered_unrated:
                entry.ordered_amount = row.ordered_amount
        for entry in rows.values():
            entry.clicks = entry.clicks or 0
            entry.ordered_items = entry.ordered_items or 0
    ordered = _fill_periods(request, list(rows.values()), clicks_known)
    names = await _names(session, request, ordered)
    return Report(request, ordered, (first_rate, last_rate), names)


def _fill_periods(request: ReportRequest, rows: list[ReportRow], clicks: bool) -> list[ReportRow]:
    """Time series come back with every period present, empty ones as zeros."""
    time_keys = [k for k in request.group_by if k in TIME_KEYS]
    if not time_keys:
        return sorted(rows, key=lambda row: -row.commission)
    time_key = time_keys[0]
    others = [k for k in request.group_by if k != time_key]
    combos = sorted({tuple(row.keys[k] for k in others) for row in rows}, key=str) or (
        [()] if not others else []
    )
    present = {(tuple(row.keys[k] for k in others), row.keys[time_key]): row for row in rows}
    filled: list[ReportRow] = []
    for combo, period in itertools.product(combos, periods(request.start, request.end, time_key)):
        row = present.get((combo, period))
        if row is None:
            row = ReportRow(
                keys={**dict(zip(others, combo, strict=True)), time_key: period},
                by_status=dict.fromkeys(STATUSES, Decimal(0)),
                count_by_status=dict.fromkeys(STATUSES, 0),
                clicks=0 if clicks else None,
                ordered_items=0 if clicks else None,
            )
        filled.append(row)
    return filled


async def _names(
    session: AsyncSession, request: ReportRequest, rows: list[ReportRow]
) -> dict[str, dict[str, str | None]]:
    names: dict[str, dict[str, str | None]] = {"connection": {}, "program": {}}
    if "connection" in request.group_by:
        ids = {row.keys["connection"] for row in rows}
        for cid, nickname in await session.execute(
            select(Connection.id, Connection.nickname).where(Connection.id.in_(ids))
        ):
            names["connection"][str(cid)] = nickname
    if "program" in request.group_by:
        ids = {row.keys["program"] for row in rows if row.keys["program"] is not None}
        for pid, name in await session.execute(
            select(Program.id, Program.name).where(Program.id.in_(ids))
        ):
            names["program"][str(pid)] = name
    return names


def money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else str(round_money(amount, currency))


def ratio(part: Decimal | int, whole: Decimal | int, places: str = "0.0001") -> str | None:
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal(places)))
