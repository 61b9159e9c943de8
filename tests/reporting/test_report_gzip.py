"""Cached reports are stored gzip-compressed and sent as stored to clients that accept
gzip; other clients get the same JSON, decompressed."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.api.app import create_app
from app.db import transaction
from app.ledger.ingest import Target, ingest
from app.reporting.cache import accepts_gzip, bump, cached_gzip, cached_json
from app.runtime import Runtime
from app.settings import Settings
from tests.factories import make_workspace
from tests.reporting.test_performance import add_connection, line

PARAMS = {"start": "2024-03-01", "end": "2024-03-31", "group_by": "network,day"}


@pytest.fixture
async def ledger(runtime: Runtime) -> dict[str, Any]:
    """A USD workspace with a few CJ lines in March 2024."""
    ws = await make_workspace(runtime, currency="USD")
    cj = await add_connection(runtime, ws["id"], "cj", "CJ")
    lines = [
        line(f"c{day}", datetime(2024, 3, day, 12, tzinfo=UTC), f"{day}.00", "USD")
        for day in (1, 5, 9, 30)
    ]
    async with transaction(runtime.sessions) as session:
        await ingest(session, Target(ws["id"], cj, "cj", "UTC"), lines)
    return ws


async def raw_get(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str] = PARAMS
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent (not decoded by the client)."""
    async with client.stream(
        "GET", "/v1/reports/performance", params=params, headers=headers
    ) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


@pytest.mark.parametrize("warm", [False, True], ids=["computed", "from-cache"])
async def test_gzip_clients_get_the_stored_bytes(
    client: httpx.AsyncClient, ledger: dict, warm: bool
) -> None:
    headers = {**ledger["headers"], "Accept-Encoding": "gzip"}
    if warm:
        await raw_get(client, headers)
    response, body = await raw_get(client, headers)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "application/json"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) == len(body)
    report = json.loads(gzip.decompress(body))
    assert report["group_by"] == ["network", "day"]
    assert any(row["network"] == "cj" for row in report["data"])


@pytest.mark.parametrize("accept_encoding", ["identity", "gzip;q=0, identity", "br", None])
async def test_other_clients_get_plain_json(
    client: httpx.AsyncClient, ledger: dict, accept_encoding: str | None
) -> None:
    gzipped = json.loads(
        gzip.decompress(
            (await raw_get(client, {**ledger["headers"], "Accept-Encoding": "gzip"}))[1]
        )
    )
    headers = dict(ledger["headers"])
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    request = client.build_request("GET", "/v1/reports/performance", params=PARAMS, headers=headers)
    if accept_encoding is None:
        del request.headers["Accept-Encoding"]
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert "accept-encoding" in response.headers["vary"].lower()
    assert json.loads(body) == gzipped


async def test_csv_is_unaffected(client: httpx.AsyncClient, ledger: dict) -> None:
    headers = {**ledger["headers"], "Accept": "text/csv", "Accept-Encoding": "gzip"}
    for _ in range(2):  # computed, then from the cache
        response, body = await raw_get(client, headers)
        assert response.headers["content-type"].startswith("text/csv")
        assert "content-encoding" not in response.headers
        assert body.decode().splitlines()[0].startswith("network,day,")


async def test_the_cache_holds_gzip(
    client: httpx.AsyncClient, runtime: Runtime, ledger: dict
) -> None:
    await raw_get(client, ledger["headers"])
    names = [name async for name in runtime.redis.scan_iter("netledger:report:*")]
    assert names
    for name in names:
        assert (await runtime.redis.hget(name, "body"))[:2] == b"\x1f\x8b"


async def test_each_workspace_gets_its_own_report(
    client: httpx.AsyncClient, runtime: Runtime, ledger: dict
) -> None:
    other = await make_workspace(runtime, name="Other")
    for _ in range(2):
        for headers, rows in ((ledger["headers"], True), (other["headers"], False)):
            _, body = await raw_get(client, {**headers, "Accept-Encoding": "gzip"})
            assert bool(json.loads(gzip.decompress(body))["data"]) is rows


async def test_scripts_reload_after_redis_forgets_them(
    client: httpx.AsyncClient, runtime: Runtime, ledger: dict
) -> None:
    headers = {**ledger["headers"], "Accept-Encoding": "gzip"}
    first = (await raw_get(client, headers))[1]
    await runtime.redis.script_flush()
    response, second = await raw_get(client, headers)
    assert response.status_code == 200
    assert second == first


async def test_a_hit_needs_the_versions_it_was_stored_under(runtime: Runtime) -> None:
    workspace_id = uuid.uuid4()
    calls: list[int] = []

    async def compute() -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    async def get() -> Any:
        return json.loads(await cached_json(runtime.redis, workspace_id, "t", {}, compute))

    assert await get() == {"n": 1}
    assert await get() == {"n": 1}
    await bump(runtime.redis, workspace_id)
    assert await get() == {"n": 2}

    async def racing() -> dict[str, Any]:
        # A write lands (and bumps) while the report is being computed.
        await bump(runtime.redis, workspace_id)
        return {"n": "raced"}

    body = await cached_gzip(runtime.redis, workspace_id, "t", {"other": 1}, racing)
    assert json.loads(body.json()) == {"n": "raced"}
    # Not stored: it would have been stale already.
    after = await cached_gzip(runtime.redis, workspace_id, "t", {"other": 1}, compute)
    assert json.loads(after.json()) == {"n": 3}


async def test_reports_are_computed_when_redis_is_down(
    settings: Settings, ledger: dict, runtime: Runtime
) -> None:
    down = Runtime.build(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    app = create_app(settings, runtime=down)
    app.state.runtime = down
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response, body = await raw_get(client, {**ledger["headers"], "Accept-Encoding": "gzip"})
    finally:
        await down.close()
    assert response.status_code == 200
    assert json.loads(gzip.decompress(body))["data"]


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate, GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, *", False),
        ("*;q=0", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=nonsense", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_encoding(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted
