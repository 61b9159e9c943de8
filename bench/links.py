"""Tracking links in bulk: `POST /v1/links/batch` of 1,000 template links over real HTTP,
against building the same URLs with a plain function in the same run.

    python -m bench.links [--items 1000] [--rounds 20]

The API side is everything a client pays for: the request and its JSON, the API key, the
connection and its sealed credentials, the programs read, each item checked (destination,
program, relationship, deep links, sub-id rule) and built, and the response. The plain
side is a bare f-string with percent-encoding per link: the floor of making these URLs at
all. Both build the same 1,000 Awin links (a program each, a sub-id each).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from urllib.parse import quote

import httpx
from sqlalchemy import text

from app.connections.service import create_connection
from app.crypto import SecretBox
from app.db import create_engine, session_factory, transaction
from app.ledger.ingest import Target
from app.ledger.programs import upsert_programs
from app.ledger.records import ProgramRecord
from app.workspaces.service import create_workspace
from bench.common import running_api, scratch_database

SECRET = "bench-links-key"
PUBLISHER = "123456"


def plain_link(advertiser: str, publisher: str, sub_id: str, destination: str) -> str:
    return (
        f"https://www.awin1.com/cread.php?awinmid={advertiser}&awinaffid={publisher}"
        f"&clickref={quote(sub_id, safe='')}&ued={quote(destination, safe='')}"
    )


async def load(url: str, n: int) -> tuple[str, list[dict[str, str]], list[tuple[str, ...]]]:
    """A workspace's key, `n` batch items on as many Awin programmes, and the same links'
    inputs for the plain function."""
    engine = create_engine(url, pool_size=1)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        created = await create_workspace(session, "Bench Media", "USD", "UTC")
        workspace = created.workspace.id
        connection = await create_connection(
            session,
            SecretBox([SECRET]),
            workspace,
            "awin",
            {"api_token": "bench-token", "timezone": "UTC"},
        )
        records = [
            ProgramRecord(
                str(10_000 + i),
                f"Brand {i}",
                (f"www.brand{i}.example",),
                "joined",
                "joined",
                PUBLISHER,
                deeplinks=True,
            )
            for i in range(n)
        ]
        await upsert_programs(session, Target(workspace, connection.id, "awin"), records)
    async with engine.connect() as db:
        rows = (
            await db.execute(
                text(
                    "SELECT id, external_id FROM program WHERE connection_id = :c "
                    "ORDER BY external_id"
                ),
                {"c": connection.id},
            )
        ).all()
    await engine.dispose()
    items, plain = [], []
    for i, (program_id, external_id) in enumerate(rows):
        destination = (
            f"https://www.brand{int(external_id) - 10_000}.example/products/{i}?size=m&colour=blue"
        )
        sub_id = f"post-{i}"
        items.append(
            {
                "connection_id": str(connection.id),
                "program_id": str(program_id),
                "destination_url": destination,
                "sub_id": sub_id,
            }
        )
        plain.append((external_id, PUBLISHER, sub_id, destination))
    return created.api_key, items, plain


def measure_api(url: str, key: str, items: list[dict[str, str]], rounds: int) -> list[float]:
    with (
        running_api(url, SECRET) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60
        ) as client,
    ):
        body = {"items": items}
        first = client.post("/v1/links/batch", json=body).raise_for_status().json()
        assert all(r["link"] for r in first["data"]), first["data"][:1]
        seconds = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.post("/v1/links/batch", json=body).raise_for_status()
            seconds.append(time.perf_counter() - started)
    return seconds


def measure_plain(plain: list[tuple[str, ...]], rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for args in plain:
            plain_link(*args)
        seconds.append(time.perf_counter() - started)
    return seconds


async def _main(n: int, rounds: int) -> None:
    async with scratch_database("links") as url:
        key, items, plain = await load(url, n)
        api = await asyncio.to_thread(measure_api, url, key, items, rounds)
    bare = measure_plain(plain, rounds * 10)
    api_rate = n / statistics.median(api)
    plain_rate = n / statistics.median(bare)
    print(f"links per batch: {n}, rounds: {rounds} (medians)")
    print(f"POST /v1/links/batch over HTTP: {api_rate:12,.0f} links/s")
    print(f"plain function, same URLs:      {plain_rate:12,.0f} links/s")
    print(f"ratio API / plain function:     {api_rate / plain_rate:12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(_main(args.items, args.rounds))


if __name__ == "__main__":
    main()
