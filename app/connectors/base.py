"""The connector base: a network module declares, the base does the work.

A network subclass sets class attributes — `slug`, `base_url`, `auth`, `decoder`,
`paginator`, `max_window`, `timezone`, `budgets`, `concurrency`, `incremental` — and fills
in a few hooks:

- `transactions_request(scope, window)`: the first request for one window (`window.by` is
  "event", or "updated" for an incremental sync of a network that can list changes);
- `extract(payload)`: the records in a decoded response;
- `map_transaction(record, scope)`: one record -> `TransactionRecord` (use `Mapper`);
- optionally `api_base` (a host that depends on the connection), `scopes()` (account
  fan-out, e.g. every Awin publisher a token sees), `classify(response)` and
  `check(payload)` (failures a network reports in a body: they run inside the retry and
  re-login loop, so they are retried, re-logged-in or reported exactly like a status),
  `parse(response)` (a decoder of its own), `verify()`, `programs_request(scope)` +
  `map_program(record)` (+ `relationships`, the network's words for a program
  relationship), and `links` + `link(request)` (or `api_link`) for tracking links.

`transactions(start, end)` then splits the range into units (an account and a window the
network accepts), pages through each with the paginator and yields pages of records:
nothing holds a whole window in memory. A sync runner walks `units()` itself to checkpoint
each finished unit and resume after a crash.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx

from app import jsonutil
from app.connectors.auth import AuthStrategy
from app.connectors.decoders import Decoder, Json
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import NetworkHttp, RequestSpec, raise_for_status
from app.connectors.paging import Paginator, Records, SinglePage
from app.connectors.ratelimit import Budget
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.format import LinkFormat, LinkRequest

log = logging.getLogger("netledger.connectors")


@dataclass(frozen=True)
class Window:
    """A half-open range of local time [start, end) in the network's reporting zone, of
    event dates (`by="event"`) or, for an incremental sync, of update dates."""

    start: datetime
    end: datetime
    by: str = "event"

    @property
    def last_second(self) -> datetime:
        return self.end - timedelta(seconds=1)


def split_windows(
    start: date, end: date, zone: str, max_window: timedelta, by: str = "event"
) -> Iterator[Window]:
    """Days `start`..`end` (inclusive) as consecutive windows no longer than `max_window`."""
    tz = ZoneInfo(zone)
    cursor = datetime.combine(start, time.min, tzinfo=tz)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    while cursor < stop:
        upper = min(cursor + max_window, stop)
        yield Window(cursor, upper, by)
        cursor = upper


@dataclass(frozen=True)
class Scope:
    """One account a credential reaches (e.g. an Awin publisher id); `None` for one-account
    networks."""

    account_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Unit:
    """One account and one window: what a run checkpoints once it is read to the end."""

    scope: Scope
    window: Window

    @property
    def key(self) -> str:
        return f"{self.scope.account_id or ''}|{self.window.by}|{self.window.start.isoformat()}"


@dataclass(frozen=True)
class Verified:
    ok: bool
    accounts: list[Scope]
    message: str


class Connector:
    slug: ClassVar[str]
    name: ClassVar[str]
    base_url: ClassVar[str]
    auth: ClassVar[AuthStrategy]
    decoder: ClassVar[Decoder] = Json()
    paginator: ClassVar[Paginator] = SinglePage()
    programs_paginator: ClassVar[Paginator] = SinglePage()
    max_window: ClassVar[timedelta] = timedelta(days=31)
    timezone: ClassVar[str] = "UTC"
    # The network's documented budgets per credential, shared by all workers (none: no
    # known limit); `NETLEDGER_NETWORK_RATE_LIMITS` replaces them per network.
    budgets: ClassVar[tuple[Budget, ...]] = ()
    concurrency: ClassVar[int] = 4
    # True where the network can list records changed since a time: after a first full
    # sync, windows are of update dates since the last success (`Window.by == "updated"`).
    incremental: ClassVar[bool] = False
    # What the user should do when the network refuses the credentials.
    credentials_hint: ClassVar[str] = "Check the credentials saved for this connection."
    # Required form fields the API does not need, each with why the form asks for it.
    unused_credentials: ClassVar[dict[str, str]] = {}
    # The network's relationship words (lower case) -> joined | pending | declined |
    # not_joined, for programs whose mapper gives only `network_relationship`.
    relationships: ClassVar[Mapping[str, str]] = {}
    # How the network's tracking links are made (None: netledger builds none).
    links: ClassVar[LinkFormat | None] = None

    def __init__(self, credentials: Mapping[str, str], http: NetworkHttp) -> None:
        self.credentials = credentials if isinstance(credentials, dict) else dict(credentials)
        self.http = http
        self._scopes: list[Scope] | None = None

    async def accounts(self) -> list[Scope]:
        """`scopes()`, asked of the network once per connector (programs and transactions
        both need them)."""
        if self._scopes is None:
            self._scopes = await self.scopes()
        return self._scopes

    @classmethod
    def notices(cls, given: set[str]) -> tuple[str, ...]:
        """What a connection with these credential fields filled in cannot see, and why
        (shown with the connection; no network call)."""
        return ()

    # ---- hooks a network fills in -------------------------------------------------
    @property
    def api_base(self) -> str:
        """Scheme and host of the network's API for this connection (a publisher's own
        domain, a network-id host, a region); the class's `base_url` by default."""
        return self.base_url

    def url(self, path: str) -> str:
        return self.api_base.rstrip("/") + path

    @property
    def zone(self) -> str:
        """The timezone windows are cut in and naive times are read in."""
        return self.timezone

    async def scopes(self) -> list[Scope]:
        return [Scope()]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        raise NotImplementedError

    def extract(self, payload: Any) -> Records:
        if payload is None:
            return []  # an empty body: no records
        if not isinstance(payload, list):
            raise BadPayload(
                self.slug, f"{self.name} sent {type(payload).__name__}, expected a list"
            )
        return payload

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        raise NotImplementedError

    def programs_request(self, scope: Scope) -> RequestSpec | None:
        return None

    def programs_requests(self, scope: Scope) -> list[RequestSpec]:
        """The first request of each program listing of one account (one by default; e.g.
        one per relationship where the network lists them apart)."""
        first = self.programs_request(scope)
        return [first] if first is not None else []

    def extract_programs(self, payload: Any) -> Records:
        return self.extract(payload)

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        raise NotImplementedError

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        """A `template` network's tracking link, built offline from its documented format
        (no network call). The request is checked already: destination, sub-id rule,
        relationship, deep-link permission, domain."""
        raise NotImplementedError

    async def api_link(self, request: LinkRequest) -> str:
        """A `network_api` network's tracking link, from its own link API (the call counts
        against the connection's budget; the links service caches the answer)."""
        raise NotImplementedError

    def classify(self, response: httpx.Response) -> None:
        """Raise what a response's status means. Override to read a failure the network
        reports in a body before its status (a SOAP fault for a bad login at HTTP 500), or
        to accept a status as data (a 404 for a day without rows)."""
        raise_for_status(self.slug, response, self.http.scrub)

    def parse(self, response: httpx.Response) -> Any:
        """The decoded body (None when empty), through the declared `decoder`."""
        try:
            return self.decoder.decode(response.content, response.headers.get("content-type", ""))
        except ValueError as exc:
            snippet = self.http.scrub(response.text[:200])
            kind = type(self.decoder).__name__.upper()
            raise BadPayload(
                self.slug, f"{self.name} sent a body that is not valid {kind} ({exc}): {snippet!r}"
            ) from exc

    def check(self, payload: Any) -> None:
        """Raise for a failure reported inside a successful response (Tune's `status: -1`,
        a `KO` status line, `success: "N"`): `CredentialsRejected`, `RateLimited`,
        `TransientError`, `Unavailable` or `RequestRejected`, as a status would."""

    def read(self, response: httpx.Response) -> Any:
        """Status, body and in-body failures of one response, in that order."""
        self.classify(response)
        payload = self.parse(response)
        self.check(payload)
        return payload

    async def verify(self) -> Verified:
        """The cheapest call that proves the credentials: by default, list the scopes."""
        scopes = await self.scopes()
        return Verified(True, scopes, f"{self.name} accepted the credentials")

    # ---- the engine -----------------------------------------------------------------
    async def request(self, spec: RequestSpec) -> Any:
        """Authenticate, send, read; retried by the HTTP layer on transient failures (in a
        status or a body), and once with a fresh token or session after a refusal."""
        for attempt in (1, 2):
            try:
                authed = await self.auth.apply(spec, self.credentials, self.http)
                return await self.http.send(authed, self.read)
            except CredentialsRejected as exc:
                if attempt == 1 and await self.auth.invalidate(self.credentials, self.http):
                    continue
                raise self.refused(exc) from exc
        raise AssertionError("unreachable")

    def refused(self, exc: CredentialsRejected) -> CredentialsRejected:
        """The refusal as the user reads it: what the network said, and what to fix."""
        return CredentialsRejected(
            self.slug,
            f"{self.name} refused the credentials ({exc.message}). {self.credentials_hint}",
        )

    async def _fetch(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload = await self.request(spec)
        return payload, self.extract(payload)

    def windows(self, start: date, end: date, by: str = "event") -> Iterator[Window]:
        return split_windows(start, end, self.zone, self.max_window, by)

    async def units(self, start: date, end: date, since: date | None = None) -> list[Unit]:
        """Every (account, window) of a sync of [start, end]; with `since` (the last
        success) on an incremental network, the windows of changes since then instead."""
        by = "event"
        if since is not None and self.incremental:
            start, by = since, "updated"
        return [
            Unit(scope, window)
            for scope in await self.accounts()
            for window in self.windows(start, end, by)
        ]

    async def unit_pages(self, unit: Unit) -> AsyncIterator[list[TransactionRecord]]:
        """One unit's records, page by page."""
        first = self.transactions_request(unit.scope, unit.window)
        async for records in self.paginator.pages(first, self._fetch):
            yield [self._map(record, unit.scope) for record in records]

    async def transactions(
        self, start: date, end: date, since: date | None = None
    ) -> AsyncIterator[list[TransactionRecord]]:
        for unit in await self.units(start, end, since):
            async for records in self.unit_pages(unit):
                yield records

    def _map(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        try:
            mapped = self.map_transaction(record, scope)
        except BadPayload as exc:
            # The record that broke the mapping, for whoever fixes it; secrets scrubbed.
            snippet = self.http.scrub(jsonutil.dumps(record)[:500])
            log.error("%s: %s; record: %s", self.slug, exc.message, snippet)
            raise
        if mapped.account_id is None:
            mapped.account_id = scope.account_id
        return mapped

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        """One page of a program listing: the payload and its records."""
        payload = await self.request(spec)
        return payload, self.extract_programs(payload)

    async def programs(self) -> AsyncIterator[list[ProgramRecord]]:
        """Every program of every account, page by page, each with its account and our
        relationship word filled in."""
        for scope in await self.accounts():
            for first in self.programs_requests(scope):
                async for records in self.programs_paginator.pages(first, self.fetch_programs):
                    yield [self.complete(self.map_program(r), scope) for r in records]

    def complete(self, program: ProgramRecord, scope: Scope) -> ProgramRecord:
        """The scope's account and the mapped relationship, where the mapper left them out."""
        if program.account_id is None:
            program.account_id = scope.account_id
        if program.relationship is None and program.network_relationship is not None:
            program.relationship = self.relationships.get(program.network_relationship.lower())
        return program
