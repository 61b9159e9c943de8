"""Text Postgres cannot store (the NUL character) is a 422 naming where it arrived, and a
body that is not JSON is one documented problem: never a 500."""

from __future__ import annotations

import uuid

import pytest

from tests.uploads.test_uploads import amazon_connection


async def field_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    field: str = response.json()["errors"][0]["field"]
    return field


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/programs", "q"),
        ("/v1/brands", "q"),
        ("/v1/transactions", "click_ref"),
        ("/v1/links/options", "url"),
        ("/v1/networks", "q"),
    ],
)
async def test_in_a_query(client, workspace, path: str, param: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(path, params={param: "a\x00b"}, headers=workspace["headers"])
    assert await field_of(response) == param


async def test_in_a_path_or_a_json_body(client, workspace) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    assert await field_of(await client.get("/v1/brands/a%00b.example", headers=h)) == "path"
    body = {"network": "awin", "nickname": "x\x00", "credentials": {"api_token": "t"}}
    assert await field_of(await client.post("/v1/connections", json=body, headers=h)) == "nickname"
    secret = {"network": "awin", "credentials": {"api_token": "t\x00", "timezone": "UTC"}}
    created = await client.post("/v1/connections", json=secret, headers=h)
    assert await field_of(created) == "credentials.api_token"
    items = [{"connection_id": str(uuid.uuid4()), "destination_url": "https://a.example/\x00"}]
    batch = await client.post("/v1/links/batch", json={"items": items}, headers=h)
    assert await field_of(batch) == "items.0.destination_url"


async def test_in_an_upload_file_name(client, workspace) -> None:  # type: ignore[no-untyped-def]
    h = workspace["headers"]
    connection_id = await amazon_connection(client, h)
    # Written by hand: an HTTP client escapes the name, a hostile one need not.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x00.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\nPK\r\n--b--\r\n"
    )
    response = await client.post(
        f"/v1/connections/{connection_id}/uploads",
        content=body,
        headers={**h, "content-type": "multipart/form-data; boundary=b"},
    )
    assert await field_of(response) == "file"


async def test_a_body_that_is_not_json(client, workspace) -> None:  # type: ignore[no-untyped-def]
    headers = {**workspace["headers"], "content-type": "application/json"}
    response = await client.post("/v1/connections", content=b"{not json", headers=headers)
    assert await field_of(response) == "body"
    assert response.json()["errors"][0]["message"] == "is not valid JSON"
