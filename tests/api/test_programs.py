"""`GET /v1/programs` and `/v1/brands`: programs per account, filters, brands across
networks, per workspace."""

from __future__ import annotations

from decimal import Decimal

from app.db import transaction
from app.ledger.ingest import Target
from app.ledger.programs import upsert_programs
from app.ledger.records import CommissionTerm, ProgramRecord
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection


def pct(value: str, category: str | None = None) -> CommissionTerm:
    return CommissionTerm("percent", Decimal(value), category=category)


async def seed(runtime, ws, other):  # type: ignore[no-untyped-def]
    awin = await add_connection(runtime, ws["id"], "awin", "Awin")
    cj = await add_connection(runtime, ws["id"], "cj", "CJ")
    theirs = await add_connection(runtime, other["id"], "cj", "CJ")
    async with transaction(runtime.sessions) as session:
        await upsert_programs(
            session,
            Target(ws["id"], awin, "awin"),
            [
                ProgramRecord(
                    "1",
                    "Shoe Palace",
                    ("www.shoepalace.co.uk",),
                    "joined",
                    "joined",
                    "111",
                    (pct("4"), CommissionTerm("flat", Decimal("2.50"), "GBP", "New customer")),
                    True,
                ),
                # The same advertiser through a second publisher account of the token.
                ProgramRecord(
                    "1", "Shoe Palace", ("shoepalace.co.uk",), "pending", "pending", "222"
                ),
                ProgramRecord("2", "Hat_World 100%", ("hats.example",), "joined", account_id="111"),
                ProgramRecord("3", "Tent Town", ("tents.example",), "declined", "suspended", "111"),
            ],
        )
        await upsert_programs(
            session,
            Target(ws["id"], cj, "cj"),
            [
                ProgramRecord(
                    "77",
                    "Shoe Palace US",
                    ("shop.shoepalace.co.uk",),
                    "joined",
                    "active",
                    terms=(pct("6"),),
                )
            ],
        )
        await upsert_programs(
            session,
            Target(other["id"], theirs, "cj"),
            [ProgramRecord("9", "Shoe Secret", ("shoepalace.co.uk",))],
        )
    return awin, cj


