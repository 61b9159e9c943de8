"""One registration: a network's connector, sandbox and catalog entry are found by name,
and a connector reads exactly the credential keys its catalog form defines."""

from __future__ import annotations

import pytest

from app.catalog import get_network
from app.connectors.registry import connectors
from app.sandbox import registry
from tests.connectors.support import CASES, connector_for, window


class Recording(dict[str, str]):
    """Credentials that remember which keys were read."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def test_every_connector_has_a_sandbox_and_an_api_catalog_entry() -> None:
    for slug, cls in connectors().items():
        network = get_network(slug)
        assert network is not None, slug
        assert "api_sync" in network.capabilities, slug
        assert cls.name, slug
        assert slug in registry.slugs(), f"{slug} has a connector but no sandbox"


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
async def test_a_connector_reads_exactly_its_form(runtime, sandbox, case) -> None:  # type: ignore[no-untyped-def]
    network = get_network(case.network)
    assert network is not None
    form = {f.key for f in network.fields}
    required = {f.key for f in network.fields if f.required}
    credentials = Recording(dict(case.credentials))
    connector = connector_for(runtime, case)
    connector.credentials = credentials
    await connector.verify()
    async for _ in connector.transactions(*window(3)):
        pass
    async for _ in connector.programs():
        pass
    unused = set(type(connector).unused_credentials)
    assert credentials.read <= form, f"reads keys its form does not ask: {credentials.read - form}"
    assert required - unused <= credentials.read, (
        f"never reads required keys {required - unused - credentials.read}"
    )
    assert not unused & credentials.read, "a key declared unused is read"
