"""API keys look like `nl_<prefix>_<secret>`; only the prefix and a sha256 are stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import cache as auth_cache
from app.errors import NotFound, Unauthorized
from app.models import ApiKey, Workspace

_KEY_RE = re.compile(r"^nl_([a-z0-9]{12})_([A-Za-z0-9_-]{32,64})$")
# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class MintedKey:
    row: ApiKey
    plaintext: str


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def list_keys(session: AsyncSession, workspace_id: uuid.UUID) -> list[ApiKey]:
    """The workspace's keys, revoked ones included, oldest first."""
    return list(
        await session.scalars(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at)
        )
    )


async def mint_key(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> MintedKey:
    prefix = secrets.token_hex(6)
    plaintext = f"nl_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        workspace_id=workspace_id, name=name, prefix=prefix, secret_sha256=_digest(plaintext)
    )
    session.add(row)
    await session.flush()
    return MintedKey(row=row, plaintext=plaintext)


async def create_key(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> MintedKey:
    """`mint_key`, with the row's server-side defaults loaded to show it."""
    minted = await mint_key(session, workspace_id, name)
    await session.refresh(minted.row)
    return minted


async def revoke_key(session: AsyncSession, workspace_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    row = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.workspace_id == workspace_id)
    )
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()
    return row


async def authenticate(
    session: AsyncSession, authorization: str | None, redis: Redis | None = None
) -> Workspace:
    """The workspace of a valid `Authorization: Bearer nl_...` header, else 401.

    With `redis`, a key seen valid within the last minute is answered from the auth cache
    (`app.auth.cache`) without touching the database; the workspace is then added to
    `session` as it was loaded, so changes to it are saved as usual."""
    if not authorization:
        raise Unauthorized("Send your API key as `Authorization: Bearer nl_...`.")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("The Authorization header must be `Bearer <api key>`.")
    match = _KEY_RE.match(token)
    if match is None:
        raise Unauthorized("The API key is malformed.")
    digest = _digest(token)
    if redis is not None and (cached := await auth_cache.lookup(redis, digest)) is not None:
        session.add(cached)
        return cached
    read_at = time.monotonic()
    # One round trip: the key and its workspace together.
    found = (
        await session.execute(
            select(ApiKey, Workspace)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(ApiKey.prefix == match.group(1))
        )
    ).first()
    if found is None or not hmac.compare_digest(found[0].secret_sha256, digest):
        raise Unauthorized("The API key is not valid.")
    row, workspace = found[0], found[1]
    if row.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.")
    now = datetime.now(UTC)
    last_used = row.last_used_at
    if last_used is None or now - last_used > _LAST_USED_RESOLUTION:
        await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
        last_used = now
    if redis is not None:
        # Cached until last_used_at is next due, so it keeps its once-a-minute resolution.
        due = (last_used + _LAST_USED_RESOLUTION - now).total_seconds()
        await auth_cache.fill(
            redis, digest, workspace, min(auth_cache.TTL_SECONDS, int(due)), read_at
        )
    return workspace
