"""The committed `openapi.yaml` is a valid OpenAPI document, and a client generated from it
(openapi-python-client, as an SDK user would run it) talks to the real app: typed models
in, typed models out, errors parsed as RFC 9457 problems."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from app.api.app import create_app
from app.runtime import Runtime
from app.settings import Settings

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
PACKAGE = "netledger_sdk"


def test_the_committed_document_is_valid_openapi() -> None:
    validate(yaml.safe_load(SPEC.read_text()))


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("sdk")
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter needed to use the code
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _client(sdk: ModuleType, runtime: Runtime, settings: Settings, key: str | None) -> Any:
    app = create_app(settings, runtime=runtime)
    app.state.runtime = runtime
    base = "http://netledger.test"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    http = httpx.AsyncClient(transport=transport, base_url=base, headers=headers)
    if key is None:
        return sdk.Client(base_url=base).set_async_httpx_client(http)
    return sdk.AuthenticatedClient(base_url=base, token=key).set_async_httpx_client(http)


async def test_a_generated_client_works_against_the_app(
    sdk: ModuleType, runtime: Runtime, settings: Settings, workspace: dict[str, Any]
) -> None:
    models = _module("models")
    public = _client(sdk, runtime, settings, None)
    networks = await _module("api.networks.list_networks").asyncio(client=public, q="kwanko")
    assert isinstance(networks, models.NetworkList)
    assert [n.slug for n in networks.data] == ["netaffiliation"]

    client = _client(sdk, runtime, settings, workspace["api_key"])
    create = _module("api.connections.create_connection")
    body = models.ConnectionCreate.from_dict(
        {"network": "awin", "credentials": {"api_token": "t" * 36, "timezone": "Europe/London"}}
    )
    created = await create.asyncio(client=client, body=body)
    assert isinstance(created, models.ConnectionOut)
    assert created.network == "awin"
    assert created.secrets.to_dict() == {"api_token": {"set": True, "last4": "tttt"}}

    bad = models.ConnectionCreate.from_dict({"network": "awin", "credentials": {}})
    problem = await create.asyncio(client=client, body=bad)
    assert isinstance(problem, models.Problem)
    assert problem.status == 422
    assert {e.field for e in problem.errors} == {"credentials.api_token", "credentials.timezone"}

    report = await _module("api.reports.performance_report").asyncio(
        client=client, group_by="network"
    )
    assert isinstance(report, models.PerformanceReport)
    assert report.currency == "USD"
    assert report.data == []

    listed = await _module("api.connections.list_connections").asyncio(client=client)
    assert [c.id for c in listed.data] == [created.id]

    links = await _module("api.links.create_links").asyncio(
        client=client,
        body=models.LinkBatch.from_dict(
            {
                "items": [
                    {"connection_id": str(created.id), "destination_url": "https://x.example/"},
                    {"connection_id": str(created.id), "destination_url": "nope"},
                ]
            }
        ),
    )
    assert isinstance(links, models.LinkBatchOut)
    assert [r.problem.errors[0].field for r in links.data] == ["program_id", "destination_url"]