async def test_programs_filters_paging_and_isolation(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    other = await make_workspace(runtime, name="Other")
    awin, _cj = await seed(runtime, ws, other)
    h = ws["headers"]

    async def names(**params):  # type: ignore[no-untyped-def]
        response = await client.get("/v1/programs", params=params, headers=h)
        assert response.status_code == 200, response.text
        return [(p["name"], p["account_id"]) for p in response.json()["data"]]

    everything = await names()
    assert [name for name, _ in everything] == sorted(name for name, _ in everything)
    assert sorted(everything) == [
        ("Hat_World 100%", "111"),
        ("Shoe Palace", "111"),
        ("Shoe Palace", "222"),
        ("Shoe Palace US", ""),
        ("Tent Town", "111"),
    ]
    assert await names(q="_world 100%") == [("Hat_World 100%", "111")]
    assert await names(q="TENTS.EX") == [("Tent Town", "111")]
    assert await names(network="cj") == [("Shoe Palace US", "")]
    assert await names(connection_id=str(awin), relationship="pending") == [("Shoe Palace", "222")]
    assert sorted(await names(domain="https://www.shoepalace.co.uk/boots")) == [
        ("Shoe Palace", "111"),
        ("Shoe Palace", "222"),
        ("Shoe Palace US", ""),
    ]
    bad = await client.get("/v1/programs", params={"relationship": "friends"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "relationship"

    first = (await client.get("/v1/programs", params={"limit": 2}, headers=h)).json()
    rest = (
        await client.get(
            "/v1/programs", params={"limit": 3, "cursor": first["next_cursor"]}, headers=h
        )
    ).json()
    assert [(p["name"], p["account_id"]) for p in first["data"] + rest["data"]] == everything
    assert rest["next_cursor"] is None

    shoe = (
        await client.get(
            "/v1/programs",
            params={"q": "Shoe Palace", "relationship": "joined", "network": "awin"},
            headers=h,
        )
    ).json()
    program = shoe["data"][0]
    assert program["brand_id"] == "shoepalace.co.uk"
    assert program["relationship"] == "joined"
    assert program["deeplinks"] is True
    one = await client.get(f"/v1/programs/{program['id']}", headers=h)
    assert one.json() == program
    theirs = await client.get(f"/v1/programs/{program['id']}", headers=other["headers"])
    assert theirs.status_code == 404
    assert program["terms"] == [
        {"kind": "percent", "value": "4", "currency": None, "category": None},
        {"kind": "flat", "value": "2.50", "currency": "GBP", "category": "New customer"},
    ]


async def test_a_rerun_changes_nothing_and_a_listing_updates(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    awin = await add_connection(runtime, ws["id"], "awin", "Awin")
    target = Target(ws["id"], awin, "awin")
    first = ProgramRecord("1", "Shoe Palace", ("shoepalace.example",), "pending", "pending", "111")
    async with transaction(runtime.sessions) as session:
        await upsert_programs(session, target, [first])
    before = (await client.get("/v1/programs", headers=ws["headers"])).json()["data"]
    async with transaction(runtime.sessions) as session:
        await upsert_programs(session, target, [first])
    assert (await client.get("/v1/programs", headers=ws["headers"])).json()["data"] == before
    joined = ProgramRecord("1", None, ("shoepalace.example",), "joined", "joined", "111")
    async with transaction(runtime.sessions) as session:
        await upsert_programs(session, target, [joined])
    after = (await client.get("/v1/programs", headers=ws["headers"])).json()["data"]
    assert len(after) == 1
    assert after[0]["name"] == "Shoe Palace"  # a listing without a name keeps the known one
    assert after[0]["relationship"] == "joined"
    assert after[0]["updated_at"] > before[0]["updated_at"]


async def test_brands_group_one_merchant_across_networks(client, runtime) -> None:  # type: ignore[no-untyped-def]
    ws = await make_workspace(runtime)
    other = await make_workspace(runtime, name="Other")
    await seed(runtime, ws, other)
    h = ws["headers"]
    brands = (await client.get("/v1/brands", headers=h)).json()
    assert [b["id"] for b in brands["data"]] == [
        "hats.example",
        "shoepalace.co.uk",
        "tents.example",
    ]
    shoe = brands["data"][1]
    assert shoe == {
        "id": "shoepalace.co.uk",
        "name": "Shoe Palace",
        "networks": ["awin", "cj"],
        "program_count": 3,
        "joined_count": 2,
    }
    assert [
        b["id"]
        for b in (await client.get("/v1/brands", params={"q": "tent"}, headers=h)).json()["data"]
    ] == ["tents.example"]
    page = (await client.get("/v1/brands", params={"limit": 1}, headers=h)).json()
    nxt = (
        await client.get(
            "/v1/brands", params={"limit": 5, "cursor": page["next_cursor"]}, headers=h
        )
    ).json()
    assert [b["id"] for b in page["data"] + nxt["data"]] == [b["id"] for b in brands["data"]]

    detail = (await client.get("/v1/brands/shoepalace.co.uk", headers=h)).json()
    # The best joined one first: CJ's 6 % before Awin's 4 %, then the pending one.
    assert [(p["network"], p["relationship"]) for p in detail["programs"]] == [
        ("cj", "joined"),
        ("awin", "joined"),
        ("awin", "pending"),
    ]
    assert detail["program_count"] == 3
    missing = await client.get("/v1/brands/nowhere.example", headers=h)
    assert missing.status_code == 404
    # The other workspace's program of the same brand stays its own.
    theirs = (await client.get("/v1/brands/shoepalace.co.uk", headers=other["headers"])).json()
    assert [p["name"] for p in theirs["programs"]] == ["Shoe Secret"]
