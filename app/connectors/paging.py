"""Pagination strategies. A connector names one; no network writes its own paging loop.

Each strategy is given the first request and a `fetch` function (send + parse + extract
records) and yields pages of records until the network says there are no more: a short
page, a total page count, a `has_more` flag, a missing next cursor or next link.

Where the page number, offset or cursor goes is a `Slot`: a query parameter (a plain
string names one), a JSON body path (`json_path("variables.page")`, GraphQL variables), a
form field, or any function `(spec, value) -> spec` (a SOAP argument).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from app.connectors.http import RequestSpec

Records = list[dict[str, Any]]
Fetch = Callable[[RequestSpec], Awaitable[tuple[Any, Records]]]
Slot = Callable[[RequestSpec, Any], RequestSpec]


def param(name: str) -> Slot:
    return lambda spec, value: spec.with_params(**{name: value})


def form_field(name: str) -> Slot:
    return lambda spec, value: spec.with_form(**{name: str(value)})


def json_path(path: str) -> Slot:
    from app.connectors.auth import set_path

    return lambda spec, value: replace(spec, json=set_path(spec.json or {}, path, value))


def _slot(where: str | Slot) -> Slot:
    return param(where) if isinstance(where, str) else where


class Paginator:
    def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        raise NotImplementedError


class SinglePage(Paginator):
    """The whole window in one response (e.g. Awin)."""

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        _, records = await fetch(first)
        yield records


@dataclass(frozen=True)
class PageNumber(Paginator):
    """Page N of size S (`?page=N&limit=S` by default), N from `first_page`; stops at
    `total_pages(payload)` when the network says how many there are, else when
    `has_more(payload)` says no, else at a short (or empty) page."""

    page_param: str | Slot = "page"
    size_param: str | Slot | None = "limit"
    size: int = 1000
    first_page: int = 1
    total_pages: Callable[[Any], int | None] | None = None
    has_more: Callable[[Any], bool] | None = None

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        page = self.first_page
        while True:
            spec = _slot(self.page_param)(first, page)
            if self.size_param is not None:
                spec = _slot(self.size_param)(spec, self.size)
            payload, records = await fetch(spec)
            if records:
                yield records
            total = self.total_pages(payload) if self.total_pages else None
            if total is not None:
                if page - self.first_page + 1 >= total:
                    return
            elif self.has_more is not None:
                if not self.has_more(payload) or not records:
                    return
            elif len(records) < self.size:
                return
            page += 1


@dataclass(frozen=True)
class Offset(Paginator):
    """Records from offset N, S at a time (`?offset=N&limit=S` by default); stops at a
    short page, or when `has_more(payload)` says no."""

    offset_param: str | Slot = "offset"
    size_param: str | Slot = "limit"
    size: int = 1000
    first_offset: int = 0
    has_more: Callable[[Any], bool] | None = None

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        offset = self.first_offset
        while True:
            spec = _slot(self.size_param)(_slot(self.offset_param)(first, offset), self.size)
            payload, records = await fetch(spec)
            if records:
                yield records
            done = not self.has_more(payload) if self.has_more else len(records) < self.size
            if done or not records:
                return
            offset += len(records)


@dataclass(frozen=True)
class NextLink(Paginator):
    """The response names the next page's URL (absolute, or relative to the request);
    none means the last page."""

    next_url: Callable[[Any], str | None]

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        from urllib.parse import urljoin

        spec, seen = first, {first.url}
        while True:
            payload, records = await fetch(spec)
            if records:
                yield records
            link = self.next_url(payload)
            if not link:
                return
            url = urljoin(spec.url, link)
            if url in seen:
                return
            seen.add(url)
            spec = replace(first, url=url, params={})


@dataclass(frozen=True)
class Cursor(Paginator):
    """The response names the next cursor; `apply` puts it on the next request. Works for
    GraphQL cursors in the request body as well as query parameters."""

    next_cursor: Callable[[Any], str | None]
    apply: Callable[[RequestSpec, str], RequestSpec]

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        spec = first
        seen: set[str] = set()
        while True:
            payload, records = await fetch(spec)
            if records:
                yield records
            cursor = self.next_cursor(payload)
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)
            spec = self.apply(first, cursor)
