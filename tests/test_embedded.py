"""The embedded default: real Postgres and Redis started from an empty data dir.

Self-contained (no conftest fixtures, no pytest-asyncio): each async step runs in its own
`asyncio.run`, and other processes are real subprocesses.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import redis
from arq.connections import RedisSettings, create_pool
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.db import driver_dsn
from app.embedded import EmbeddedServices, EmbeddedUrls, start
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Joins the services as the CLI does, prints the URLs, then exits or waits to be signalled:
# `module` uses the process-wide start(), `class` a `with EmbeddedServices(...)` block.
CHILD = """
import json, sys, time
from app import embedded
from app.settings import Settings
settings = Settings()
if sys.argv[1] == "module":
    print(json.dumps(embedded.start(settings).environ()), flush=True)
else:
    with embedded.EmbeddedServices.from_settings(settings) as urls:
        print(json.dumps(urls.environ()), flush=True)
        time.sleep(120)
"""


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Our own temp dir rather than tmp_path: as root, Postgres runs as another user that
    # must traverse the path, and we would rather open up this dir than pytest's.
    base = Path(tempfile.mkdtemp(prefix="netledger-embedded-"))
    base.chmod(0o711)
    try:
        yield base / "data"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _asyncpg_dsn(urls: EmbeddedUrls) -> str:
    assert urls.database_url is not None
    return driver_dsn(urls.database_url)


def _redis(urls: EmbeddedUrls) -> redis.Redis:
    assert urls.redis_url is not None
    return redis.Redis.from_url(urls.redis_url, socket_connect_timeout=2)


async def _write(urls: EmbeddedUrls) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(urls))
    try:
        assert await conn.fetchval("select 1") == 1
        assert await conn.fetchval("select current_database()") == "netledger"
        await conn.execute("create table probe (id int primary key, note text not null)")
        await conn.execute("insert into probe values (1, 'kept across restarts')")
    finally:
        await conn.close()


async def _through_sqlalchemy_and_arq(urls: EmbeddedUrls) -> None:
    assert urls.database_url is not None
    assert urls.redis_url is not None
    engine = create_async_engine(urls.database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("select count(*) from probe")) == 1
    finally:
        await engine.dispose()
    pool = await create_pool(RedisSettings.from_dsn(urls.redis_url))
    try:
        assert await pool.get("probe") == b"kept too"
    finally:
        await pool.aclose()


async def _read(urls: EmbeddedUrls) -> str | None:
    conn = await asyncpg.connect(_asyncpg_dsn(urls))
    try:
        return await conn.fetchval("select note from probe where id = 1")  # type: ignore[no-any-return]
    finally:
        await conn.close()


async def _postgres_answers(urls: EmbeddedUrls) -> bool:
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(urls), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _redis_answers(urls: EmbeddedUrls) -> bool:
    client = _redis(urls)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _running(urls: EmbeddedUrls) -> tuple[bool, bool]:
    return asyncio.run(_postgres_answers(urls)), _redis_answers(urls)


def _child_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["NETLEDGER_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def test_starts_from_nothing_and_keeps_data_across_restarts(data_dir: Path) -> None:
    services = EmbeddedServices(data_dir)
    urls = services.start()
    try:
        assert services.started == {"postgres", "redis"}
        asyncio.run(_write(urls))
        client = _redis(urls)
        assert client.set("probe", "kept too")
        assert client.get("probe") == b"kept too"
        client.close()
        # The URLs as the app uses them: SQLAlchemy's asyncpg dialect (as Alembic's env
        # does) and arq's DSN parser.
        asyncio.run(_through_sqlalchemy_and_arq(urls))
    finally:
        services.stop()
    assert _running(urls) == (False, False)
    assert (data_dir / "postgres" / "PG_VERSION").exists()
    assert (data_dir / "redis" / "appendonly.aof").exists()

    again = EmbeddedServices(data_dir)
    urls2 = again.start()
    try:
        assert again.started == {"postgres", "redis"}
        assert asyncio.run(_read(urls2)) == "kept across restarts"
        client = _redis(urls2)
        assert client.get("probe") == b"kept too"
        client.close()
    finally:
        again.stop()
    assert _running(urls2) == (False, False)


def test_a_second_start_reuses_the_running_services(data_dir: Path) -> None:
    first = EmbeddedServices(data_dir)
    urls = first.start()
    second = EmbeddedServices(data_dir)
    try:
        assert second.start() == urls
        assert second.started == set()

        # Another process joins the same services and exits: they stay up for us.
        child = subprocess.run(
            [sys.executable, "-c", CHILD, "module"],
            env=_child_env(data_dir),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child.returncode == 0, child.stderr
        assert json.loads(child.stdout) == urls.environ()
        assert _running(urls) == (True, True)

        # The starter leaves first; the services stay up while `second` uses them.
        first.stop()
        assert _running(urls) == (True, True)
    finally:
        first.stop()
        second.stop()
    assert _running(urls) == (False, False)


def test_sigterm_stops_the_services_the_process_started(data_dir: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "class"],
        env=_child_env(data_dir),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else ""
        env = json.loads(line)
        urls = EmbeddedUrls(env["DATABASE_URL"], env["REDIS_URL"])
        assert _running(urls) == (True, True)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert _running(urls) == (False, False)


def test_nothing_is_embedded_when_both_urls_are_set(tmp_path: Path) -> None:
    settings = Settings(
        DATABASE_URL="postgresql+asyncpg://u:p@db/x",
        REDIS_URL="redis://cache:6379/0",
        NETLEDGER_DATA_DIR=tmp_path / "data",
    )
    assert start(settings) == EmbeddedUrls(None, None)
    assert not (tmp_path / "data").exists()
