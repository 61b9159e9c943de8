"""A network's lines and its program listing name the same accounts: a sale belongs to the
program the program sync listed, never to a stray copy of it under another account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app.connectors.registry import connector_class
from app.sandbox import registry
from tests.connectors.support import TODAY
from tests.links.support import connect, list_programs
from tests.workers.support import drain

# Every network whose connector lists programs (Sovrn lists none).
LISTING = [s for s in registry.slugs() if connector_class(s) is not None and s != "sovrn"]


@pytest.mark.parametrize("slug", LISTING)
async def test_lines_land_on_listed_programs(
    slug, client, workspace, runtime, settings, sandbox
) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    connection_id = await connect(client, h, slug)
    assert await list_programs(runtime, connection_id) == "succeeded"
    window = {"start": (TODAY - timedelta(days=20)).isoformat(), "end": TODAY.isoformat()}
    run = await client.post(f"/v1/connections/{connection_id}/syncs", json=window, headers=h)
    assert run.status_code == 202, run.text
    await drain(settings)
    async with runtime.engine.connect() as db:
        strays = (
            await db.execute(
                text(
                    "select p.external_id, p.account_id, listed.account_id from program p "
                    "join program listed on listed.connection_id = p.connection_id "
                    "and listed.external_id = p.external_id and listed.id <> p.id "
                    "where p.connection_id = :c and p.relationship is null "
                    "and listed.relationship is not null"
                ),
                {"c": connection_id},
            )
        ).all()
        lines = (
            await db.execute(
                text("select count(*) from transaction where connection_id = :c"),
                {"c": connection_id},
            )
        ).scalar_one()
    assert lines > 0
    assert strays == [], f"{slug}: lines under other accounts than the listing's"
