"""`GET /v1/programs`: brands across connections, searchable, per workspace."""

from __future__ import annotations

from app.db import transaction
from app.ledger.ingest import Target
from app.ledger.programs import upsert_programs
from app.ledger.records import ProgramRecord
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection


async def test_programs_search_and_isolation(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    other = await make_workspace(runtime, name="Other")
    awin = await add_connection(runtime, ws["id"], "awin", "Awin")
    theirs = await add_connection(runtime, other["id"], "cj", "CJ")
    async with transaction(runtime.sessions) as session:
        await upsert_programs(
            session,
            Target(ws["id"], awin, "awin"),
            [
                ProgramRecord("1", "Shoe Palace", "shoepalace.example"),
                ProgramRecord("2", "Hat_World 100%", "hats.example"),
                ProgramRecord("3", "Tent Town", "tents.example"),
            ],
        )
        await upsert_programs(
            session, Target(other["id"], theirs, "cj"), [ProgramRecord("9", "Shoe Secret")]
        )

    everything = (await client.get("/v1/programs", headers=ws["headers"])).json()["data"]
    assert [p["name"] for p in everything] == ["Hat_World 100%", "Shoe Palace", "Tent Town"]
    assert everything[0]["network"] == "awin"
    shoes = (await client.get("/v1/programs", params={"q": "SHOE"}, headers=ws["headers"])).json()
    assert [p["name"] for p in shoes["data"]] == ["Shoe Palace"]
    literal = (
        await client.get("/v1/programs", params={"q": "_world 100%"}, headers=ws["headers"])
    ).json()
    assert [p["external_id"] for p in literal["data"]] == ["2"]
    first = (await client.get("/v1/programs", params={"limit": 2}, headers=ws["headers"])).json()
    rest = (
        await client.get(
            "/v1/programs",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=ws["headers"],
        )
    ).json()
    assert [p["name"] for p in first["data"] + rest["data"]] == [p["name"] for p in everything]
    assert rest["next_cursor"] is None
