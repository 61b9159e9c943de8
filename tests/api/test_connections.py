import httpx
import pytest
from sqlalchemy import text

from app.runtime import Runtime
from tests.factories import make_workspace

AWIN_TOKEN = "d6a3b1c2-0f4e-4b8a-9c77-5e2f1a0b9c8d"
AWIN = {"network": "awin", "credentials": {"api_token": AWIN_TOKEN, "timezone": "Europe/London"}}
CJ = {
    "network": "cj",
    "nickname": "CJ main",
    "credentials": {
        "username": "pub@example.com",
        "password": "correct horse battery staple",
        "personal_access_token": "abcdefghijklmnopqrstuvwxyz",
        "company_id": "1234567",
    },
}


async def create(client: httpx.AsyncClient, headers: dict, body: dict) -> dict:
    response = await client.post("/v1/connections", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_defaults_nickname_and_hides_secrets(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    connection = await create(client, workspace["headers"], AWIN)
    assert connection["nickname"] == "Awin"
    assert connection["network"] == "awin"
    assert connection["status"] == "active"
    assert connection["settings"] == {"timezone": "Europe/London"}
    assert connection["secrets"] == {"api_token": {"set": True, "last4": AWIN_TOKEN[-4:]}}
    assert connection["last_error"] is None
    assert AWIN_TOKEN not in str(connection)


async def test_short_secrets_show_no_characters(client: httpx.AsyncClient, workspace: dict) -> None:
    connection = await create(client, workspace["headers"], CJ)
    assert connection["secrets"]["personal_access_token"]["last4"] == "wxyz"
    assert connection["nickname"] == "CJ main"
    assert connection["settings"]["username"] == "pub@example.com"
    assert "password" not in connection["settings"]
    assert connection["secrets"]["password"] == {"set": True, "last4": "aple"}


async def test_several_accounts_on_one_network(client: httpx.AsyncClient, workspace: dict) -> None:
    first = await create(client, workspace["headers"], AWIN)
    second = await create(client, workspace["headers"], {**AWIN, "nickname": "Awin DE"})
    assert first["id"] != second["id"]
    listed = await client.get("/v1/connections?network=awin", headers=workspace["headers"])
    assert [c["nickname"] for c in listed.json()["data"]] == ["Awin", "Awin DE"]


async def test_list_paginates_with_cursor(client: httpx.AsyncClient, workspace: dict) -> None:
    ids = [(await create(client, workspace["headers"], AWIN))["id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/v1/connections", params=params, headers=workspace["headers"])
        ).json()
        seen += [c["id"] for c in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3


async def test_bad_cursor_is_422(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.get("/v1/connections?cursor=nonsense", headers=workspace["headers"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"network": "nope", "credentials": {}}, {"network"}),
        ({"network": "awin", "credentials": {}}, {"credentials.api_token"}),
        (
            {"network": "awin", "credentials": {"api_token": "x" * 20, "colour": "red"}},
            {"credentials.colour"},
        ),
        (
            {"network": "cj", "credentials": {"username": "u"}},
            {"credentials.password", "credentials.personal_access_token", "credentials.company_id"},
        ),
        ({"credentials": {}}, {"network"}),
        ({"network": "awin", "credentials": "token"}, {"credentials"}),
        ({"network": "awin", "credentials": {"api_token": "x" * 20}, "extra": 1}, {"extra"}),
    ],
    ids=[
        "unknown-network",
        "missing",
        "unknown-field",
        "several",
        "no-network",
        "not-object",
        "extra",
    ],
)
async def test_bad_input_names_every_field_and_writes_nothing(
    client: httpx.AsyncClient, workspace: dict, runtime: Runtime, body: dict, fields: set
) -> None:
    response = await client.post("/v1/connections", json=body, headers=workspace["headers"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert {e["field"] for e in problem["errors"]} >= fields
    async with runtime.engine.connect() as connection:
        assert await connection.scalar(text("select count(*) from connection")) == 0


async def test_patch_renames_pauses_and_resumes(client: httpx.AsyncClient, workspace: dict) -> None:
    connection = await create(client, workspace["headers"], AWIN)
    url = f"/v1/connections/{connection['id']}"
    renamed = await client.patch(url, json={"nickname": "Awin UK"}, headers=workspace["headers"])
    assert renamed.json()["nickname"] == "Awin UK"
    paused = await client.patch(url, json={"paused": True}, headers=workspace["headers"])
    assert paused.json()["status"] == "paused"
    resumed = await client.patch(url, json={"paused": False}, headers=workspace["headers"])
    assert resumed.json()["status"] == "active"


async def test_patch_replaces_credentials(
    client: httpx.AsyncClient, workspace: dict, runtime: Runtime
) -> None:
    connection = await create(client, workspace["headers"], AWIN)
    url = f"/v1/connections/{connection['id']}"
    new_token = "e7b4c2d3-1a5f-4c9b-8d88-6f3a2b1c0d9e"
    response = await client.patch(
        url, json={"credentials": {"api_token": new_token}}, headers=workspace["headers"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["secrets"]["api_token"]["last4"] == new_token[-4:]
    assert body["settings"] == {"timezone": "Europe/London"}
    bad = await client.patch(
        url, json={"credentials": {"api_token": None}}, headers=workspace["headers"]
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "credentials.api_token"


async def test_auth_failed_connection_resumes_with_new_credentials(
    client: httpx.AsyncClient, workspace: dict, runtime: Runtime
) -> None:
    connection = await create(client, workspace["headers"], AWIN)
    async with runtime.engine.begin() as db:
        await db.execute(
            text(
                "update connection set status='auth_failed', last_error_code='auth_failed', "
                "last_error_message='token refused' where id=:id"
            ),
            {"id": connection["id"]},
        )
    url = f"/v1/connections/{connection['id']}"
    shown = (await client.get(url, headers=workspace["headers"])).json()
    assert shown["last_error"]["code"] == "auth_failed"
    refused = await client.patch(url, json={"paused": False}, headers=workspace["headers"])
    assert refused.status_code == 422
    fixed = await client.patch(
        url, json={"credentials": {"api_token": "f" * 36}}, headers=workspace["headers"]
    )
    assert fixed.json()["status"] == "active"
    assert fixed.json()["last_error"] is None


async def test_delete(client: httpx.AsyncClient, workspace: dict) -> None:
    connection = await create(client, workspace["headers"], AWIN)
    url = f"/v1/connections/{connection['id']}"
    assert (await client.delete(url, headers=workspace["headers"])).status_code == 204
    assert (await client.get(url, headers=workspace["headers"])).status_code == 404
    assert (await client.delete(url, headers=workspace["headers"])).status_code == 404


async def test_secrets_are_not_stored_in_plaintext(
    client: httpx.AsyncClient, workspace: dict, runtime: Runtime
) -> None:
    await create(client, workspace["headers"], AWIN)
    await create(client, workspace["headers"], CJ)
    async with runtime.engine.connect() as connection:
        dump = await connection.scalar(text("select string_agg(c::text, '|') from connection c"))
        raw = await connection.scalar(
            text("select string_agg(encode(credentials_sealed, 'escape'), '|') from connection")
        )
    for secret in (AWIN_TOKEN, "correct horse battery staple", "abcdefghijklmnopqrstuvwxyz"):
        assert secret not in dump
        assert secret not in raw
    assert "pub@example.com" in dump  # non-secret settings stay readable


async def test_secrets_never_reach_the_logs(
    client: httpx.AsyncClient, workspace: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    connection = await create(client, workspace["headers"], CJ)
    await client.patch(
        f"/v1/connections/{connection['id']}",
        json={"credentials": {"password": "another secret phrase"}},
        headers=workspace["headers"],
    )
    await client.post(
        "/v1/connections",
        json={"network": "cj", "credentials": {"password": "leaky-password-123"}},
        headers=workspace["headers"],
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("correct horse battery staple", "another secret phrase", "leaky-password-123"):
        assert secret not in logged
    assert workspace["api_key"] not in logged


async def test_validation_errors_do_not_echo_secrets(
    client: httpx.AsyncClient, workspace: dict
) -> None:
    response = await client.post(
        "/v1/connections",
        json={
            "network": "cj",
            "credentials": {"password": "p" * 5000, "unknown_secret": "zz-top-9"},
        },
        headers=workspace["headers"],
    )
    assert response.status_code == 422
    assert "p" * 100 not in response.text
    assert "zz-top-9" not in response.text


async def test_workspaces_are_isolated(
    client: httpx.AsyncClient, workspace: dict, runtime: Runtime
) -> None:
    mine = await create(client, workspace["headers"], AWIN)
    other = await make_workspace(runtime, name="Other Media")
    theirs = await create(client, other["headers"], CJ)

    listed = (await client.get("/v1/connections", headers=workspace["headers"])).json()
    assert [c["id"] for c in listed["data"]] == [mine["id"]]
    url = f"/v1/connections/{theirs['id']}"
    assert (await client.get(url, headers=workspace["headers"])).status_code == 404
    patched = await client.patch(url, json={"nickname": "mine now"}, headers=workspace["headers"])
    assert patched.status_code == 404
    assert (await client.delete(url, headers=workspace["headers"])).status_code == 404
    still = (await client.get(url, headers=other["headers"])).json()
    assert still["nickname"] == "CJ main"


async def test_unknown_id_forms(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.get("/v1/connections/not-a-uuid", headers=workspace["headers"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "connection_id"
