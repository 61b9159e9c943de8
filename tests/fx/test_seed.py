from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from app.db import transaction
from app.fx.seed import SHIPPED_SOURCE, seed_database, seed_rates, shipped_history_path
from app.runtime import Runtime


def _shipped_values() -> int:
    with zipfile.ZipFile(shipped_history_path()) as archive:
        (name,) = archive.namelist()
        lines = list(csv.reader(io.StringIO(archive.read(name).decode())))
    return sum(1 for line in lines[1:] for value in line[1:] if value.strip() not in ("", "N/A"))


async def test_seed_loads_every_shipped_rate_once(runtime: Runtime) -> None:
    expected = _shipped_values()
    assert expected > 200_000
    async with transaction(runtime.sessions) as session:
        await session.execute(text("TRUNCATE fx_rate"))
    async with transaction(runtime.sessions) as session:
        assert await seed_rates(session) == expected
    async with transaction(runtime.sessions) as session:
        assert await seed_rates(session) == 0
        counts = (
            await session.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE currency = 'EUR'), "
                    "count(*) FILTER (WHERE source <> :source), min(day) FROM fx_rate"
                ),
                {"source": SHIPPED_SOURCE},
            )
        ).one()
    assert tuple(counts) == (expected, 0, 0, date(1999, 1, 4))


async def test_seed_database_is_idempotent(database_url: str, seeded: None) -> None:
    assert await seed_database(database_url) == 0


async def test_known_historical_rates(runtime: Runtime, seeded: None) -> None:
    async with runtime.sessions() as session:
        rows = await session.execute(
            text("SELECT currency, per_eur FROM fx_rate WHERE day = '2020-03-02'")
        )
        rates = {currency: rate for currency, rate in rows}
    assert rates["USD"] == Decimal("1.1122")
    assert rates["GBP"] == Decimal("0.87113")
    assert rates["JPY"] == Decimal("119.82")
    assert "CYP" not in rates  # N/A in the file: Cyprus has used the euro since 2008


async def test_seed_keeps_refreshed_rates(runtime: Runtime, seeded: None) -> None:
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE fx_rate SET per_eur = 1.5, source = 'ecb-feed' "
                "WHERE day = '2020-03-02' AND currency = 'USD'"
            )
        )
        await session.execute(
            text("DELETE FROM fx_rate WHERE day = '2020-03-02' AND currency = 'GBP'")
        )
        assert await seed_rates(session) == 1  # GBP is back; USD is left alone
        usd = await session.scalar(
            text("SELECT per_eur FROM fx_rate WHERE day = '2020-03-02' AND currency = 'USD'")
        )
        assert usd == Decimal("1.5")
        await session.rollback()
