"""The migrations upgrade an empty database, downgrade to nothing and upgrade again."""

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.db import driver_dsn, with_database
from app.migrate import downgrade, upgrade
from app.models import Base


@pytest.fixture
async def empty_database(database_url: str):
    name = f"{make_url(database_url).database}_mig"
    admin = await asyncpg.connect(driver_dsn(database_url, database="postgres"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(database_url, name)
    yield url
    admin = await asyncpg.connect(driver_dsn(database_url, database="postgres"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(driver_dsn(url))
    try:
        rows = await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
    finally:
        await connection.close()
    return {r["tablename"] for r in rows}


async def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    import asyncio

    await asyncio.to_thread(upgrade, empty_database)
    assert await _tables(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    await asyncio.to_thread(downgrade, empty_database, "base")
    assert await _tables(empty_database) == {"alembic_version"}
    await asyncio.to_thread(upgrade, empty_database)
    assert set(Base.metadata.tables) <= await _tables(empty_database)


async def test_models_match_migrations(database_url: str) -> None:
    """Autogenerate finds nothing to do: the ORM and the migrations agree."""
    import asyncio

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.db import create_engine

    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:

            def diff(sync_connection):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata)

            changes = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    await asyncio.sleep(0)
    assert changes == []


# Foreign keys with no index whose leading columns are the key's own.
_UNINDEXED_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text AS tbl, c.conname
FROM pg_constraint c
WHERE c.contype = 'f'
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid
      AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
      AND c.conkey @> (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1]
  )
"""


async def test_every_foreign_key_is_indexed(database_url: str) -> None:
    """A cascade or SET NULL (deleting a workspace, a connection, a sync run, an upload)
    finds its rows through an index, never by scanning a table that grows with the ledger."""
    connection = await asyncpg.connect(driver_dsn(database_url))
    try:
        rows = await connection.fetch(_UNINDEXED_FOREIGN_KEYS)
    finally:
        await connection.close()
    assert [(r["tbl"], r["conname"]) for r in rows] == []
