"""Daily statistics a network reports: clicks and ordered items (Amazon's daily trends),
and what ordered items are worth before they ship (Amazon's orders report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.ledger.ingest import Target
from app.models import DailyClicks, Program


@dataclass
class DayClicks:
    day: date
    clicks: int = 0
    ordered_items: int = 0
    ordered_amount: Decimal | None = None  # in `currency`; None: no orders reported
    currency: str | None = None


async def replace_daily_clicks(
    session: AsyncSession, target: Target, days: Sequence[DayClicks], program: str = "amazon"
) -> None:
    """Set each day's figures (not add them): a later file covering the same day repeats
    that day's totals, it does not add to them."""
    if not days:
        return
    await session.execute(
        insert(Program)
        .values(
            workspace_id=target.workspace_id,
            connection_id=target.connection_id,
            external_id=program,
            name="Amazon",
        )
        .on_conflict_do_nothing(index_elements=["connection_id", "account_id", "external_id"])
    )
    program_id = await session.scalar(
        select(Program.id).where(
            Program.connection_id == target.connection_id,
            Program.account_id == "",
            Program.external_id == program,
        )
    )
    statement = insert(DailyClicks).values(
        [
            {
                "workspace_id": target.workspace_id,
                "day": d.day,
                "connection_id": target.connection_id,
                "program_id": program_id,
                "clicks": d.clicks,
                "ordered_items": d.ordered_items,
                "ordered_amount": d.ordered_amount,
                "currency": d.currency,
            }
            for d in days
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "day", "connection_id", "program_id"],
            set_={
                "clicks": statement.excluded.clicks,
                "ordered_items": statement.excluded.ordered_items,
                "ordered_amount": statement.excluded.ordered_amount,
                "currency": statement.excluded.currency,
            },
        )
    )
