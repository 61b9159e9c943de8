"""`/v1/links`: one link, a batch, the ways to earn on a URL, a link's check, Amazon; and
the program sync that feeds them."""

from __future__ import annotations

import uuid
from ipaddress import ip_network
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import text

from app.sandbox.data import DataSpec, account
from tests.amazon.support import EARNINGS_CSV, zip_of
from tests.connectors.support import CASES, TODAY, stats
from tests.links.support import connect, linkable, list_programs, programs_of
from tests.uploads.test_uploads import amazon_connection, upload
from tests.workers.support import drain


@pytest.fixture
async def awin(client, workspace, runtime, sandbox):  # type: ignore[no-untyped-def]
    """An Awin connection with its programmes listed: (connection id, joined, pending)."""
    connection_id = await connect(client, workspace["headers"], "awin")
    assert await list_programs(runtime, connection_id) == "succeeded"
    listed = await programs_of(client, workspace["headers"], connection_id)
    joined = next(p for p in listed if p["relationship"] == "joined")
    pending = next(p for p in listed if p["relationship"] == "pending")
    return connection_id, joined, pending


def link_body(connection_id: str, program: dict | None, **extra: object) -> dict:
    body: dict = {"connection_id": connection_id}
    if program is not None:
        body["program_id"] = program["id"]
        body["destination_url"] = f"https://{program['domains'][0]}/sale"
    return body | extra


async def problem(client, headers, body: dict) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/links", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    return error["field"], error["message"]


async def test_every_bad_input_names_its_field(client, workspace, runtime, awin) -> None:  # type: ignore[no-untyped-def]
    connection_id, joined, pending = awin
    h = workspace["headers"]
    for bad in ("not a url", "ftp://files.example/x", "/sale", "https://localhost/x", ""):
        field, _ = await problem(client, h, link_body(connection_id, joined, destination_url=bad))
        assert field == "destination_url", bad
    field, message = await problem(client, h, link_body(connection_id, pending))
    assert field == "program_id"
    assert "pending" in message
    field, _ = await problem(
        client, h, link_body(connection_id, joined) | {"program_id": str(uuid.uuid4())}
    )
    assert field == "program_id"
    field, _ = await problem(client, h, link_body(str(uuid.uuid4()), joined))
    assert field == "connection_id"
    for sub_id in ("x" * 51, "post 17", "post/17"):
        field, message = await problem(client, h, link_body(connection_id, joined, sub_id=sub_id))
        assert field == "sub_id", sub_id
    assert (
        "at most 50"
        in (await problem(client, h, link_body(connection_id, joined, sub_id="x" * 51)))[1]
    )
    missing = await client.post("/v1/links", json={"connection_id": connection_id}, headers=h)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "destination_url"

    async with runtime.engine.begin() as db:
        await db.execute(
            text("update program set deeplinks = false where id = :id"), {"id": joined["id"]}
        )
    field, message = await problem(client, h, link_body(connection_id, joined))
    assert field == "program_id"
    assert "deep links" in message


async def test_a_link_without_a_program_uses_the_destinations(client, workspace, awin) -> None:  # type: ignore[no-untyped-def]
    connection_id, joined, _ = awin
    h = workspace["headers"]
    body = {
        "connection_id": connection_id,
        "destination_url": f"https://{joined['domains'][0]}/x?y=1",
    }
    response = await client.post("/v1/links", json=body, headers=h)
    assert response.status_code == 201, response.text
    link = response.json()
    assert link["program_id"] == joined["id"]
    assert link["method"] == "template"
    query = parse_qs(urlsplit(link["url"]).query)
    assert query["awinmid"] == [joined["external_id"]]
    assert query["awinaffid"] == [joined["account_id"]]
    assert query["ued"] == [body["destination_url"]]
    nowhere = {"connection_id": connection_id, "destination_url": "https://nobody.example/"}
    field, message = await problem(client, h, nowhere)
    assert field == "program_id"
    assert "nobody.example" in message


async def test_a_batch_answers_each_item_in_order(client, workspace, awin) -> None:  # type: ignore[no-untyped-def]
    connection_id, joined, pending = awin
    h = workspace["headers"]
    good = link_body(connection_id, joined, sub_id="a1")
    items = [
        good,
        link_body(connection_id, joined, sub_id="no spaces"),
        link_body(connection_id, pending),
        good,
    ]
    response = await client.post("/v1/links/batch", json={"items": items}, headers=h)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [d["index"] for d in data] == [0, 1, 2, 3]
    assert data[0]["link"] == data[3]["link"]
    assert data[0]["problem"] is None
    assert data[1]["link"] is None
    assert data[1]["problem"]["status"] == 422
    assert data[1]["problem"]["errors"][0]["field"] == "sub_id"
    assert data[2]["problem"]["errors"][0]["field"] == "program_id"
    single = (await client.post("/v1/links", json=good, headers=h)).json()
    assert data[0]["link"] == single

    too_many = await client.post("/v1/links/batch", json={"items": [good] * 1001}, headers=h)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "items"


