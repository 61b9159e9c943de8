"""A sync run's lease: the worker running it holds a Redis key it renews; if the worker
dies the key lapses within `sync_lease_seconds`, and the scheduler hands the run on.

The lease, not arq's in-progress mark, says whether a run is alive: arq keeps a dead
worker's job blocked for its whole timeout, so a run is carried on under a new job id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("netledger.sync")

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def lease_key(run_id: uuid.UUID | str) -> str:
    return f"netledger:sync-lease:{run_id}"


class LeaseLost(Exception):
    """Another worker holds the run now (this one stalled past its lease)."""


class Lease:
    def __init__(self, redis: Redis, run_id: uuid.UUID, seconds: int) -> None:
        self.redis = redis
        self.key = lease_key(run_id)
        self.seconds = seconds
        self.token = uuid.uuid4().hex
        self.lost = False

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, ex=self.seconds))

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                renewed = await self.redis.eval(  # type: ignore[misc]
                    _RENEW, 1, self.key, self.token, str(self.seconds * 1000)
                )
            except RedisError as exc:
                log.warning("could not renew sync lease %s: %s", self.key, exc)
                continue
            if not renewed:
                log.warning("sync lease %s lapsed before it was renewed", self.key)
                self.lost = True
                return

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(self.key)

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[Lease]:
        renewer = asyncio.create_task(self._renew_forever())
        try:
            yield self
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            with contextlib.suppress(RedisError):
                await self.redis.eval(_RELEASE, 1, self.key, self.token)  # type: ignore[misc]


async def alive(redis: Redis, run_id: uuid.UUID | str) -> bool:
    return bool(await redis.exists(lease_key(run_id)))
