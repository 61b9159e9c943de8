"""Test fixtures: a real Postgres and Redis, migrated once per run, emptied between tests.

`TEST_DATABASE_URL` / `TEST_REDIS_URL` point at servers to use (CI sets them); a fresh
database is created on that server for the run and dropped after. Without them the
embedded Postgres and Redis are started under a temporary directory.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from app.api.app import create_app
from app.db import driver_dsn, with_database
from app.fx.seed import seed_database
from app.migrate import upgrade_async
from app.models import Base
from app.runtime import Runtime
from app.sandbox.server import Sandbox, running_sandbox
from app.settings import Settings
from tests.connectors.support import TODAY
from tests.factories import make_workspace

TEST_SECRET_KEYS = ["test-key-current", "test-key-previous"]

MASKED = "***"


def refuse_masked_password(connect: Any) -> Any:
    """`asyncpg.connect`, failing loudly when handed a password SQLAlchemy masked.

    A URL turned into text with `str()` reads `postgres:***@host`; trust-auth servers accept
    it, password-protected ones (the embedded default) refuse it: catch it on every server."""

    async def guarded(dsn: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("password") == MASKED or (dsn and f":{MASKED}@" in dsn):
            raise AssertionError(f"a database URL with a masked password reached the driver: {dsn}")
        return await connect(dsn, *args, **kwargs)

    return guarded


@pytest.fixture(scope="session", autouse=True)
def _no_masked_passwords() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asyncpg, "connect", refuse_masked_password(asyncpg.connect))
        yield


@pytest.fixture(scope="session")
def service_urls() -> Iterator[tuple[str, str]]:
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if database_url and redis_url:
        yield database_url, redis_url
        return
    from app.embedded import EmbeddedServices

    with tempfile.TemporaryDirectory(prefix="netledger-test-") as data_dir:
        services = EmbeddedServices(Path(data_dir))
        urls = services.start()
        try:
            yield database_url or urls.database_url, redis_url or urls.redis_url
        finally:
            services.stop()


@pytest.fixture(scope="session")
async def database_url(service_urls: tuple[str, str]) -> AsyncIterator[str]:
    """A database of its own for this run, migrated with `alembic upgrade head`."""
    server = service_urls[0]
    name = f"netledger_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(driver_dsn(server, database="postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server, name)
    await upgrade_async(url)
    await seed_database(url)
    yield url
    admin = await asyncpg.connect(driver_dsn(server, database="postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def redis_url(service_urls: tuple[str, str]) -> Iterator[str]:
    """A Redis database of this run's own: test runs sharing a server (two checkouts, a
    developer beside CI) must not flush each other's keys or run each other's jobs."""
    import redis

    base = service_urls[1]
    claims = redis.Redis.from_url(base)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    try:
        for db in range(1, 16):
            if claims.set(f"netledger:test-claim:{db}", token, nx=True, ex=6 * 3600):
                yield urlunsplit(urlsplit(base)._replace(path=f"/{db}"))
                if claims.get(f"netledger:test-claim:{db}") == token.encode():
                    claims.delete(f"netledger:test-claim:{db}")
                return
        raise RuntimeError("every Redis database of the test server is claimed by a test run")
    finally:
        claims.close()


# The sandbox's own per-minute limits are real (Awin 20, CJ 25); tests that are not about
# limits raise them so that many syncs of one test account do not wait for a minute. The
# sandbox's day is the run's day, so a run that crosses midnight UTC still agrees with it.
SANDBOX_TEST_KNOBS: dict[str, Any] = {
    "rate_limit_per_minute": 100_000,
    "rate_limits": {},
    "today": TODAY.isoformat(),
}


@pytest.fixture(scope="session")
def sandbox_servers() -> Iterator[Sandbox]:
    """Every implemented network's imitation, on local ports, for the whole run."""
    with running_sandbox(config=SANDBOX_TEST_KNOBS) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_servers: Sandbox) -> Sandbox:
    """The sandbox networks, reset to defaults (epoch 0, no injected failures)."""
    with httpx.Client(timeout=10) as client:
        for base_url in sandbox_servers.values():
            client.post(f"{base_url}/_sandbox/reset").raise_for_status()
            client.post(f"{base_url}/_sandbox/config", json=SANDBOX_TEST_KNOBS).raise_for_status()
    return sandbox_servers


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    redis_url: str,
    sandbox_servers: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        NETLEDGER_SECRET_KEY=",".join(TEST_SECRET_KEYS),
        NETLEDGER_DATA_DIR=str(tmp_path_factory.mktemp("data")),
        NETLEDGER_NETWORK_BASE_URLS=json.dumps(dict(sandbox_servers)),
        # Documented budgets (Sovrn: one call a minute) are the production default; tests
        # that are about budgets set their own.
        NETLEDGER_NETWORK_RATE_LIMITS=json.dumps({slug: 100_000 for slug in sandbox_servers}),
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(settings)
    yield runtime
    await runtime.close()


_TABLES = ", ".join(
    f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables) if t.name != "fx_rate"
)


@pytest.fixture(autouse=True)
async def _clean(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test starts from empty tenant tables and an empty Redis database."""
    yield
    if "runtime" not in request.fixturenames:
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    async with runtime.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    await runtime.redis.flushdb()


@pytest.fixture
async def client(runtime: Runtime, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime=runtime)
    app.state.runtime = runtime
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://netledger.test") as c:
        yield c


@pytest.fixture
async def workspace(runtime: Runtime) -> dict[str, Any]:
    """A workspace and its API key: {"id", "api_key", "headers"}."""
    return await make_workspace(runtime)
