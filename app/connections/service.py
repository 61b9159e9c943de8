"""Connection lifecycle. Secrets are sealed here and leave only through `credentials_of`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import Network, get_network, validate_credentials
from app.connectors.registry import connector_class
from app.crypto import SecretBox
from app.db import keyset
from app.errors import FieldError, NotFound, ValidationFailed
from app.models import Connection

# Shorter secrets would give away too much of themselves in four characters.
_HINT_MIN_LENGTH = 16


def _context(connection_id: uuid.UUID, workspace_id: uuid.UUID) -> str:
    return f"connection:{workspace_id}:{connection_id}"


def _hint(value: str) -> str | None:
    return value[-4:] if len(value) >= _HINT_MIN_LENGTH else None


@dataclass(frozen=True)
class SplitForm:
    secrets: dict[str, str]
    settings: dict[str, str]


def _split(network: Network, cleaned: dict[str, str]) -> SplitForm:
    secret_keys = {f.key for f in network.fields if f.secret}
    return SplitForm(
        secrets={k: v for k, v in cleaned.items() if k in secret_keys},
        settings={k: v for k, v in cleaned.items() if k not in secret_keys},
    )


def _network_or_422(slug: str) -> Network:
    network = get_network(slug)
    if network is None:
        raise ValidationFailed(
            [FieldError("network", f"unknown network '{slug}'; GET /v1/networks lists them")]
        )
    return network


def _seal(
    box: SecretBox, connection: Connection, network: Network, cleaned: dict[str, str]
) -> None:
    form = _split(network, cleaned)
    connection.credentials_sealed = box.seal(
        form.secrets, _context(connection.id, connection.workspace_id)
    )
    connection.secret_hints = {key: _hint(value) for key, value in form.secrets.items()}
    connection.settings = form.settings


async def create_connection(
    session: AsyncSession,
    box: SecretBox,
    workspace_id: uuid.UUID,
    network_slug: str,
    credentials: dict[str, Any],
    nickname: str | None = None,
) -> Connection:
    network = _network_or_422(network_slug)
    cleaned = validate_credentials(network, credentials)
    connection = Connection(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        network=network.slug,
        nickname=(nickname or "").strip() or network.name,
        status="active",
    )
    _seal(box, connection, network, cleaned)
    session.add(connection)
    await session.flush()
    await session.refresh(connection)
    return connection


async def get_connection(
    session: AsyncSession, workspace_id: uuid.UUID, connection_id: uuid.UUID, *, lock: bool = False
) -> Connection:
    query = select(Connection).where(
        Connection.id == connection_id, Connection.workspace_id == workspace_id
    )
    if lock:
        query = query.with_for_update()
    connection = await session.scalar(query)
    if connection is None:
        raise NotFound(f"Connection {connection_id} not found.")
    return connection


async def list_connections(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    network: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
) -> list[Connection]:
    """Oldest first, from after the connection `after` names (its `created_at` and id)."""
    query = select(Connection).where(Connection.workspace_id == workspace_id)
    if network:
        query = query.where(Connection.network == network)
    query = keyset(query, Connection.created_at, Connection.id, after)
    return list(await session.scalars(query.limit(limit)))


def notices(connection: Connection) -> list[str]:
    """What the connection's network cannot show with the fields it has filled in."""
    cls = connector_class(connection.network)
    given = {k for k, v in connection.settings.items() if v} | set(connection.secret_hints)
    return list(cls.notices(given)) if cls is not None else []


def credentials_of(box: SecretBox, connection: Connection) -> dict[str, str]:
    """The whole form, secrets opened: for connectors only, never for a response."""
    secrets = box.open(
        connection.credentials_sealed, _context(connection.id, connection.workspace_id)
    )
    return {**connection.settings, **secrets}


async def update_connection(
    session: AsyncSession,
    box: SecretBox,
    connection: Connection,
    *,
    nickname: str | None = None,
    paused: bool | None = None,
    credentials: dict[str, Any] | None = None,
) -> Connection:
    errors: list[FieldError] = []
    if nickname is not None and not nickname.strip():
        errors.append(FieldError("nickname", "must not be empty"))
    if paused is not None and connection.status == "auth_failed" and not paused and not credentials:
        errors.append(
            FieldError(
                "paused", "this connection's credentials were refused; replace them to resume"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    if credentials is not None:
        network = _network_or_422(connection.network)
        merged: dict[str, Any] = credentials_of(box, connection)
        for key, value in credentials.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        _seal(box, connection, network, validate_credentials(network, merged))
        if connection.status in {"auth_failed", "error"}:
            connection.status = "active"
            connection.last_error_code = connection.last_error_message = None
            connection.last_error_at = None
    if nickname is not None:
        connection.nickname = nickname.strip()
    if paused is True:
        connection.status = "paused"
    elif paused is False and connection.status == "paused":
        connection.status = "active"
    await session.flush()
    await session.refresh(connection)
    return connection


async def delete_connection(session: AsyncSession, connection: Connection) -> None:
    await session.delete(connection)
    await session.flush()


async def reseal_all(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt every connection not sealed with the current key; returns how many."""
    count = 0
    for connection in await session.scalars(select(Connection).with_for_update()):
        if box.is_current(connection.credentials_sealed):
            continue
        context = _context(connection.id, connection.workspace_id)
        connection.credentials_sealed = box.seal(
            box.open(connection.credentials_sealed, context), context
        )
        count += 1
    await session.flush()
    return count
