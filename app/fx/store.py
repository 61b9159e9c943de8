"""Bulk writes to `fx_rate`: COPY into a staging table, then one INSERT ... ON CONFLICT."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import driver_connection

RateRow = tuple[date, str, Decimal]
"""One published rate: (day, currency, units of currency per euro)."""

_CREATE_STAGING = """
CREATE TEMP TABLE nl_fx_staging (
    day date NOT NULL, currency varchar(3) NOT NULL, per_eur numeric(20, 10) NOT NULL
) ON COMMIT DROP
"""
_INSERT_NEW = """
INSERT INTO fx_rate (day, currency, per_eur, source)
SELECT s.day, s.currency, s.per_eur, $1 FROM nl_fx_staging AS s
-- the anti-join makes a re-seed (every row already stored) about twice as fast
WHERE NOT EXISTS (SELECT 1 FROM fx_rate AS f WHERE f.day = s.day AND f.currency = s.currency)
ON CONFLICT (day, currency) DO NOTHING
"""
_UPSERT = """
INSERT INTO fx_rate (day, currency, per_eur, source)
SELECT day, currency, per_eur, $1 FROM nl_fx_staging
ON CONFLICT (day, currency) DO UPDATE
SET per_eur = EXCLUDED.per_eur, source = EXCLUDED.source
WHERE fx_rate.per_eur IS DISTINCT FROM EXCLUDED.per_eur
"""


async def write_rates(
    session: AsyncSession, rows: Iterable[RateRow], *, source: str, replace: bool
) -> int:
    """Write rates in the caller's transaction and return how many rows were written.

    `replace=False` only adds missing (day, currency) pairs; `replace=True` also
    overwrites stored rates whose value differs. Within `rows` the last word on a
    (day, currency) wins. Flushes, never commits.
    """
    unique = {(day, currency): per_eur for day, currency, per_eur in rows}
    if not unique:
        return 0
    driver = await driver_connection(session)
    await driver.execute(_CREATE_STAGING)
    await driver.copy_records_to_table(
        "nl_fx_staging",
        records=[(day, currency, per_eur) for (day, currency), per_eur in unique.items()],
        columns=("day", "currency", "per_eur"),
    )
    status: str = await driver.execute(_UPSERT if replace else _INSERT_NEW, source)
    await driver.execute("DROP TABLE nl_fx_staging")
    return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 <rows>"
