"""Connections with their programs listed, links built through the API, and clicks on
them made against the sandbox networks."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.syncs.programs import run_program_sync
from tests.connectors.support import CASES


async def connect(client: httpx.AsyncClient, headers: dict, slug: str, **fields: str) -> str:
    """A connection to the network's first sandbox account, its programs listed."""
    body = {"network": slug, "credentials": {**CASES[slug].credentials, **fields}}
    response = await client.post("/v1/connections", json=body, headers=headers)
    assert response.status_code == 201, response.text
    connection_id: str = response.json()["id"]
    return connection_id


async def list_programs(runtime: Any, connection_id: str) -> str:
    return await run_program_sync(runtime, uuid.UUID(connection_id))


async def programs_of(
    client: httpx.AsyncClient, headers: dict, connection_id: str, **params: str
) -> list[dict]:
    response = await client.get(
        "/v1/programs",
        params={"connection_id": connection_id, "limit": 500, **params},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    data: list[dict] = response.json()["data"]
    return data


def linkable(programs: list[dict]) -> dict:
    """A joined program open to deep links, one with a domain when there is one."""
    joined = [p for p in programs if p["relationship"] == "joined" and p["deeplinks"] is not False]
    assert joined, f"no joined program open to deep links among {len(programs)}"
    return next((p for p in joined if p["domains"]), joined[0])


def destination_for(program: dict | None) -> str:
    domain = program["domains"][0] if program and program["domains"] else "www.example.com"
    return f"https://{domain}/products/roundtrip?colour=blue"


def click(sandbox_base: str, link: str) -> httpx.Response:
    """Open `link` on the network's sandbox (its host and path under `/_click/`)."""
    parts = urlsplit(link)
    path = f"/_click/{parts.netloc}{parts.path or '/'}"
    url = sandbox_base + path + (f"?{parts.query}" if parts.query else "")
    return httpx.get(url, follow_redirects=False, timeout=10)
