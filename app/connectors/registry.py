"""Network slug -> connector class, found by module name, and building one for a
connection's credentials.

A network's connector is the `Connector` subclass in `app/connectors/<slug>.py` whose
`slug` is the module's name; nothing else needs to list it."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Mapping
from functools import cache

import httpx
from redis.asyncio import Redis

from app.catalog import CATALOG
from app.connectors.base import Connector
from app.connectors.http import NetworkHttp, RetryPolicy
from app.connectors.ratelimit import RequestBudget, budget_key, budgets_from_setting
from app.settings import Settings


@cache
def connectors() -> dict[str, type[Connector]]:
    """Every catalog network with a connector module."""
    found: dict[str, type[Connector]] = {}
    for slug in (network.slug for network in CATALOG):
        if importlib.util.find_spec(f"app.connectors.{slug}") is None:
            continue
        module = importlib.import_module(f"app.connectors.{slug}")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Connector)
            and getattr(value, "slug", None) == slug
        ]
        if len(classes) != 1:
            raise RuntimeError(f"app/connectors/{slug}.py must define one Connector for {slug!r}")
        found[slug] = classes[0]
    return found


def connector_class(slug: str) -> type[Connector] | None:
    return connectors().get(slug)


def build_connector(
    slug: str,
    credentials: Mapping[str, str],
    *,
    settings: Settings,
    client: httpx.AsyncClient,
    redis: Redis,
    retry: RetryPolicy | None = None,
    connection_id: str | None = None,
) -> Connector:
    """A ready connector: its HTTP view with base-URL override, shared budgets, the egress
    guard and redaction, and caches keyed to this connection alone."""
    cls = connectors()[slug]
    values = credentials if isinstance(credentials, dict) else dict(credentials)
    override = settings.network_rate_limits.get(slug)
    budgets = budgets_from_setting(override) if override is not None else cls.budgets
    account = budget_key(slug, cls.auth.budget_credential(values))
    every_value = "|".join(f"{k}={v}" for k, v in sorted(values.items()))
    connection_key = connection_id or hashlib.sha256(every_value.encode()).hexdigest()[:24]
    http = NetworkHttp(
        client,
        slug,
        base_url=settings.network_base_urls.get(slug),
        budget=RequestBudget(redis, account, budgets) if budgets else None,
        redis=redis,
        account=account,
        connection_key=connection_key,
        concurrency=cls.concurrency,
        retry=retry,
        secrets=values.values(),
        egress_allow=settings.egress_allow,
    )
    return cls(values, http)
