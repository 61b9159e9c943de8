"""The database engine and sessions. Callers own the transaction (one per request or job)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Select, text, tuple_
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def asyncpg_url(url: str) -> str:
    """Accept `postgres://`, `postgresql://` or `postgresql+asyncpg://` and return the last."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


def driver_dsn(url: str | URL, *, database: str | None = None) -> str:
    """A plain `postgresql://` DSN for asyncpg and libpq, password included, optionally on
    another database of the same server.

    Never `str()` a SQLAlchemy URL to connect with it: that masks the password as `***`."""
    parsed = make_url(asyncpg_url(url)) if isinstance(url, str) else url
    parsed = parsed.set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    if parsed.password == "***":
        raise ValueError("the database URL's password is masked (`***`): render it unmasked")
    return parsed.render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    """`url` (any accepted scheme) pointing at another database on the same server."""
    return make_url(asyncpg_url(url)).set(database=database).render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": "netledger"}},
    )


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the server; raises if it cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(text("select 1"))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    async with factory() as session, session.begin():
        yield session


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under `session`, inside the session's transaction, for what
    SQLAlchemy does not do (COPY, multi-CTE statements with positional parameters).

    SQLAlchemy opens its transaction lazily, on its first statement; work sent straight to
    the driver must not run before it, or it would run outside the transaction."""
    connection = await session.connection()
    await connection.execute(text("SELECT 1"))
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    assert driver.is_in_transaction()
    return driver


SelectT = TypeVar("SelectT", bound=Select)


def keyset(
    query: SelectT,
    sort: Any,
    tiebreak: Any,
    after: tuple[Any, Any] | None,
    *,
    descending: bool = False,
) -> SelectT:
    """Order by (`sort`, `tiebreak`) and start after the row `after` names: one row-value
    comparison, which Postgres answers from an index on those columns."""
    if after is not None:
        key, bound = tuple_(sort, tiebreak), tuple_(*after)
        query = query.where(key < bound if descending else key > bound)
    if descending:
        return query.order_by(sort.desc(), tiebreak.desc())
    return query.order_by(sort, tiebreak)
