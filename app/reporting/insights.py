"""`GET /v1/insights`: what changed and what needs attention, from the rollups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Connection
from app.reporting.performance import ReportRequest, performance
from app.settings import Settings

TOP = 5
# A day is an anomaly when it is this far from its trailing average (and the average is
# big enough for the ratio to mean something).
ANOMALY_FACTOR = Decimal(3)
TRAILING_DAYS = 28
AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))


@dataclass
class Movement:
    key: str
    name: str | None
    current: Decimal
    previous: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous


@dataclass
class InsightsResult:
    period: tuple[date, date]
    previous: tuple[date, date]
    commission: tuple[Decimal, Decimal]
    networks: list[Movement]
    programs: list[Movement]
    anomalies: list[dict[str, Any]]
    pending: list[tuple[str, int, Decimal]]
    attention: list[dict[str, Any]]


async def _by(
    session: AsyncSession, workspace_id: uuid.UUID, currency: str, key: str, start: date, end: date
) -> tuple[dict[str, Decimal], dict[str, str | None]]:
    report = await performance(session, ReportRequest(workspace_id, start, end, (key,), currency))
    totals = {str(row.keys[key]): row.commission for row in report.rows}
    return totals, report.names.get(key, {})


def _movements(
    current: dict[str, Decimal], previous: dict[str, Decimal], names: dict[str, str | None]
) -> list[Movement]:
    keys = set(current) | set(previous)
    return [
        Movement(k, names.get(k, k), current.get(k, Decimal(0)), previous.get(k, Decimal(0)))
        for k in keys
    ]


async def insights(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    currency: str,
    today: date,
    settings: Settings,
    days: int = 30,
) -> InsightsResult:
    end = today
    start = end - timedelta(days=days - 1)
    previous_end = start - timedelta(days=1)
    previous_start = previous_end - timedelta(days=days - 1)

    now_networks, _ = await _by(session, workspace_id, currency, "network", start, end)
    then_networks, _ = await _by(
        session, workspace_id, currency, "network", previous_start, previous_end
    )
    now_programs, names = await _by(session, workspace_id, currency, "program", start, end)
    then_programs, old_names = await _by(
        session, workspace_id, currency, "program", previous_start, previous_end
    )
    networks = _movements(now_networks, then_networks, {k: k for k in now_networks | then_networks})
    programs = _movements(now_programs, then_programs, {**old_names, **names})

    return InsightsResult(
        period=(start, end),
        previous=(previous_start, previous_end),
        commission=(
            sum(now_networks.values(), Decimal(0)),
            sum(then_networks.values(), Decimal(0)),
        ),
        networks=networks,
        programs=programs,
        anomalies=await _anomalies(session, workspace_id, currency, today),
        pending=await _pending_by_age(session, workspace_id, currency, today),
        attention=await _attention(session, workspace_id, settings),
    )


async def _anomalies(
    session: AsyncSession, workspace_id: uuid.UUID, currency: str, today: date
) -> list[dict[str, Any]]:
    """Each connection's last 7 days against its trailing 28-day daily average."""
    start = today - timedelta(days=TRAILING_DAYS + 7 - 1)
    report = await performance(
        session, ReportRequest(workspace_id, start, today, ("connection", "day"), currency)
    )
    series: dict[str, list[tuple[date, Decimal]]] = {}
    for row in report.rows:
        series.setdefault(str(row.keys["connection"]), []).append((row.keys["day"], row.commission))
    connections = {
        str(c.id): c
        for c in await session.scalars(
            select(Connection).where(Connection.workspace_id == workspace_id)
        )
    }
    found: list[dict[str, Any]] = []
    for connection_id, points in series.items():
        points.sort()
        trailing = [value for day, value in points if day <= today - timedelta(days=7)]
        average = Decimal(str(mean(trailing))) if trailing else Decimal(0)
        if average <= 0:
            continue
        for day, value in points[-7:]:
            ratio = value / average
            if ratio >= ANOMALY_FACTOR or ratio <= 1 / ANOMALY_FACTOR:
                connection = connections.get(connection_id)
                found.append(
                    {
                        "connection_id": connection_id,
                        "connection_name": connection.nickname if connection else connection_id,
                        "network": connection.network if connection else "",
                        "day": day,
                        "commission": value,
                        "trailing_average": average,
                        "ratio": ratio,
                        "direction": "spike" if ratio > 1 else "drop",
                    }
                )
    return sorted(found, key=lambda a: abs(a["commission"] - a["trailing_average"]), reverse=True)[
        :20
    ]


async def _pending_by_age(
    session: AsyncSession, workspace_id: uuid.UUID, currency: str, today: date
) -> list[tuple[str, int, Decimal]]:
    """Pending commission by how long ago its sale happened."""
    out = []
    for low, high in AGE_BUCKETS:
        end = today - timedelta(days=low)
        start = today - timedelta(days=high) if high is not None else date(2000, 1, 1)
        report = await performance(
            session,
            ReportRequest(workspace_id, start, end, (), currency, {"status": ("pending",)}),
        )
        row = report.rows[0] if report.rows else None
        label = f"{low}-{high} days" if high is not None else f"over {low - 1} days"
        out.append((label, row.transactions if row else 0, row.commission if row else Decimal(0)))
    return out


async def _attention(
    session: AsyncSession, workspace_id: uuid.UUID, settings: Settings
) -> list[dict[str, Any]]:
    """Failing connections, and active ones with no success in twice the sync interval."""
    stale_before = datetime.now(UTC) - timedelta(minutes=2 * settings.sync_interval_minutes)
    out = []
    for c in await session.scalars(
        select(Connection)
        .where(Connection.workspace_id == workspace_id)
        .order_by(Connection.created_at)
    ):
        problem = None
        if c.status in ("auth_failed", "error"):
            problem = "failing"
        elif c.status == "active" and c.network != "amazon":
            last = c.last_success_at or c.created_at
            if last < stale_before:
                problem = "stale"
        if problem:
            out.append(
                {
                    "connection_id": str(c.id),
                    "connection_name": c.nickname,
                    "network": c.network,
                    "status": c.status,
                    "problem": problem,
                    "last_success_at": c.last_success_at.isoformat() if c.last_success_at else None,
                    "last_error": {"code": c.last_error_code, "message": c.last_error_message}
                    if c.last_error_code
                    else None,
                }
            )
    return out
