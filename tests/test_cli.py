"""The `netledger` command against the test database, as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from app.api.app import create_app


def netledger(settings, *args: str) -> dict:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "NETLEDGER_SECRET_KEY": ",".join(settings.secret_key),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


async def test_workspace_and_keys(settings, runtime) -> None:  # type: ignore[no-untyped-def]
    created = netledger(settings, "workspace", "create", "CLI Media", "--currency", "eur")
    assert set(created) == {"workspace_id", "api_key"}
    app = create_app(settings, runtime=runtime)
    app.state.runtime = runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        headers = {"Authorization": f"Bearer {created['api_key']}"}
        workspace = (await c.get("/v1/workspace", headers=headers)).json()
        assert workspace["currency"] == "EUR"
        assert workspace["name"] == "CLI Media"

        second = netledger(settings, "keys", "create", "--workspace-id", created["workspace_id"])
        other = {"Authorization": f"Bearer {second['api_key']}"}
        assert (await c.get("/v1/workspace", headers=other)).status_code == 200
        netledger(
            settings, "keys", "revoke", "--workspace-id", created["workspace_id"], second["key_id"]
        )
        assert (await c.get("/v1/workspace", headers=other)).status_code == 401
        assert (await c.get("/v1/workspace", headers=headers)).status_code == 200


def test_bad_currency_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "workspace", "create", "X", "--currency", "ABC"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "currency" in done.stderr
    assert "Traceback" not in done.stderr


async def test_secrets_rotate_reseals_with_the_new_key(
    client, workspace, settings, runtime
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from app.crypto import SecretBox

    created = await client.post(
        "/v1/connections",
        json={"network": "awin", "credentials": {"api_token": "t" * 36, "timezone": "UTC"}},
        headers=workspace["headers"],
    )
    rotated = settings.model_copy(update={"secret_key": ["brand-new-key", *settings.secret_key]})
    result = netledger(rotated, "secrets", "rotate")
    assert result == {"resealed_connections": 1}
    async with runtime.engine.connect() as db:
        blob = await db.scalar(text("select credentials_sealed from connection"))
    assert SecretBox(["brand-new-key"]).is_current(blob)
    assert created.status_code == 201
