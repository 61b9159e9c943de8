"""Report results cached in Redis, keyed by what they depend on.

A report depends on its parameters, the workspace's ledger and the exchange rates. Each
workspace has a data version in Redis that every write to its ledger bumps after it
commits (sync pages, uploads, deletions, settings), and rates have one of their own. A
cached result is stored with the versions read *before* computing it, so it can only be
older than it claims if a write lands mid-computation, and that write's bump makes every
later reader miss it. Entries also expire, and a Redis failure only means computing
afresh.

Bodies are stored gzip-compressed, compressed once when the entry is filled: a hit is one
Redis round trip (a script that reads both versions and returns the body only if it was
stored under them), and clients that accept gzip are sent the stored bytes as they are."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

log = logging.getLogger("netledger.reporting")

TTL_SECONDS = 600
GZIP_LEVEL = 6
_FX_VERSION = "netledger:version:fx"
_REPORT = "netledger:report:gz:"

# KEYS: workspace version, rates version, entry. Returns {versions now, body or false}:
# the body only if the entry was stored under the versions now.
_READ = """
local v = redis.call('MGET', KEYS[1], KEYS[2])
local versions = (v[1] or '') .. ':' .. (v[2] or '')
local entry = redis.call('HMGET', KEYS[3], 'versions', 'body')
if entry[1] == versions then return {versions, entry[2]} end
return {versions, false}
"""
# KEYS as above; ARGV: the versions read before computing, body, ttl. Stores nothing if a
# write has moved a version since (the result would be stale at once).
_WRITE = """
local v = redis.call('MGET', KEYS[1], KEYS[2])
if (v[1] or '') .. ':' .. (v[2] or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[3], 'versions', ARGV[1], 'body', ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
"""
_SHA = {script: hashlib.sha1(script.encode()).hexdigest() for script in (_READ, _WRITE)}


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


@dataclass(frozen=True)
class CachedBody:
    """A JSON body as cached: gzip-compressed (`gzipped`), or as JSON (`json()`)."""

    gzipped: bytes
    plain: bytes | None = None

    def json(self) -> bytes:
        return self.plain if self.plain is not None else gzip.decompress(self.gzipped)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an `Accept-Encoding` header admits gzip (RFC 9110: `gzip`, `x-gzip` or `*`,
    unless given `q=0`)."""
    if not accept_encoding:
        return False
    wildcard = False
    for item in accept_encoding.lower().split(","):
        coding, _, rest = item.partition(";")
        coding = coding.strip()
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        for param in rest.split(";"):
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding == "*":
            wildcard = quality > 0
        else:
            return quality > 0
    return wildcard


async def _script(redis: Redis, script: str, keys: list[str], *args: Any) -> Any:
    try:
        return await redis.execute_command("EVALSHA", _SHA[script], len(keys), *keys, *args)
    except NoScriptError:
        return await redis.execute_command("EVAL", script, len(keys), *keys, *args)


async def cached_gzip(
    redis: Redis,
    workspace_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    compute: Callable[[], Awaitable[Any]],
) -> CachedBody:
    """`compute()`'s result as JSON, from the cache when the ledger and rates have not
    changed since it was stored (a hit costs one Redis round trip, and neither
    serialising nor compressing)."""
    material = json.dumps([kind, str(workspace_id), params], default=str)
    keys = [
        _workspace_key(workspace_id),
        _FX_VERSION,
        _REPORT + hashlib.sha256(material.encode()).hexdigest(),
    ]
    try:
        versions, hit = await _script(redis, _READ, keys)
    except RedisError:
        return _body(await compute())
    if hit is not None:
        return CachedBody(bytes(hit))
    body = _body(await compute())
    try:
        await _script(redis, _WRITE, keys, versions, body.gzipped, TTL_SECONDS)
    except RedisError:
        log.warning("could not cache a %s report", kind)
    return body


async def cached_json(
    redis: Redis,
    workspace_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    compute: Callable[[], Awaitable[Any]],
) -> bytes:
    """`cached_gzip`, as JSON bytes."""
    return (await cached_gzip(redis, workspace_id, kind, params, compute)).json()


def _body(value: Any) -> CachedBody:
    plain = json.dumps(value, default=str, separators=(",", ":")).encode()
    return CachedBody(gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0), plain)
