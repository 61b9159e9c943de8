"""The connector base: a network module declares, the base does the work.

A network subclass sets class attributes — `slug`, `base_url`, `auth`, `paginator`,
`max_window`, `timezone`, `per_minute`, `concurrency` — and fills in a few hooks:

- `transactions_request(scope, window)`: the first request for one window;
- `extract(payload)`: the records in a parsed response;
- `map_transaction(record, scope)`: one record -> `TransactionRecord` (use `Mapper`);
- optionally `scopes()` (account fan-out, e.g. every Awin publisher a token sees),
  `parse(response)` (XML/CSV), `verify()`, `programs_request(scope)` + `map_program(record)`.

`transactions(start, end)` then splits the range into windows the network accepts, pages
through each with the paginator and yields lists of records page by page: nothing holds a
whole window in memory.
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
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.paging import Paginator, Records, SinglePage
from app.ledger.records import ProgramRecord, TransactionRecord

log = logging.getLogger("netledger.connectors")


@dataclass(frozen=True)
class Window:
    """A half-open range of local time [start, end) in the network's reporting zone."""

    start: datetime
    end: datetime

    @property
    def last_second(self) -> datetime:
        return self.end - timedelta(seconds=1)


def split_windows(start: date, end: date, zone: str, max_window: timedelta) -> Iterator[Window]:
    """Days `start`..`end` (inclusive) as consecutive windows no longer than `max_window`."""
    tz = ZoneInfo(zone)
    cursor = datetime.combine(start, time.min, tzinfo=tz)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    while cursor < stop:
        upper = min(cursor + max_window, stop)
        yield Window(cursor, upper)
        cursor = upper


@dataclass(frozen=True)
class Scope:
    """One account a credential reaches (e.g. an Awin publisher id); `None` for one-account
    networks."""

    account_id: str | None = None
    name: str | None = None


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
    paginator: ClassVar[Paginator] = SinglePage()
    programs_paginator: ClassVar[Paginator] = SinglePage()
    max_window: ClassVar[timedelta] = timedelta(days=31)
    timezone: ClassVar[str] = "UTC"
    # Requests per minute per credential, shared by all workers (None: no known limit).
    per_minute: ClassVar[int | None] = None
    concurrency: ClassVar[int] = 4
    # What the user should do when the network refuses the credentials.
    credentials_hint: ClassVar[str] = "Check the credentials saved for this connection."

    def __init__(self, credentials: Mapping[str, str], http: NetworkHttp) -> None:
        self.credentials = dict(credentials)
        self.http = http
        self._scopes: list[Scope] | None = None

    async def accounts(self) -> list[Scope]:
        """`scopes()`, asked of the network once per connector (programs and transactions
        both need them)."""
        if self._scopes is None:
            self._scopes = await self.scopes()
        return self._scopes

    # ---- hooks a network fills in -------------------------------------------------
    @property
    def zone(self) -> str:
        """The timezone windows are cut in and naive times are read in."""
        return self.timezone

    async def scopes(self) -> list[Scope]:
        return [Scope()]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        raise NotImplementedError

    def extract(self, payload: Any) -> Records:
        if not isinstance(payload, list):
            raise BadPayload(
                self.slug, f"{self.name} sent {type(payload).__name__}, expected a list"
            )
        return payload

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        raise NotImplementedError

    def programs_request(self, scope: Scope) -> RequestSpec | None:
        return None

    def extract_programs(self, payload: Any) -> Records:
        return self.extract(payload)

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        raise NotImplementedError

    def parse(self, response: httpx.Response) -> Any:
        try:
            return jsonutil.loads(response.content)
        except ValueError as exc:
            snippet = self.http.scrub(response.text[:200])
            raise BadPayload(
                self.slug, f"{self.name} sent a body that is not JSON: {snippet!r}"
            ) from exc

    async def verify(self) -> Verified:
        """The cheapest call that proves the credentials: by default, list the scopes."""
        scopes = await self.scopes()
        return Verified(True, scopes, f"{self.name} accepted the credentials")

    # ---- the engine -----------------------------------------------------------------
    async def request(self, spec: RequestSpec) -> Any:
        """Authenticate, send and parse; after a 401 a token-based auth gets one retry."""
        for attempt in (1, 2):
            try:
                authed = await self.auth.apply(spec, self.credentials, self.http)
                response = await self.http.send(authed)
            except CredentialsRejected as exc:
                if attempt == 1 and await self.auth.invalidate(self.credentials, self.http):
                    continue
                raise CredentialsRejected(
                    self.slug,
                    f"{self.name} refused the credentials ({exc.message}). {self.credentials_hint}",
                ) from exc
            return self.parse(response)
        raise AssertionError("unreachable")

    async def _fetch(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload = await self.request(spec)
        return payload, self.extract(payload)

    def windows(self, start: date, end: date) -> Iterator[Window]:
        return split_windows(start, end, self.zone, self.max_window)

    async def transactions(self, start: date, end: date) -> AsyncIterator[list[TransactionRecord]]:
        for scope in await self.accounts():
            for window in self.windows(start, end):
                first = self.transactions_request(scope, window)
                async for records in self.paginator.pages(first, self._fetch):
                    yield [self._map(record, scope) for record in records]

    def _map(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        try:
            return self.map_transaction(record, scope)
        except BadPayload as exc:
            # The record that broke the mapping, for whoever fixes it; secrets scrubbed.
            snippet = self.http.scrub(jsonutil.dumps(record)[:500])
            log.error("%s: %s; record: %s", self.slug, exc.message, snippet)
            raise

    async def _fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload = await self.request(spec)
        return payload, self.extract_programs(payload)

    async def programs(self) -> AsyncIterator[list[ProgramRecord]]:
        for scope in await self.accounts():
            first = self.programs_request(scope)
            if first is None:
                return
            async for records in self.programs_paginator.pages(first, self._fetch_programs):
                yield [self.map_program(r) for r in records]
