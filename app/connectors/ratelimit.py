"""Request budgets shared by every worker process, kept in Redis.

A network documents one or more budgets per credential (Tune: 50 calls per 10 seconds;
Sovrn: 1 a minute; Pepperjam: 1,500 a day). Each is a sliding log in Redis; a request may
go only when every window has room, and one Lua script checks and takes them all at once
on Redis's own clock, so any number of workers on any number of machines together stay
under every limit. A caller that would have to wait longer than it may (a spent daily
quota) is told when the budget frees instead of sleeping for hours.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

# Keys of `NETLEDGER_NETWORK_RATE_LIMITS` budget objects -> window seconds.
WINDOWS = {
    "per_second": 1,
    "per_10_seconds": 10,
    "per_minute": 60,
    "per_hour": 3600,
    "per_day": 86400,
}

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i - 1])
  local limit = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local free_in = tonumber(oldest[2]) + window - now
    if free_in > wait then wait = free_in end
  end
end
if wait > 0 then return tostring(wait) end
local member = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i - 1])
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
end
return '0'
"""


@dataclass(frozen=True)
class Budget:
    """At most `limit` requests in any `window` seconds."""

    limit: int
    window: float

    @property
    def label(self) -> str:
        names = {seconds: name for name, seconds in WINDOWS.items()}
        return f"{self.limit} {names.get(int(self.window), f'per {self.window:g} s')}"


def per_minute(limit: int) -> tuple[Budget, ...]:
    return (Budget(limit, 60),)


def budgets_from_setting(value: int | Mapping[str, int]) -> tuple[Budget, ...]:
    """An operator's override: a number is requests per minute; an object names windows.
    A window this module does not know, or a limit under 1, is a ValueError."""
    named = value if isinstance(value, Mapping) else {"per_minute": value}
    budgets = []
    for name, limit in named.items():
        if name not in WINDOWS:
            raise ValueError(f"unknown window {name!r}; use {', '.join(WINDOWS)}")
        if int(limit) < 1:
            raise ValueError(f"{name} must be at least 1")
        budgets.append(Budget(int(limit), WINDOWS[name]))
    return tuple(budgets)


class BudgetExhausted(Exception):
    """The budget frees only after longer than the caller may wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"request budget spent for {wait:.0f} s")
        self.wait = wait
        self.resume_at = datetime.now(UTC) + timedelta(seconds=wait)


def budget_key(network: str, credential: str) -> str:
    digest = hashlib.sha256(credential.encode()).hexdigest()[:16]
    return f"netledger:budget:{network}:{digest}"


class RequestBudget:
    def __init__(self, redis: Redis, key: str, budgets: Sequence[Budget]) -> None:
        if not budgets:
            raise ValueError("a request budget needs at least one window")
        self.redis = redis
        self.key = key
        self.budgets = tuple(budgets)

    @property
    def interval(self) -> float:
        """The least time one request costs under the tightest window."""
        return max(b.window / b.limit for b in self.budgets)

    async def try_take(self) -> float:
        """Take one request if every window allows: 0.0, else the seconds to wait."""
        keys = [f"{self.key}:{b.window:g}" for b in self.budgets]
        args: list[str] = []
        for b in self.budgets:
            args += [str(b.window), str(b.limit)]
        wait = await self.redis.eval(  # type: ignore[misc]
            _TAKE, len(keys), *keys, *args, uuid.uuid4().hex
        )
        return max(0.0, float(wait))

    async def take(self, max_wait: float = float("inf")) -> float:
        """Wait until a request may go, take it, and return how long it waited; raise
        `BudgetExhausted` instead when the budget frees only after `max_wait` seconds."""
        waited = 0.0
        while (wait := await self.try_take()) > 0:
            if waited + wait > max_wait:
                raise BudgetExhausted(wait)
            pause = wait + 0.01
            await asyncio.sleep(pause)
            waited += pause
        return waited
