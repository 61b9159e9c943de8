"""One advertiser seen through two publisher accounts of one connection is two programs,
and each account's lines belong to its own."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text

from app.db import transaction
from app.ledger.ingest import Target, ingest
from app.ledger.programs import upsert_programs
from app.ledger.records import ProgramRecord, TransactionRecord
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection


def line(external_id: str, account: str | None) -> TransactionRecord:
    return TransactionRecord(
        external_id=external_id,
        status="pending",
        network_status="pending",
        event_at=datetime(2026, 3, 1, tzinfo=UTC),
        commission_amount=Decimal("1.00"),
        currency="GBP",
        raw={"id": external_id},
        advertiser_id="5432",
        advertiser_name="Shoe Palace",
        account_id=account,
    )


async def test_each_account_keeps_its_programs_and_lines(runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    connection = await add_connection(runtime, ws["id"], "awin", "Awin")
    target = Target(ws["id"], connection, "awin")
    async with transaction(runtime.sessions) as session:
        await upsert_programs(
            session,
            target,
            [
                ProgramRecord("5432", "Shoe Palace", relationship="joined", account_id="111"),
                ProgramRecord("5432", "Shoe Palace", relationship="pending", account_id="222"),
            ],
        )
        await ingest(session, target, [line("t1", "111"), line("t2", "222"), line("t3", "333")])
    async with runtime.engine.connect() as db:
        rows = (
            await db.execute(
                text(
                    "select t.external_id, p.account_id, p.relationship from transaction t "
                    "join program p on p.id = t.program_id order by t.external_id"
                )
            )
        ).all()
        programs = (await db.execute(text("select count(*) from program"))).scalar_one()
    # A line from an account not listed yet reveals that account's program.
    assert [tuple(r) for r in rows] == [
        ("t1", "111", "joined"),
        ("t2", "222", "pending"),
        ("t3", "333", None),
    ]
    assert programs == 3
