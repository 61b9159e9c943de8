"""Shared set-up for benchmarks: a scratch database migrated to head, and timing helpers."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from app.db import driver_dsn, with_database
from app.migrate import upgrade

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def scratch_database(prefix: str = "bench") -> AsyncIterator[str]:
    """A new database on BENCH_DATABASE_URL's server (default: local Postgres), dropped after."""
    server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER)
    name = f"netledger_{prefix}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(driver_dsn(server, database="postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(server, name)
    await asyncio.to_thread(upgrade, url)
    try:
        yield url
    finally:
        admin = await asyncpg.connect(driver_dsn(server, database="postgres"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started
