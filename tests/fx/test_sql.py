from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Date, Numeric, String, and_, column, func, select, values

from app.fx.convert import load_rates
from app.fx.sql import daily_rates
from app.models.ledger import DailyRollup
from app.runtime import Runtime

pytestmark = pytest.mark.usefixtures("seeded")

START, END = date(2020, 3, 28), date(2020, 4, 15)  # weekends and the Easter holidays


@pytest.mark.parametrize("target", ["USD", "EUR", "JPY"])
async def test_daily_rates_match_the_python_converter(runtime: Runtime, target: str) -> None:
    currencies = ["USD", "GBP", "JPY", "CHF", "EUR"]
    async with runtime.sessions() as session:
        table = await load_rates(session, currencies, START, END)
        rows = (await session.execute(select(daily_rates(START, END, target).subquery()))).all()
    by_key = {(row.day, row.currency): row for row in rows}
    day = START
    while day <= END:
        for currency in currencies:
            row = by_key[day, currency]
            expected = table.convert(Decimal(1), currency, target, day)
            assert expected is not None
            assert row.rate_date == expected.rate_date
            assert abs(row.rate - expected.rate) < Decimal("1e-18")
        day += timedelta(days=1)


async def test_daily_rates_leave_missing_rates_null(runtime: Runtime) -> None:
    day = date(2015, 6, 1)  # ISK was suspended
    async with runtime.sessions() as session:
        rows = (await session.execute(select(daily_rates(day, day, "ISK").subquery()))).all()
    by_currency = {row.currency: row for row in rows}
    assert by_currency["ISK"].rate == 1  # identity needs no rate
    assert by_currency["USD"].rate is None
    assert by_currency["USD"].rate_date is None
    assert by_currency["EUR"].rate is None


async def test_a_report_converts_daily_sums_in_sql(runtime: Runtime) -> None:
    """The shape a report uses: rollup sums per (day, currency) outer-joined to the rates."""
    rollup = values(
        column("day", Date),
        column("currency", String),
        column("commission", Numeric),
        name="rollup",
    ).data(
        [
            (date(2020, 3, 6), "GBP", Decimal("10.00")),
            (date(2020, 3, 7), "GBP", Decimal("20.00")),  # Saturday: Friday's rate
            (date(2020, 3, 7), "USD", Decimal("5.00")),
            (date(2020, 3, 7), "XYZ", Decimal("7.00")),  # no rate: reported, not dropped
        ]
    )
    fx = daily_rates(date(2020, 3, 6), date(2020, 3, 7), "USD").subquery("fx")
    stmt = (
        select(
            func.sum(rollup.c.commission * fx.c.rate).label("converted"),
            func.sum(rollup.c.commission).filter(fx.c.rate.is_(None)).label("unconverted"),
            func.array_agg(rollup.c.currency).filter(fx.c.rate.is_(None)).label("missing"),
        )
        .select_from(rollup)
        .outerjoin(fx, and_(fx.c.day == rollup.c.day, fx.c.currency == rollup.c.currency))
    )
    async with runtime.sessions() as session:
        row = (await session.execute(stmt)).one()
        table = await load_rates(session, ["GBP", "USD"], date(2020, 3, 6), date(2020, 3, 7))
    gbp = table.convert(Decimal("30.00"), "GBP", "USD", date(2020, 3, 6))
    assert gbp is not None
    assert abs(row.converted - (gbp.amount + Decimal("5.00"))) < Decimal("1e-15")
    assert (row.unconverted, row.missing) == (Decimal("7.00"), ["XYZ"])


async def test_the_documented_rollup_query_runs(runtime: Runtime) -> None:
    start, end = date(2020, 3, 1), date(2020, 3, 31)
    fx = daily_rates(start, end, "USD").subquery("fx")
    stmt = (
        select(
            DailyRollup.connection_id,
            func.sum(DailyRollup.commission_amount * fx.c.rate).label("commission"),
            func.sum(DailyRollup.commission_amount)
            .filter(fx.c.rate.is_(None))
            .label("unconverted"),
        )
        .outerjoin(fx, and_(fx.c.day == DailyRollup.day, fx.c.currency == DailyRollup.currency))
        .where(DailyRollup.workspace_id == uuid.uuid4(), DailyRollup.day.between(start, end))
        .group_by(DailyRollup.connection_id)
    )
    async with runtime.sessions() as session:
        assert (await session.execute(stmt)).all() == []
