"""Creating and changing workspaces."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import mint_key
from app.catalog.checks import check_currency, check_timezone
from app.errors import FieldError, ValidationFailed
from app.ledger.rollups import rebuild_rollups
from app.models import Workspace


@dataclass(frozen=True)
class NewWorkspace:
    workspace: Workspace
    api_key: str


def validate_workspace_fields(
    name: str | None, currency: str | None, timezone: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if name is not None and not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if currency is not None and (message := check_currency(currency)):
        errors.append(FieldError("currency", message))
    if timezone is not None and (message := check_timezone(timezone)):
        errors.append(FieldError("timezone", message))
    return errors


async def create_workspace(
    session: AsyncSession, name: str, currency: str, timezone: str = "UTC"
) -> NewWorkspace:
    if errors := validate_workspace_fields(name, currency, timezone):
        raise ValidationFailed(errors)
    workspace = Workspace(name=name.strip(), currency=currency.upper(), timezone=timezone)
    session.add(workspace)
    await session.flush()
    minted = await mint_key(session, workspace.id, "default")
    return NewWorkspace(workspace=workspace, api_key=minted.plaintext)


async def update_workspace(
    session: AsyncSession,
    workspace: Workspace,
    *,
    name: str | None = None,
    currency: str | None = None,
    timezone: str | None = None,
) -> Workspace:
    if errors := validate_workspace_fields(name, currency, timezone):
        raise ValidationFailed(errors)
    if name is not None:
        workspace.name = name.strip()
    if currency is not None:
        workspace.currency = currency.upper()
    if timezone is not None and timezone != workspace.timezone:
        workspace.timezone = timezone
        # Report days are cut in the workspace's zone: recut them.
        await rebuild_rollups(session, workspace.id, timezone)
    await session.flush()
    return workspace
