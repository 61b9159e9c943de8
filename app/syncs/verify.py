"""Checking a connection's credentials against its network now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.upstream import deadline, waiting_on
from app.connectors.base import Scope
from app.connectors.errors import ConnectorError, CredentialsRejected
from app.connectors.http import RetryPolicy
from app.connectors.registry import connector_class
from app.errors import Conflict
from app.models import Connection
from app.runtime import Runtime
from app.syncs.runner import connector_for


@dataclass
class VerifyOutcome:
    ok: bool
    message: str
    code: str | None = None
    accounts: list[Scope] = field(default_factory=list)


async def verify_connection(
    session: AsyncSession, runtime: Runtime, connection: Connection
) -> VerifyOutcome:
    """Ask the network; a refusal marks the connection `auth_failed`, a success clears it."""
    if connector_class(connection.network) is None:
        raise Conflict(f"{connection.network} has no API to verify against; it takes file uploads.")
    connector = connector_for(
        runtime, connection, retry=RetryPolicy(attempts=2, cap=5.0, rate_limit_floor=1.0)
    )
    try:
        until = deadline(runtime.settings.upstream_request_seconds)
        async with waiting_on(connection.network, until):
            verified = await connector.verify()
    except CredentialsRejected as exc:
        connection.status = "auth_failed"
        connection.last_error_code, connection.last_error_message = exc.code, exc.message
        connection.last_error_at = datetime.now(UTC)
        await session.flush()
        return VerifyOutcome(False, exc.message, exc.code)
    except ConnectorError as exc:
        return VerifyOutcome(False, exc.message, exc.code)
    if connection.status == "auth_failed":
        connection.status = "active"
        connection.last_error_code = connection.last_error_message = None
        connection.last_error_at = None
        await session.flush()
    return VerifyOutcome(True, verified.message, None, verified.accounts)
