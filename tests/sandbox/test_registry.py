"""One registration: a sandbox module per catalog slug, and everything reads the registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from app.catalog import get_network, validate_credentials
from app.demo import DEMO_CONNECTIONS
from app.sandbox import registry
from app.sandbox.catalog import DEFAULT_ID_RANGE, id_range
from app.sandbox.expected import NETWORKS
from app.sandbox.registry import SandboxConnection
from app.sandbox.server import IMPLEMENTED
from tests.sandbox.support import SPEC, TODAY


def test_the_registry_is_what_the_servers_expected_rows_and_demo_read() -> None:
    slugs = registry.slugs()
    assert {"awin", "cj", "rakuten"} <= set(slugs)
    assert "amazon" not in slugs  # a catalog network without a sandbox module
    assert list(IMPLEMENTED) == list(NETWORKS) == list(slugs)
    demo = {(c["network"], c["nickname"]) for c in DEMO_CONNECTIONS}
    assert demo == {(s, c.nickname) for s in slugs for c in registry.connections(s)}
    with pytest.raises(KeyError):
        registry.module("amazon")


@pytest.mark.parametrize("slug", registry.slugs())
def test_every_sandbox_module_exports_the_convention(slug: str) -> None:
    module = registry.module(slug)
    assert isinstance(module.build_app(), Starlette)
    assert callable(module.expected)
    assert len(module.CONNECTIONS) >= 2
    network = get_network(slug)
    assert network is not None
    required = {f.key for f in network.fields if f.required}
    for connection in module.CONNECTIONS:
        assert isinstance(connection, SandboxConnection)
        assert set(connection.credentials) <= set(network.keys), connection.nickname
        assert required <= set(connection.credentials), connection.nickname
        assert validate_credentials(network, connection.credentials)
        assert connection.secret_key in connection.credentials
        assert network.field(connection.secret_key).secret
        assert connection.accounts
        assert connection.transactions_path.startswith("/")
        rows = module.expected(
            connection.accounts[0],
            0,
            SPEC,
            TODAY - timedelta(days=30),
            TODAY,
            **connection.options,
        )
        assert rows


def test_id_ranges_come_from_the_network_modules() -> None:
    assert id_range("awin") == (1000, 99999)
    assert id_range("cj") == (1000000, 9999999)
    assert id_range("rakuten") == (10000, 99999)
    assert id_range("amazon") == id_range("nonexistent") == DEFAULT_ID_RANGE
