"""Network slug -> connector class, and building one for a connection's credentials."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from redis.asyncio import Redis

from app.connectors.awin import Awin
from app.connectors.base import Connector
from app.connectors.cj import CJ
from app.connectors.http import NetworkHttp, RetryPolicy
from app.connectors.rakuten import Rakuten
from app.connectors.ratelimit import RequestBudget, budget_key
from app.settings import Settings

CONNECTORS: dict[str, type[Connector]] = {cls.slug: cls for cls in (Awin, CJ, Rakuten)}


def connector_class(slug: str) -> type[Connector] | None:
    return CONNECTORS.get(slug)


def build_connector(
    slug: str,
    credentials: Mapping[str, str],
    *,
    settings: Settings,
    client: httpx.AsyncClient,
    redis: Redis,
    retry: RetryPolicy | None = None,
) -> Connector:
    """A ready connector: its HTTP view with base-URL override, shared budget and redaction."""
    cls = CONNECTORS[slug]
    connector_settings = dict(credentials)
    per_minute = settings.network_rate_limits.get(slug, cls.per_minute)
    account = budget_key(slug, cls.auth.budget_credential(connector_settings))
    budget = RequestBudget(redis, account, per_minute) if per_minute else None
    http = NetworkHttp(
        client,
        slug,
        base_url=settings.network_base_urls.get(slug),
        budget=budget,
        redis=redis,
        account=account,
        concurrency=cls.concurrency,
        retry=retry,
        secrets=connector_settings.values(),
    )
    return cls(connector_settings, http)
