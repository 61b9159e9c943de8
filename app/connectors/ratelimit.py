"""Request budgets shared by every worker process, kept in Redis.

A sliding one-minute log per budget key (network + a digest of the credential): a request
may go when fewer than `per_minute` requests went in the last 60 seconds; otherwise the
caller learns how long to wait. Time is Redis's own clock, and one Lua script makes
check-and-take atomic, so any number of workers on any number of machines together stay
under the network's limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

from redis.asyncio import Redis

_TAKE = """
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


def budget_key(network: str, credential: str) -> str:
    digest = hashlib.sha256(credential.encode()).hexdigest()[:16]
    return f"netledger:budget:{network}:{digest}"


class RequestBudget:
    def __init__(self, redis: Redis, key: str, per_minute: int, window: float = 60.0) -> None:
        self.redis = redis
        self.key = key
        self.per_minute = per_minute
        self.window = window

    async def try_take(self) -> float:
        """Take one request if the budget allows: 0.0, else the seconds to wait."""
        wait = await self.redis.eval(  # type: ignore[misc]
            _TAKE, 1, self.key, str(self.window), str(self.per_minute), uuid.uuid4().hex
        )
        return max(0.0, float(wait))

    async def take(self) -> float:
        """Wait until a request may go, take it, and return how long it waited."""
        waited = 0.0
        while (wait := await self.try_take()) > 0:
            pause = wait + 0.01
            await asyncio.sleep(pause)
            waited += pause
        return waited
