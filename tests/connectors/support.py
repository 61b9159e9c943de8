"""What the connector tests share: a connector per network on the sandbox, and the exact
rows the sandbox serves. `CASES` has one case per sandbox network (`app.sandbox.registry`),
its first `CONNECTIONS` entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from app.connectors.base import Connector
from app.connectors.http import RetryPolicy
from app.connectors.registry import build_connector
from app.runtime import Runtime
from app.sandbox import registry
from app.sandbox.data import DataSpec, Txn
from app.sandbox.expected import expected_transactions
from app.sandbox.registry import SandboxConnection

FAST_RETRY = RetryPolicy(attempts=6, base=0.01, cap=0.05, rate_limit_floor=0.05)
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class Case:
    """One network in the contract suite: valid credentials, the accounts they reach, and
    how to ask the sandbox for the rows it serves them."""

    network: str
    credentials: dict[str, str]
    accounts: list[str]
    options: dict[str, Any] = field(default_factory=dict)
    secret_key: str = ""
    transactions_path: str = ""
    status_field: str | None = None
    money_field: str = "commission"
    order_field: str = "order_id"

    @classmethod
    def of(cls, network: str, connection: SandboxConnection) -> Case:
        return cls(
            network,
            dict(connection.credentials),
            list(connection.accounts),
            dict(connection.options),
            connection.secret_key,
            connection.transactions_path,
            connection.status_field,
            connection.money_field,
            connection.order_field,
        )

    def expected(self, start: date, end: date, epoch: int = 0) -> list[Txn]:
        rows: list[Txn] = []
        for account in self.accounts:
            rows += expected_transactions(
                self.network, account, epoch, start, end, spec=DataSpec(TODAY), **self.options
            )
        return rows


CASES = {slug: Case.of(slug, registry.connections(slug)[0]) for slug in registry.slugs()}


def connector_for(
    runtime: Runtime, case: Case, retry: RetryPolicy = FAST_RETRY, **overrides: str
) -> Connector:
    return build_connector(
        case.network,
        {**case.credentials, **overrides},
        settings=runtime.settings,
        client=runtime.http,
        redis=runtime.redis,
        retry=retry,
    )


def budgeted_connector(runtime: Runtime, case: Case, limits: dict[str, Any]) -> Connector:
    """A connector under `limits` (`NETLEDGER_NETWORK_RATE_LIMITS`'s shape; {} for the
    network's documented budgets) that gives up waiting after 0.2 s."""
    settings = runtime.settings.model_copy(update={"network_rate_limits": limits})
    return build_connector(
        case.network,
        case.credentials,
        settings=settings,
        client=runtime.http,
        redis=runtime.redis,
        retry=RetryPolicy(max_wait=0.2),
    )


def knobs(base_url: str, **values: Any) -> None:
    httpx.post(f"{base_url}/_sandbox/config", json=values, timeout=10).raise_for_status()


def stats(base_url: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{base_url}/_sandbox/stats", timeout=10).json()
    return body


def bump_epoch(base_url: str) -> None:
    httpx.post(f"{base_url}/_sandbox/epoch", timeout=10).raise_for_status()


def window(days: int = 100) -> tuple[date, date]:
    return TODAY - timedelta(days=days), TODAY
