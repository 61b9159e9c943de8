import httpx
from fastapi import FastAPI

from app.api.app import create_app


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/not-found")


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.put("/v1/connections", headers=workspace["headers"])
    assert response.status_code == 405
    body = response.json()
    assert body["status"] == 405
    assert response.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_422(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.post(
        "/v1/connections",
        content=b"{not json",
        headers={**workspace["headers"], "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"]


async def test_oversized_body_is_413(client: httpx.AsyncClient, workspace: dict) -> None:
    response = await client.post(
        "/v1/connections",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**workspace["headers"], "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


async def test_unexpected_errors_leak_nothing(runtime, settings) -> None:
    app: FastAPI = create_app(settings, runtime=runtime)
    app.state.runtime = runtime

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 42")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["status"] == 500
