"""What a process holds for its lifetime: engine, sessions, the secret box and Redis."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.crypto import SecretBox
from app.db import create_engine, session_factory
from app.settings import Settings


def no_cookies() -> CookieJar:
    """A cookie jar that stores nothing."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    box: SecretBox
    redis: ArqRedis
    http: httpx.AsyncClient

    @classmethod
    def build(cls, settings: Settings, *, pool_size: int = 10) -> Runtime:
        if not settings.database_url or not settings.redis_url:
            raise RuntimeError(
                "DATABASE_URL and REDIS_URL must be set; `netledger up` / `netledger api` "
                "start the embedded services and set them"
            )
        engine = create_engine(settings.database_url, pool_size=pool_size)
        # Lazy: nothing connects until first use, so the API starts (and /readyz can say
        # what is down) even when Redis is not reachable yet.
        # Timeouts: a Redis that hangs must fail a request (caches fall back to Postgres),
        # never hold it. Nothing here blocks on Redis by design (no BLPOP and the like).
        pool = ConnectionPool.from_url(
            settings.redis_url, socket_connect_timeout=5, socket_timeout=10
        )
        redis = ArqRedis(connection_pool=pool)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            box=SecretBox(settings.secret_keys()),
            redis=redis,
            # One client (one connection pool) for every network call this process makes.
            # It keeps no cookies: a session belongs to its connection's auth, never to a
            # client that every connection shares.
            http=httpx.AsyncClient(
                cookies=no_cookies(),
                timeout=httpx.Timeout(60.0, connect=10.0),
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
                headers={"User-Agent": "netledger/0.1 (+https://github.com/netledger)"},
            ),
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self.redis.aclose()
        await self.engine.dispose()
