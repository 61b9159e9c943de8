"""The one HTTP layer every connector goes through.

Timeouts, retries with exponential backoff and full jitter on timeouts, 5xx and 429
(honouring `Retry-After`), a per-network cap on concurrent requests in this process, a
per-credential request budget shared through Redis, failures sorted by `errors.classify_status`,
and the operator's base-URL overrides (`NETLEDGER_NETWORK_BASE_URLS`: host replaced, path kept).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from redis.asyncio import Redis

from app.connectors.errors import (
    ConnectorError,
    CredentialsRejected,
    RateLimited,
    TransientError,
    classify_status,
)
from app.connectors.ratelimit import RequestBudget
from app.logging import redact

log = logging.getLogger("netledger.connectors")

_SEMAPHORES: dict[tuple[str, str, int], asyncio.Semaphore] = {}


def network_semaphore(network: str, account: str, concurrency: int) -> asyncio.Semaphore:
    """This process's cap on concurrent requests to one network for one account (networks
    limit each credential, so two accounts never wait for each other)."""
    key = (network, account, concurrency)
    if key not in _SEMAPHORES:
        _SEMAPHORES[key] = asyncio.Semaphore(concurrency)
    return _SEMAPHORES[key]


@dataclass(frozen=True)
class RequestSpec:
    """One request, described; auth strategies and paginators derive new specs from it."""

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    content: bytes | None = None

    def with_params(self, **params: Any) -> RequestSpec:
        return replace(self, params={**self.params, **params})

    def with_headers(self, **headers: str) -> RequestSpec:
        return replace(self, headers={**self.headers, **headers})


def rebase(url: str, base_url: str | None) -> str:
    """Replace scheme and host of `url` with those of `base_url`, keeping path and query."""
    if not base_url:
        return url
    target = urlsplit(base_url)
    parts = urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else None


@dataclass
class RetryPolicy:
    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    # When a 429 carries no Retry-After, wait at least this long (networks with per-minute
    # limits and no headers, such as Awin, need most of a minute).
    rate_limit_floor: float = 5.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


class NetworkHttp:
    """A network's view of the shared client, for one connection's credentials."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        network: str,
        *,
        base_url: str | None = None,
        budget: RequestBudget | None = None,
        redis: Redis | None = None,
        account: str = "",
        concurrency: int = 4,
        retry: RetryPolicy | None = None,
        secrets: Iterable[str] = (),
        timeout: float = 60.0,
    ) -> None:
        self.client = client
        self.network = network
        self.base_url = base_url
        self.budget = budget
        self.redis = redis
        self.semaphore = network_semaphore(network, account, concurrency)
        self.retry = retry or RetryPolicy()
        self.secrets = [s for s in secrets if s and len(s) >= 4]
        self.timeout = timeout
        self.requests = 0

    def scrub(self, text: str) -> str:
        """`text` with this connection's secrets and anything secret-shaped removed."""
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return redact(text)

    async def send(self, spec: RequestSpec) -> httpx.Response:
        """Send with retries; return a 2xx/3xx response or raise a ConnectorError."""
        last: ConnectorError | None = None
        for attempt in range(self.retry.attempts):
            try:
                return await self._send_once(spec)
            except (RateLimited, TransientError) as exc:
                last = exc
                wait = self.retry.backoff(attempt)
                if isinstance(exc, RateLimited):
                    wait = max(wait, exc.retry_after or self.retry.rate_limit_floor)
                log.warning(
                    "%s: %s (attempt %d/%d), retrying in %.1fs",
                    self.network,
                    exc.message,
                    attempt + 1,
                    self.retry.attempts,
                    wait,
                )
                await asyncio.sleep(wait)
        assert last is not None
        raise last

    async def _send_once(self, spec: RequestSpec) -> httpx.Response:
        if self.budget is not None:
            await self.budget.take()
        url = rebase(spec.url, self.base_url)
        async with self.semaphore:
            self.requests += 1
            try:
                response = await self.client.request(
                    spec.method,
                    url,
                    params=spec.params or None,
                    headers=spec.headers or None,
                    json=spec.json,
                    data=spec.data,
                    content=spec.content,
                    timeout=self.timeout,
                )
            except httpx.TimeoutException as exc:
                raise TransientError(
                    self.network, f"timed out calling {spec.method} {urlsplit(url).path}"
                ) from exc
            except httpx.TransportError as exc:
                raise TransientError(
                    self.network, f"could not reach {urlsplit(url).netloc}: {type(exc).__name__}"
                ) from exc
        error = classify_status(response.status_code)
        if error is None:
            return response
        snippet = self.scrub(response.text[:300])
        path = urlsplit(url).path
        message = f"{spec.method} {path} answered {response.status_code}: {snippet}"
        if error is RateLimited:
            raise RateLimited(
                self.network, message, retry_after_seconds(response.headers.get("retry-after"))
            )
        if error is CredentialsRejected:
            raise CredentialsRejected(self.network, message)
        raise error(self.network, message)
