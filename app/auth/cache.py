"""Who an API key is, cached in Redis for a minute, so that most requests authenticate
without a database round trip.

An entry is keyed by the sha256 of the key (what the database stores: the key itself is
never written to Redis) and holds the workspace fields a request reads. It lives at most
`TTL_SECONDS`, and is deleted the moment anything it reflects changes: the key being
revoked, or its workspace being changed (`forget` / `forget_workspace`, called by those
writes both before and after they commit).

Deleting alone would race with a request that read the database just before the change
and writes its entry just after the delete. So `forget` also leaves a fence on the key for
`FENCE_SECONDS`; a fill checks for the fence and writes in one script, and a request only
fills within `FILL_WINDOW_SECONDS` of its database read, which is well inside the fence.
An entry therefore never describes a state older than the last `forget` of its key.

Any Redis failure (or a Redis slower than `LOOKUP_TIMEOUT`) only means authenticating
from Postgres."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Collection
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from app.models import ApiKey, Workspace

log = logging.getLogger("netledger.auth")

TTL_SECONDS = 60
FILL_WINDOW_SECONDS = 5.0
FENCE_SECONDS = 60
LOOKUP_TIMEOUT = 0.25
FORGET_TIMEOUT = 2.0

_ENTRY = "netledger:auth:key:"
_FENCE = "netledger:auth:fence:"

# KEYS: entry, fence; ARGV: value, ttl. Refuses to fill while a fence stands.
_FILL = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


def _entry(digest: str) -> str:
    return _ENTRY + digest


def _fence(digest: str) -> str:
    return _FENCE + digest


async def lookup(redis: Redis, digest: str) -> Workspace | None:
    """The cached workspace of the key with this sha256, detached from any session (with
    its history clear, so a session it is added to persists later changes), or None."""
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT):
            raw = await redis.get(_entry(digest))
    except (RedisError, OSError, TimeoutError):
        return None
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        workspace = Workspace(
            id=uuid.UUID(data["id"]),
            name=data["name"],
            currency=data["currency"],
            timezone=data["timezone"],
            created_at=datetime.fromisoformat(data["created_at"]),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a malformed auth cache entry")
        return None
    make_transient_to_detached(workspace)
    return workspace


async def fill(redis: Redis, digest: str, workspace: Workspace, ttl: int, read_at: float) -> None:
    """Cache a key found valid by a database read started at `read_at` (monotonic)."""
    if ttl < 1 or time.monotonic() - read_at > FILL_WINDOW_SECONDS:
        return
    value = json.dumps(
        {
            "id": str(workspace.id),
            "name": workspace.name,
            "currency": workspace.currency,
            "timezone": workspace.timezone,
            "created_at": workspace.created_at.isoformat(),
        },
        separators=(",", ":"),
    )
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT):
            await redis.execute_command(
                "EVAL", _FILL, 2, _entry(digest), _fence(digest), value, ttl
            )
    except (RedisError, OSError, TimeoutError):
        log.debug("could not cache an API key")


async def forget(redis: Redis, digests: Collection[str]) -> bool:
    """Delete the entries of these keys and fence them against refills; False if Redis
    could not be told (the entries then expire within `TTL_SECONDS`)."""
    if not digests:
        return True
    try:
        async with asyncio.timeout(FORGET_TIMEOUT):
            async with redis.pipeline(transaction=True) as pipe:
                for digest in digests:
                    pipe.delete(_entry(digest))
                    pipe.set(_fence(digest), b"1", ex=FENCE_SECONDS)
                await pipe.execute()
    except (RedisError, OSError, TimeoutError):
        log.error(
            "could not clear %d API key(s) from the auth cache; they may authenticate "
            "from it for up to %d s",
            len(digests),
            TTL_SECONDS,
        )
        return False
    return True


async def workspace_digests(session: AsyncSession, workspace_id: uuid.UUID) -> list[str]:
    """The sha256 of every key of a workspace, for `forget` when the workspace changes."""
    rows = await session.scalars(
        select(ApiKey.secret_sha256).where(ApiKey.workspace_id == workspace_id)
    )
    return list(rows)


async def forget_workspace(
    session: AsyncSession, redis: Redis, workspace_id: uuid.UUID
) -> list[str]:
    """`forget` every key of a workspace; returns their digests (to forget again once the
    change has committed)."""
    digests = await workspace_digests(session, workspace_id)
    await forget(redis, digests)
    return digests
