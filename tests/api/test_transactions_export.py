"""`GET /v1/transactions` with `Accept: text/csv`: every matching line, streamed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from app.db import transaction
from app.ledger.export import BATCH, stream_csv
from app.ledger.ingest import Target, ingest
from app.ledger.queries import TransactionFilter, transactions_query
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection, line


async def test_csv_streams_every_matching_line(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    other = await make_workspace(runtime, name="Other")
    connection = await add_connection(runtime, ws["id"], "awin", "Awin")
    theirs = await add_connection(runtime, other["id"], "cj", "CJ")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    lines = [
        line(
            f"t{i}", start + timedelta(minutes=i), "1.25", "GBP", "pending" if i % 3 else "approved"
        )
        for i in range(12_000)
    ]
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ws["id"], connection, "awin"), lines)
        await ingest(session, Target(other["id"], theirs, "cj"), lines[:10])

    body = io.StringIO()
    async with client.stream(
        "GET", "/v1/transactions", headers={**ws["headers"], "Accept": "text/csv"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        async for chunk in response.aiter_text():
            body.write(chunk)
    rows = list(csv.DictReader(io.StringIO(body.getvalue())))
    assert len(rows) == 12_000
    assert rows[0]["external_id"] == "t11999"  # newest first
    assert rows[0]["commission_amount"] == "1.250000"
    assert {r["network"] for r in rows} == {"awin"}

    filtered = await client.get(
        "/v1/transactions",
        params={"status": "approved"},
        headers={**ws["headers"], "Accept": "text/csv"},
    )
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 4000


async def test_the_export_reads_in_bounded_batches(runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    connection = await add_connection(runtime, ws["id"], "awin", "Awin")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    lines = [line(f"t{i}", start + timedelta(seconds=i), "1", "USD") for i in range(5_000)]
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ws["id"], connection, "awin"), lines)
    query = transactions_query(ws["id"], "UTC", TransactionFilter())
    sizes = [chunk.count("\n") async for chunk in stream_csv(runtime.sessions, query)]
    assert sum(sizes) == 5_001  # header + every line
    assert max(sizes) <= BATCH + 1  # never more than one batch in memory
    assert len(sizes) == 3
