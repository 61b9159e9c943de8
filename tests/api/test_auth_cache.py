"""The auth cache: keys seen valid are answered from Redis without the database, and
revoking a key or changing its workspace takes effect on the very next request."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from app.api.app import create_app
from app.auth import cache as auth_cache
from app.models import ApiKey, Workspace
from app.runtime import Runtime
from app.settings import Settings
from tests.factories import make_workspace


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@contextmanager
def counting_checkouts(runtime: Runtime) -> Iterator[list[int]]:
    """How many database connections are checked out inside the block."""
    count = [0]

    def checkout(*_: Any) -> None:
        count[0] += 1

    pool = runtime.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    try:
        yield count
    finally:
        event.remove(pool, "checkout", checkout)


async def new_key(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    created = await client.post("/v1/api-keys", json={"name": "second"}, headers=headers)
    assert created.status_code == 201
    body = created.json()
    return {
        "id": body["id"],
        "key": body["key"],
        "headers": {"Authorization": f"Bearer {body['key']}"},
    }


async def test_a_seen_key_authenticates_without_the_database(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    first = await client.get("/v1/workspace", headers=workspace["headers"])
    assert first.status_code == 200
    with counting_checkouts(runtime) as checkouts:
        second = await client.get("/v1/workspace", headers=workspace["headers"])
    assert second.status_code == 200
    assert second.json() == first.json()
    assert checkouts[0] == 0


async def test_redis_holds_hashes_never_keys(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    assert (await client.get("/v1/workspace", headers=workspace["headers"])).status_code == 200
    key = workspace["api_key"]
    secret = key.split("_", 2)[2]
    names = [name async for name in runtime.redis.scan_iter()]
    assert f"netledger:auth:key:{digest(key)}".encode() in names
    for name in names:
        assert secret.encode() not in name
        if await runtime.redis.type(name) == b"string":
            value = await runtime.redis.get(name)
            assert secret.encode() not in value
            assert key.encode() not in value


async def test_revoked_key_is_refused_on_the_next_request_though_cached(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    second = await new_key(client, workspace["headers"])
    for _ in range(2):  # the second answer comes from the cache
        assert (await client.get("/v1/workspace", headers=second["headers"])).status_code == 200
    revoked = await client.delete(f"/v1/api-keys/{second['id']}", headers=workspace["headers"])
    assert revoked.status_code == 200
    response = await client.get("/v1/workspace", headers=second["headers"])
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert (await client.get("/v1/workspace", headers=workspace["headers"])).status_code == 200


async def test_a_key_that_revokes_itself_is_refused_next(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    second = await new_key(client, workspace["headers"])
    assert (await client.get("/v1/workspace", headers=second["headers"])).status_code == 200
    revoked = await client.delete(f"/v1/api-keys/{second['id']}", headers=second["headers"])
    assert revoked.status_code == 200
    assert (await client.get("/v1/workspace", headers=second["headers"])).status_code == 401


async def test_workspace_changes_show_at_once_through_every_cached_key(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    second = await new_key(client, workspace["headers"])
    for headers in (workspace["headers"], second["headers"]):
        for _ in range(2):
            body = (await client.get("/v1/workspace", headers=headers)).json()
            assert (body["currency"], body["timezone"]) == ("USD", "UTC")
    changed = await client.patch(
        "/v1/workspace",
        json={"currency": "eur", "timezone": "Europe/Paris", "name": "Renamed"},
        headers=workspace["headers"],
    )
    assert changed.status_code == 200
    for headers in (second["headers"], workspace["headers"]):
        body = (await client.get("/v1/workspace", headers=headers)).json()
        assert (body["currency"], body["timezone"], body["name"]) == (
            "EUR",
            "Europe/Paris",
            "Renamed",
        )
        report = await client.get(
            "/v1/reports/performance", params={"group_by": "network"}, headers=headers
        )
        assert report.status_code == 200
        assert (report.json()["currency"], report.json()["timezone"]) == ("EUR", "Europe/Paris")


async def test_changes_through_a_cached_workspace_are_saved(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    assert (await client.get("/v1/workspace", headers=workspace["headers"])).status_code == 200
    # This PATCH authenticates from the cache: its workspace never came from the database.
    changed = await client.patch(
        "/v1/workspace", json={"currency": "GBP"}, headers=workspace["headers"]
    )
    assert changed.json()["currency"] == "GBP"
    async with runtime.sessions() as session:
        stored = await session.get(Workspace, workspace["id"])
        assert stored is not None
        assert stored.currency == "GBP"
        assert stored.name == "Example Media"


async def test_each_key_sees_its_own_workspace(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    other = await make_workspace(runtime, name="Other", currency="SEK")
    for _ in range(3):
        mine = (await client.get("/v1/workspace", headers=workspace["headers"])).json()
        theirs = (await client.get("/v1/workspace", headers=other["headers"])).json()
        assert (mine["id"], mine["currency"]) == (str(workspace["id"]), "USD")
        assert (theirs["id"], theirs["currency"]) == (str(other["id"]), "SEK")


async def test_bad_keys_are_refused_with_a_warm_cache(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    assert (await client.get("/v1/workspace", headers=workspace["headers"])).status_code == 200
    key = workspace["api_key"]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (tampered, key + "x", key.upper()):
        response = await client.get("/v1/workspace", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401


async def test_last_used_is_still_recorded(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    assert (await client.get("/v1/workspace", headers=workspace["headers"])).status_code == 200
    async with runtime.sessions() as session:
        used = await session.scalar(
            select(ApiKey.last_used_at).where(ApiKey.workspace_id == workspace["id"])
        )
    assert used is not None
    # Cached no longer than until last_used_at is next due (a minute after it).
    ttl = await runtime.redis.ttl(f"netledger:auth:key:{digest(workspace['api_key'])}")
    assert 0 < ttl <= 60


async def test_a_forgotten_key_is_fenced_against_stale_refills(runtime: Runtime) -> None:
    """A request that read the database before a revocation committed must not put the
    key back in the cache after the revocation cleared it."""
    workspace = Workspace(
        id=uuid.uuid4(), name="W", currency="USD", timezone="UTC", created_at=datetime(2024, 1, 1)
    )
    read_at = time.monotonic()  # the stale read
    assert await auth_cache.forget(runtime.redis, ["ab" * 32])  # the revocation
    await auth_cache.fill(runtime.redis, "ab" * 32, workspace, 60, read_at)
    assert await auth_cache.lookup(runtime.redis, "ab" * 32) is None
    # Unfenced keys fill, unless the read is older than the fill window.
    await auth_cache.fill(runtime.redis, "cd" * 32, workspace, 60, time.monotonic() - 60)
    assert await auth_cache.lookup(runtime.redis, "cd" * 32) is None
    await auth_cache.fill(runtime.redis, "cd" * 32, workspace, 60, time.monotonic())
    cached = await auth_cache.lookup(runtime.redis, "cd" * 32)
    assert cached is not None
    assert (cached.id, cached.currency) == (workspace.id, "USD")


async def test_a_malformed_entry_falls_back_to_the_database(
    client: httpx.AsyncClient, runtime: Runtime, workspace: dict
) -> None:
    name = f"netledger:auth:key:{digest(workspace['api_key'])}"
    await runtime.redis.set(name, json.dumps({"id": "not an id"}), ex=60)
    response = await client.get("/v1/workspace", headers=workspace["headers"])
    assert response.status_code == 200
    assert response.json()["id"] == str(workspace["id"])


@pytest.fixture
async def redis_down_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API with Redis unreachable (nothing listens on port 1)."""
    runtime = Runtime.build(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    app = create_app(settings, runtime=runtime)
    app.state.runtime = runtime
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://netledger.test") as c:
            yield c
    finally:
        await runtime.close()


async def test_without_redis_keys_authenticate_from_postgres(
    client: httpx.AsyncClient, redis_down_client: httpx.AsyncClient, workspace: dict
) -> None:
    second = await new_key(client, workspace["headers"])
    # Cached while Redis was up...
    assert (await client.get("/v1/workspace", headers=second["headers"])).status_code == 200
    down = redis_down_client
    for _ in range(2):
        response = await down.get("/v1/workspace", headers=second["headers"])
        assert response.status_code == 200
        assert response.json()["id"] == str(workspace["id"])
    assert (
        await down.get("/v1/workspace", headers={"Authorization": "Bearer x"})
    ).status_code == 401
    # ...revoked by a process that cannot reach Redis: Postgres refuses the key at once.
    revoked = await down.delete(f"/v1/api-keys/{second['id']}", headers=workspace["headers"])
    assert revoked.status_code == 200
    response = await down.get("/v1/workspace", headers=second["headers"])
    assert response.status_code == 401
