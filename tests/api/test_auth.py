import httpx
import pytest

from tests.factories import make_workspace


async def test_valid_key_is_accepted(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.get("/v1/workspace", headers=workspace["headers"])
    assert response.status_code == 200
    assert response.json()["id"] == str(workspace["id"])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "nl_abc"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer nl_000000000000_" + "x" * 43},
    ],
    ids=["missing", "no-scheme", "basic", "malformed", "unknown"],
)
async def test_bad_keys_get_401_problems(
    client: httpx.AsyncClient, workspace: dict, headers: dict
) -> None:
    response = await client.get("/v1/connections", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/unauthorized")
    assert body["detail"]


async def test_a_tampered_key_is_refused(client: httpx.AsyncClient, workspace: dict) -> None:
    key = workspace["api_key"]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    response = await client.get("/v1/connections", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401


async def test_revoked_key_gets_401(client: httpx.AsyncClient, workspace: dict) -> None:
    created = await client.post("/v1/api-keys", json={"name": "temp"}, headers=workspace["headers"])
    assert created.status_code == 201
    new_key = created.json()["key"]
    new_headers = {"Authorization": f"Bearer {new_key}"}
    assert (await client.get("/v1/workspace", headers=new_headers)).status_code == 200

    revoked = await client.delete(
        f"/v1/api-keys/{created.json()['id']}", headers=workspace["headers"]
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = await client.get("/v1/workspace", headers=new_headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


async def test_key_listing_never_shows_secrets(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.get("/v1/api-keys", headers=workspace["headers"])
    assert response.status_code == 200
    secret_part = workspace["api_key"].split("_", 2)[2]
    assert secret_part not in response.text
    assert len(response.json()) == 1


async def test_cannot_revoke_another_workspaces_key(
    client: httpx.AsyncClient, workspace: dict, runtime
) -> None:
    other = await make_workspace(runtime, name="Other")
    keys = (await client.get("/v1/api-keys", headers=other["headers"])).json()
    response = await client.delete(f"/v1/api-keys/{keys[0]['id']}", headers=workspace["headers"])
    assert response.status_code == 404
    assert (await client.get("/v1/workspace", headers=other["headers"])).status_code == 200


async def test_workspace_update_validates(client: httpx.AsyncClient, workspace: dict) -> None:
    bad = await client.patch(
        "/v1/workspace",
        json={"currency": "XYZ", "timezone": "Mars/Olympus"},
        headers=workspace["headers"],
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"currency", "timezone"}
    good = await client.patch(
        "/v1/workspace",
        json={"currency": "eur", "timezone": "Europe/Paris"},
        headers=workspace["headers"],
    )
    assert good.status_code == 200
    assert good.json()["currency"] == "EUR"
    assert good.json()["timezone"] == "Europe/Paris"
