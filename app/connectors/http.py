"""The one HTTP layer every connector goes through.

Timeouts, retries with exponential backoff and full jitter on timeouts, 5xx and 429
(honouring `Retry-After`, capped: a longer pause ends the run with its resume time), a
per-account cap on concurrent requests in this process, per-credential request budgets
shared through Redis, failures sorted by `errors.classify_status` or by the connector's own
reading of the body (inside the retry loop), a cap on response size, the egress guard for
hosts a user supplied, and the operator's base-URL overrides (`NETLEDGER_NETWORK_BASE_URLS`:
host replaced, path kept; trusted).
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import logging
import random
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network, IPv6Network
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit, urlunsplit

import httpx
from redis.asyncio import Redis

from app.connectors.egress import EgressRefused, check_url
from app.connectors.errors import (
    BadPayload,
    ConnectorError,
    HostRefused,
    QuotaSpent,
    RateLimited,
    TransientError,
    classify_status,
)
from app.connectors.ratelimit import BudgetExhausted, RequestBudget
from app.logging import redact

T = TypeVar("T")

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
    # The host came from the user (a publisher's own domain, a feed URL): egress-checked.
    user_host: bool = False

    def with_params(self, **params: Any) -> RequestSpec:
        return replace(self, params={**self.params, **params})

    def with_headers(self, **headers: str) -> RequestSpec:
        return replace(self, headers={**self.headers, **headers})

    def with_form(self, **fields: str) -> RequestSpec:
        return replace(self, data={**(self.data or {}), **fields})


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
    # The longest pause a job takes for a network (Retry-After or a spent budget); past it
    # the run stops and says when it can resume instead of holding a worker for hours.
    max_wait: float = 300.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


# The most a network may send in one response; a larger body is refused, not buffered.
MAX_BODY_BYTES = 64 * 1024 * 1024

Read = Callable[[httpx.Response], T]


def raise_for_status(network: str, response: httpx.Response, scrub: Callable[[str], str]) -> None:
    """Raise the ConnectorError a status means (see `errors.classify_status`), or nothing."""
    error = classify_status(response.status_code)
    if error is None:
        return
    snippet = scrub(response.text[:300])
    request = response.request
    message = f"{request.method} {request.url.path} answered {response.status_code}: {snippet}"
    if error is RateLimited:
        raise RateLimited(
            network, message, retry_after_seconds(response.headers.get("retry-after"))
        )
    raise error(network, message)


class NetworkHttp:
    """A network's view of the shared client, for one connection's credentials.

    The shared client keeps no cookies: whatever a connection holds (a session cookie, a
    token) lives with that connection's auth strategy, never in the client."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        network: str,
        *,
        base_url: str | None = None,
        budget: RequestBudget | None = None,
        redis: Redis | None = None,
        account: str = "",
        connection_key: str = "",
        concurrency: int = 4,
        retry: RetryPolicy | None = None,
        secrets: Iterable[str] = (),
        timeout: float = 60.0,
        egress_allow: Sequence[IPv4Network | IPv6Network] = (),
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.client = client
        self.network = network
        self.base_url = base_url
        self.budget = budget
        self.redis = redis
        self.account = account
        # Keys what this connection caches (tokens, sessions): never shared with another.
        self.connection_key = connection_key or account
        self.semaphore = network_semaphore(network, account, concurrency)
        self.retry = retry or RetryPolicy()
        self.secrets = [s for s in secrets if s and len(s) >= 4]
        self.timeout = timeout
        self.egress_allow = tuple(egress_allow)
        self.max_body_bytes = max_body_bytes
        self.requests = 0
        self._checked_hosts: set[str] = set()

    def scrub(self, text: str) -> str:
        """`text` with this connection's secrets and anything secret-shaped removed."""
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return redact(text)

    @overload
    async def send(self, spec: RequestSpec) -> httpx.Response: ...

    @overload
    async def send(self, spec: RequestSpec, read: Read[T]) -> T: ...

    async def send(self, spec: RequestSpec, read: Read[T] | None = None) -> T | httpx.Response:
        """Send with retries and return `read(response)` (by default the response itself,
        after a status check). `read` runs inside the retry loop: a failure it finds in the
        body (`RateLimited`, `TransientError`) is retried exactly like a status code."""
        last: ConnectorError | None = None
        for attempt in range(self.retry.attempts):
            try:
                response = await self._send_once(spec)
                if read is None:
                    raise_for_status(self.network, response, self.scrub)
                    return response
                return read(response)
            except (RateLimited, TransientError) as exc:
                last = exc
                wait = self.retry.backoff(attempt)
                if isinstance(exc, RateLimited):
                    wait = max(wait, exc.retry_after or self.retry.rate_limit_floor)
                    if wait > self.retry.max_wait:
                        raise self._quota_spent(exc.message, wait) from exc
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

    def _quota_spent(self, message: str, wait: float) -> QuotaSpent:
        resume_at = datetime.now(UTC) + timedelta(seconds=wait)
        return QuotaSpent(
            self.network,
            f"{message}; the network's limit frees at {resume_at:%Y-%m-%d %H:%M} UTC",
            resume_at,
        )

    async def _check_egress(self, url: str, trusted: bool) -> None:
        """User-supplied hosts may not point inside the operator's network."""
        host = urlsplit(url).hostname or ""
        if trusted or host in self._checked_hosts:
            return
        try:
            await check_url(url, self.egress_allow)
        except EgressRefused as exc:
            raise HostRefused(self.network, str(exc)) from exc
        self._checked_hosts.add(host)

    async def _send_once(self, spec: RequestSpec) -> httpx.Response:
        url = rebase(spec.url, self.base_url)
        if spec.user_host:
            # An operator's base-URL override is configuration, and trusted.
            await self._check_egress(url, trusted=bool(self.base_url))
        if self.budget is not None:
            try:
                await self.budget.take(max_wait=self.retry.max_wait)
            except BudgetExhausted as exc:
                raise self._quota_spent(
                    f"the request budget ({', '.join(b.label for b in self.budget.budgets)}) "
                    "is spent",
                    exc.wait,
                ) from exc
        async with self.semaphore:
            self.requests += 1
            try:
                request = self.client.build_request(
                    spec.method,
                    url,
                    params=spec.params or None,
                    headers=spec.headers or None,
                    json=spec.json,
                    data=spec.data,
                    content=spec.content,
                    timeout=self.timeout,
                )
                response = await self.client.send(request, stream=True)
                try:
                    body = bytearray()
                    async for chunk in response.aiter_raw():
                        body += chunk
                        if len(body) > self.max_body_bytes:
                            raise BadPayload(
                                self.network,
                                f"{spec.method} {urlsplit(url).path} sent more than "
                                f"{self.max_body_bytes // 1_000_000} MB; refused",
                            )
                finally:
                    await response.aclose()
            except httpx.TimeoutException as exc:
                raise TransientError(
                    self.network, f"timed out calling {spec.method} {urlsplit(url).path}"
                ) from exc
            except httpx.TransportError as exc:
                raise TransientError(
                    self.network, f"could not reach {urlsplit(url).netloc}: {type(exc).__name__}"
                ) from exc
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=_decompress(bytes(body), response.headers),
            request=request,
        )


def _decompress(raw: bytes, headers: httpx.Headers) -> bytes:
    """The body as the server meant it: httpx leaves raw bytes compressed."""
    encoding = headers.get("content-encoding", "").lower()
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return zlib.decompress(raw, -zlib.MAX_WBITS)
    return raw
