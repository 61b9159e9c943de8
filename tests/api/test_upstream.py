"""Requests that wait on a network answer within their bound: a network that hangs is a
504 naming it, one that cannot be reached a 502."""

from __future__ import annotations

import json
import time

from tests.connectors.support import CASES, knobs
from tests.links.support import connect, linkable, list_programs, programs_of


def bounded(runtime, monkeypatch, **changes) -> None:  # type: ignore[no-untyped-def]
    settings = runtime.settings.model_copy(update={"upstream_request_seconds": 0.5, **changes})
    monkeypatch.setattr(runtime, "settings", settings)


async def test_a_hanging_network_is_a_504_within_the_bound(  # type: ignore[no-untyped-def]
    client, workspace, runtime, sandbox, monkeypatch
) -> None:
    h = workspace["headers"]
    connection_id = await connect(client, h, "tune")
    assert await list_programs(runtime, connection_id) == "succeeded"
    program = linkable(await programs_of(client, h, connection_id))
    bounded(runtime, monkeypatch)
    knobs(sandbox["tune"], latency_ms=3000)

    started = time.monotonic()
    verified = await client.post(f"/v1/connections/{connection_id}/verify", headers=h)
    assert verified.status_code == 504
    assert verified.headers["content-type"].startswith("application/problem+json")
    assert "Tune" in verified.json()["detail"]
    assert verified.json()["network"] == "tune"

    body = {
        "connection_id": connection_id,
        "program_id": program["id"],
        "destination_url": f"https://{program['domains'][0]}/sale",
    }
    link = await client.post("/v1/links", json=body, headers=h)
    assert link.status_code == 504
    batch = await client.post("/v1/links/batch", json={"items": [body, body]}, headers=h)
    assert [r["problem"]["status"] for r in batch.json()["data"]] == [504, 504]
    # Four calls bounded at half a second each (the batch shares one bound), not 3 s each.
    assert time.monotonic() - started < 6


async def test_an_unreachable_network_is_a_502(client, workspace, runtime, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    created = await client.post(
        "/v1/connections", json={"network": "cj", "credentials": CASES["cj"].credentials}, headers=h
    )
    nowhere = {
        **json.loads(runtime.settings.model_dump_json())["network_base_urls"],
        "cj": "http://127.0.0.1:9",
    }
    bounded(runtime, monkeypatch, upstream_request_seconds=10.0, network_base_urls=nowhere)
    verified = await client.post(f"/v1/connections/{created.json()['id']}/verify", headers=h)
    assert verified.status_code == 502, verified.text
    assert "CJ" in verified.json()["detail"]
