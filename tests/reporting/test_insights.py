"""Insights: movers period over period, anomalies, pending by age, connections needing
attention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.db import transaction
from app.ledger.ingest import Target, ingest
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection, line


async def test_insights(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime, currency="USD")
    awin = await add_connection(runtime, ws["id"], "awin", "Awin")
    cj = await add_connection(runtime, ws["id"], "cj", "CJ")
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    awin_lines = [
        # Steady 10/day for the trailing weeks, then a spike yesterday.
        *[
            line(f"s{d}", ago(d), "10.00", "USD", advertiser_id="p1", advertiser_name="Shoes")
            for d in range(8, 36)
        ],
        line("spike", ago(1), "500.00", "USD", advertiser_id="p1"),
        line("old-pending", ago(75), "4.00", "USD", "pending", advertiser_id="p1"),
    ]
    cj_lines = [
        line("c-prev", ago(40), "100.00", "USD", advertiser_id="t", advertiser_name="Tents"),
        line("c-now", ago(3), "20.00", "USD", "pending", advertiser_id="t"),
    ]
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ws["id"], awin, "awin"), awin_lines)
        await ingest(session, Target(ws["id"], cj, "cj"), cj_lines)
    async with runtime.engine.begin() as db:
        await db.execute(
            text(
                "update connection set status = 'auth_failed', last_error_code = 'auth_failed', "
                "last_error_message = 'CJ refused the credentials' where id = :id"
            ),
            {"id": cj},
        )
        await db.execute(
            text("update connection set created_at = now() - interval '30 days' where id = :id"),
            {"id": awin},
        )

    response = await client.get("/v1/insights", headers=ws["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    ups = {m["key"]: m for m in body["networks_up"]}
    downs = {m["key"]: m for m in body["networks_down"]}
    assert ups["awin"]["change"] == "660.00"  # (500 + 22 x 10) now against 6 x 10 before
    assert downs["cj"]["current"] == "20.00"
    assert downs["cj"]["previous"] == "100.00"
    assert any(p["name"] == "Shoes" for p in body["programs_up"])
    spikes = [a for a in body["anomalies"] if a["direction"] == "spike"]
    assert spikes[0]["connection_name"] == "Awin"
    assert spikes[0]["commission"] == "500.00"
    ages = {a["age"]: a for a in body["pending_by_age"]}
    assert ages["0-30 days"]["commission"] == "20.00"
    assert ages["61-90 days"]["commission"] == "4.00"
    attention = {c["connection_name"]: c for c in body["connections_needing_attention"]}
    assert attention["CJ"]["problem"] == "failing"
    assert attention["CJ"]["last_error"]["message"] == "CJ refused the credentials"
    assert attention["Awin"]["problem"] == "stale"  # never synced in 30 days
