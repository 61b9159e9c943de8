"""For every network with links: a link built through the API on a program the program
sync listed, clicked on the network's sandbox, comes back in the next sync as a sale of
that program carrying the link's sub-id as its `click_ref`."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.connectors.registry import connector_class
from app.links.domains import registrable
from app.sandbox import registry
from tests.connectors.support import CASES, TODAY, connector_for
from tests.links.support import (
    click,
    connect,
    destination_for,
    linkable,
    list_programs,
    programs_of,
)

LINKED = [
    slug
    for slug in registry.slugs()
    if (cls := connector_class(slug)) is not None and cls.links is not None
]
SUB_ID = "nlrt42"


@pytest.mark.parametrize("slug", LINKED)
async def test_sub_id_round_trip(slug, client, workspace, runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    headers = workspace["headers"]
    connection_id = await connect(client, headers, slug)
    assert await list_programs(runtime, connection_id) == "succeeded"
    fmt = connector_class(slug).links  # type: ignore[union-attr]
    program = None
    if fmt.needs_program:
        program = linkable(await programs_of(client, headers, connection_id))
    body = {
        "connection_id": connection_id,
        "destination_url": destination_for(program),
        "sub_id": SUB_ID,
    }
    if program:
        body["program_id"] = program["id"]
    response = await client.post("/v1/links", json=body, headers=headers)
    assert response.status_code == 201, response.text
    link = response.json()
    assert link["sub_id"] == SUB_ID
    assert link["network"] == slug
    assert link["program_id"] == (program["id"] if program else None)
    # On the network's click host, or on the merchant's own site where it tracks there.
    hosts = (*fmt.hosts, *(program["domains"] if fmt.on_program_domain and program else ()))
    host = urlsplit(link["url"]).hostname
    assert any(registrable(host) == registrable(h) for h in hosts), link["url"]

    clicked = click(sandbox[slug], link["url"])
    assert clicked.status_code in (301, 302, 303, 307), clicked.text
    assert clicked.headers["location"].startswith(body["destination_url"].split("?")[0])

    connector = connector_for(runtime, CASES[slug])
    sales = [
        t
        async for page in connector.transactions(TODAY - timedelta(days=2), TODAY)
        for t in page
        if t.click_ref == SUB_ID
    ]
    assert len(sales) == 1, f"{slug}: {len(sales)} sales carry the sub-id"
    if program:
        assert sales[0].advertiser_id == program["external_id"]
