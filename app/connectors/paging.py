"""Pagination strategies. A connector names one; no network writes its own paging loop.

Each strategy is given the first request and a `fetch` function (send + parse + extract
records) and yields pages of records until the network says there are no more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.connectors.http import RequestSpec

Records = list[dict[str, Any]]
Fetch = Callable[[RequestSpec], Awaitable[tuple[Any, Records]]]


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
    """`?page=N&limit=S`, N from `first`; stops at a short (or empty) page, or at
    `total_pages(payload)` when the network says how many there are."""

    page_param: str = "page"
    size_param: str | None = "limit"
    size: int = 1000
    first_page: int = 1
    total_pages: Callable[[Any], int | None] | None = None

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        page = self.first_page
        while True:
            params: dict[str, Any] = {self.page_param: page}
            if self.size_param:
                params[self.size_param] = self.size
            payload, records = await fetch(first.with_params(**params))
            if records:
                yield records
            total = self.total_pages(payload) if self.total_pages else None
            if total is not None:
                if page - self.first_page + 1 >= total:
                    return
            elif len(records) < self.size:
                return
            page += 1


@dataclass(frozen=True)
class Offset(Paginator):
    """`?offset=N&limit=S`; stops at a short page."""

    offset_param: str = "offset"
    size_param: str = "limit"
    size: int = 1000

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        offset = 0
        while True:
            _, records = await fetch(
                first.with_params(**{self.offset_param: offset, self.size_param: self.size})
            )
            if records:
                yield records
            if len(records) < self.size:
                return
            offset += len(records)


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
