"""Report results cached in Redis, keyed by what they depend on.

A report depends on its parameters, the workspace's ledger and the exchange rates. Each
workspace has a data version in Redis that every write to its ledger bumps after it
commits (sync pages, uploads, deletions, settings), and rates have one of their own. A
cached result is stored under the versions read *before* computing it, so it can only
be older than its key claims if a write lands mid-computation, and that write's bump
moves every later reader to a new key. Entries also expire, and a Redis failure only
means computing afresh."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("netledger.reporting")

TTL_SECONDS = 600
_FX_VERSION = "netledger:version:fx"


def _workspace_key(workspace_id: uuid.UUID | str) -> str:
    return f"netledger:version:workspace:{workspace_id}"


async def bump(redis: Redis, workspace_id: uuid.UUID | str) -> None:
    """The workspace's ledger changed: reports computed before now are not reused."""
    try:
        await redis.incr(_workspace_key(workspace_id))
    except RedisError:
        log.warning("could not bump the report version of workspace %s", workspace_id)


async def bump_rates(redis: Redis) -> None:
    try:
        await redis.incr(_FX_VERSION)
    except RedisError:
        log.warning("could not bump the exchange-rate version")


async def cached_json(
    redis: Redis,
    workspace_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    compute: Callable[[], Awaitable[Any]],
) -> bytes:
    """`compute()`'s result as JSON bytes, from the cache when the ledger has not changed
    (served as stored: a hit costs two Redis reads and no serialising)."""
    try:
        versions = await redis.mget(_workspace_key(workspace_id), _FX_VERSION)
    except RedisError:
        return _dumps(await compute())
    material = json.dumps([kind, str(workspace_id), versions[0], versions[1], params], default=str)
    key = f"netledger:report:{hashlib.sha256(material.encode()).hexdigest()}"
    try:
        hit = await redis.get(key)
    except RedisError:
        hit = None
    if hit is not None:
        return bytes(hit)
    body = _dumps(await compute())
    try:
        await redis.set(key, body, ex=TTL_SECONDS)
    except RedisError:
        log.warning("could not cache a %s report", kind)
    return body


def _dumps(value: Any) -> bytes:
    return json.dumps(value, default=str, separators=(",", ":")).encode()