async def test_options_list_every_way_to_earn_on_a_url(client, workspace, runtime, awin) -> None:  # type: ignore[no-untyped-def]
    connection_id, joined, pending = awin
    h = workspace["headers"]
    url = f"https://{joined['domains'][0]}/product/1"
    found = (await client.get("/v1/links/options", params={"url": url}, headers=h)).json()
    assert found["brand_id"] == joined["brand_id"]
    linkable = [o for o in found["data"] if o["can_link"]]
    assert joined["id"] in {o["program"]["id"] for o in linkable}
    assert all(o["connection"]["id"] == connection_id for o in found["data"])
    assert found["data"][: len(linkable)] == linkable  # those that can link come first
    other = f"https://{pending['domains'][0]}/"
    pend = (await client.get("/v1/links/options", params={"url": other}, headers=h)).json()["data"]
    closed = [o for o in pend if o["program"]["id"] == pending["id"]]
    assert closed
    assert not closed[0]["can_link"]
    assert "pending" in closed[0]["reason"]
    async with runtime.engine.begin() as db:  # a program seen only in lines has no brand
        await db.execute(
            text("update program set brand = null where id = :id"), {"id": pending["id"]}
        )
    by_ip = await client.get("/v1/links/options", params={"url": "http://10.1.2.3/"}, headers=h)
    assert by_ip.json()["data"] == []
    bad = await client.get("/v1/links/options", params={"url": "nope"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "url"


async def test_the_check_follows_redirects_through_the_egress_guard(  # type: ignore[no-untyped-def]
    client, workspace, runtime, sandbox, awin, monkeypatch
) -> None:
    _connection_id, joined, _ = awin
    h = workspace["headers"]
    landing = f"{sandbox['awin']}/_sandbox/config?colour=blue"
    link = (
        f"{sandbox['awin']}/_click/www.awin1.com/cread.php?awinmid={joined['external_id']}"
        f"&awinaffid={joined['account_id']}&clickref=chk&ued={quote(landing, safe='')}"
    )
    refused = (await client.post("/v1/links/check", json={"url": link}, headers=h)).json()
    assert refused["ok"] is False
    assert "NETLEDGER_EGRESS_ALLOW" in refused["error"]
    assert refused["hops"][0]["error"] == refused["error"]

    allowed = runtime.settings.model_copy(update={"egress_allow": (ip_network("127.0.0.0/8"),)})
    monkeypatch.setattr(runtime, "settings", allowed)
    report = (await client.post("/v1/links/check", json={"url": link}, headers=h)).json()
    assert [hop["status"] for hop in report["hops"]] == [302, 200]
    assert report["hops"][0]["location"] == landing
    assert report["final_url"] == landing
    assert report["ok"] is True
    # Against the program's domain, a landing elsewhere is reported as such.
    judged = await client.post(
        "/v1/links/check", json={"url": link, "program_id": joined["id"]}, headers=h
    )
    assert judged.json()["expected_domain"] == joined["brand_id"]
    assert judged.json()["on_expected_domain"] is False
    assert judged.json()["tracking_intact"] is False
    bad = await client.post("/v1/links/check", json={"url": "javascript:alert(1)"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "url"


async def test_program_sync_on_demand_keeps_accounts_apart(client, workspace, settings) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    created = await client.post(
        "/v1/connections",
        json={"network": "awin", "credentials": CASES["awin"].credentials},
        headers=h,
    )
    connection = created.json()
    assert connection["program_sync"]["state"] == "queued"  # listed when connected
    again = await client.post(f"/v1/connections/{connection['id']}/programs/sync", headers=h)
    assert again.status_code == 202
    assert again.json()["state"] == "queued"
    await drain(settings)
    after = (await client.get(f"/v1/connections/{connection['id']}", headers=h)).json()
    assert after["program_sync"]["state"] == "succeeded"
    assert after["program_sync"]["synced_at"] is not None
    listed = await programs_of(client, h, connection["id"])
    seen = {(p["account_id"], p["external_id"]) for p in listed}
    first, second = CASES["awin"].accounts
    ours = ("joined", "pending", "suspended")
    both = {
        str(a.id)
        for a in account("awin", first, DataSpec(TODAY)).advertisers
        if a.relationship in ours
    } & {
        str(a.id)
        for a in account("awin", second, DataSpec(TODAY)).advertisers
        if a.relationship in ours
    }
    assert both, "the sandbox accounts share no programme: pick accounts that do"
    assert {(first, b) for b in both} | {(second, b) for b in both} <= seen
    missing = await client.post(f"/v1/connections/{uuid.uuid4()}/programs/sync", headers=h)
    assert missing.status_code == 404


async def test_amazon_links_carry_a_known_tracking_id(client, workspace, settings) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    connection_id = await amazon_connection(client, h)
    body = {
        "connection_id": connection_id,
        "destination_url": "https://www.amazon.com/dp/B0TEST0001?th=1&tag=someone-20",
    }
    made = await client.post("/v1/links", json=body, headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["url"] == "https://www.amazon.com/dp/B0TEST0001?th=1&tag=mysite-20"
    assert made.json()["program_id"] is None
    options = await client.get(
        "/v1/links/options", params={"url": body["destination_url"]}, headers=h
    )
    assert [
        (o["connection"]["id"], o["program"], o["can_link"]) for o in options.json()["data"]
    ] == [(connection_id, None, True)]
    elsewhere = await client.get(
        "/v1/links/options", params={"url": "https://www.amazon.co.uk/dp/B0TEST0001"}, headers=h
    )
    assert elsewhere.json()["data"] == []
    uk = body | {"destination_url": "https://www.amazon.co.uk/dp/B0TEST0001"}
    field, message = await problem(client, h, uk)
    assert (field, "amazon.com" in message) == ("destination_url", True)
    field, message = await problem(client, h, body | {"sub_id": "mysitereviews-20"})
    assert field == "sub_id"
    assert "mysite-20" in message

    # Once a report shows the tracking id, it is a sub-id, and its sales come back with it.
    report = EARNINGS_CSV.replace("mysite-20", "mysitereviews-20", 1)
    assert (
        await upload(client, h, connection_id, zip_of({"earnings.csv": report}))
    ).status_code == 202
    await drain(settings)
    tagged = await client.post("/v1/links", json=body | {"sub_id": "mysitereviews-20"}, headers=h)
    assert tagged.status_code == 201, tagged.text
    assert parse_qs(urlsplit(tagged.json()["url"]).query)["tag"] == ["mysitereviews-20"]
    sales = (
        await client.get("/v1/transactions", params={"click_ref": "mysitereviews-20"}, headers=h)
    ).json()
    assert len(sales["data"]) == 1


async def test_network_api_links_are_asked_once_and_cached(
    client, workspace, runtime, sandbox
) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    connection_id = await connect(client, h, "tune")
    assert await list_programs(runtime, connection_id) == "succeeded"
    program = linkable(await programs_of(client, h, connection_id))
    body = {
        "connection_id": connection_id,
        "program_id": program["id"],
        "destination_url": f"https://{program['domains'][0]}/sale",
        "sub_id": "cached1",
    }
    first = await client.post("/v1/links", json=body, headers=h)
    second = await client.post("/v1/links", json=body, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["method"] == "network_api"
    asked = [
        r
        for r in stats(sandbox["tune"])["requests"]
        if r["query"].get("Method") == "generateTrackingLink"
    ]
    assert len(asked) == 1
    other = await client.post("/v1/links", json=body | {"sub_id": "cached2"}, headers=h)
    assert other.json()["url"] != first.json()["url"]


async def test_a_batch_asks_a_network_what_it_needs_once(client, workspace, sandbox) -> None:  # type: ignore[no-untyped-def]
    # Skimlinks without a site on the connection: its links need the first registered one.
    h = workspace["headers"]
    connection_id = await connect(client, h, "skimlinks")
    before = stats(sandbox["skimlinks"])["total"]
    items = [
        {"connection_id": connection_id, "destination_url": f"https://www.example.com/p/{n}"}
        for n in range(3)
    ]
    made = (await client.post("/v1/links/batch", json={"items": items}, headers=h)).json()
    assert [r["link"]["method"] for r in made["data"]] == ["network_api"] * 3
    assert len({r["link"]["url"] for r in made["data"]}) == 3
    assert stats(sandbox["skimlinks"])["total"] - before <= 2  # a token and one site lookup
