"""Random inserts, status and amount changes and deletions through the ingest path: every
rollup total always equals the sums over the raw transactions."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from app.db import transaction
from app.ledger.ingest import Target, delete_transactions, ingest
from app.ledger.records import TransactionRecord
from tests.factories import make_workspace
from tests.workers.support import rollups_match_transactions

STATUSES = ("pending", "approved", "declined", "paid")


def record(rng: random.Random, external_id: str) -> TransactionRecord:
    commission = Decimal(rng.randrange(-2000, 20000)) / 100
    return TransactionRecord(
        external_id=external_id,
        status=rng.choice(STATUSES),
        network_status="x",
        # Around midnight in several zones, so day cutting matters.
        event_at=datetime(2026, 3, 1, tzinfo=UTC)
        + timedelta(minutes=rng.randrange(0, 60 * 24 * 10)),
        commission_amount=commission,
        sale_amount=None if rng.random() < 0.1 else commission * 9,
        currency=rng.choice(("USD", "EUR", "GBP")),
        advertiser_id=rng.choice((None, "a1", "a2", "a3")),
        advertiser_name="Brand",
        click_ref=rng.choice((None, "post-1", "post-2")),
        country=rng.choice((None, "GB", "US")),
        device=rng.choice((None, "iPhone", "Desktop")),
        raw={"id": external_id},
    )


async def test_random_changes_keep_rollups_exact(runtime) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20261124)
    workspace = await make_workspace(runtime, timezone="America/Los_Angeles")
    async with runtime.engine.begin() as db:
        connections = [
            (
                await db.execute(
                    text(
                        "insert into connection (workspace_id, network, nickname, "
                        "credentials_sealed) values (:w, 'awin', 'c', '\\x00') returning id"
                    ),
                    {"w": workspace["id"]},
                )
            ).scalar_one()
            for _ in range(2)
        ]
    targets = [
        Target(workspace["id"], c, "awin", "America/Los_Angeles", sync_run_id=None)
        for c in connections
    ]
    known: dict[uuid.UUID, list[str]] = {c: [] for c in connections}
    for step in range(40):
        target = rng.choice(targets)
        ids = known[target.connection_id]
        action = rng.random()
        async with transaction(runtime.sessions) as session:
            if action < 0.15 and ids:
                gone = rng.sample(ids, k=min(len(ids), rng.randrange(1, 6)))
                deleted = await delete_transactions(session, target, [*gone, "never-seen"])
                assert deleted == len(gone)
                for g in gone:
                    ids.remove(g)
            else:
                batch = [record(rng, f"t{step}-{i}") for i in range(rng.randrange(1, 30))]
                # Re-send some known lines, changed or not.
                batch += [record(rng, i) for i in rng.sample(ids, k=min(len(ids), 10))]
                counts = await ingest(session, target, batch)
                assert counts.seen == len({r.external_id for r in batch})
                ids.extend(r.external_id for r in batch if r.external_id not in ids)
        await rollups_match_transactions(runtime)
    async with runtime.engine.connect() as db:
        stored = await db.scalar(text("select count(*) from transaction"))
        changes = await db.scalar(text("select count(*) from transaction_change"))
    assert stored == sum(len(v) for v in known.values())
    assert changes > 0
