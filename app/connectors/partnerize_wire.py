"""Reading Partnerize's v1 answers: failures (the 429 wait is in `X-RateLimit-Retry-After`,
which the shared status check does not read), the `{"conversion_data": ...}` and
`{"campaign": ...}` wrappers, the cursor pages of the conversion report, and a basket's
status and amounts (a `mixed` basket's totals still count its rejected items)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.connectors.auth import Basic
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited
from app.connectors.http import RequestSpec, raise_for_status, retry_after_seconds
from app.connectors.mapping import Mapper
from app.connectors.paging import Cursor, Fetch, Offset, Records

NETWORK = "partnerize"
STATUSES = {"pending": "pending", "approved": "approved", "rejected": "declined", "mixed": "mixed"}


class UserBasic(Basic):
    """HTTP Basic (application key : user API key). The application key names the network
    and is shared by its users, so limits and concurrency count per user API key."""

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials[self.password_key]


def error_text(response: httpx.Response) -> str:
    """The messages of a v1 (`error.message`) or v2/v3 (`error.errors[].message`) body."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return response.text[:200]
    if not isinstance(error, dict):
        return response.text[:200]
    entries = [e.get("message") for e in error.get("errors") or [] if isinstance(e, dict)]
    found = [str(m) for m in entries if m] or [str(error.get("message") or "")]
    return "; ".join(found)


def classify(response: httpx.Response, scrub: Callable[[str], str]) -> None:
    status = response.status_code
    if status < 400:
        return
    text = scrub(error_text(response))
    if status == 429:
        headers = response.headers
        hint = headers.get("x-ratelimit-retry-after") or headers.get("retry-after")
        where = f"{response.request.method} {response.request.url.path}"
        raise RateLimited(NETWORK, f"{where} answered 429: {text}", retry_after_seconds(hint))
    if status in (401, 403):
        raise CredentialsRejected(NETWORK, f"HTTP {status}: {text}")
    raise_for_status(NETWORK, response, scrub)


def unwrap(payload: Any, key: str, wrapper: str) -> Records:
    """`payload[key]` as the objects inside each `{wrapper: {...}}` (none: no records)."""
    rows = payload.get(key) if isinstance(payload, dict) else None
    if payload is None or (isinstance(payload, dict) and rows is None):
        return []
    if not isinstance(rows, list):
        raise BadPayload(NETWORK, f"Partnerize sent no '{key}' list")
    out = []
    for row in rows:
        inner = row.get(wrapper) if isinstance(row, dict) else None
        if not isinstance(inner, dict):
            raise BadPayload(NETWORK, f"Partnerize sent a '{key}' row without '{wrapper}'")
        out.append(inner)
    return out


def publishers(payload: Any) -> Records:
    """The publisher accounts of `/user/account.json` (brand accounts carry `advertiser`)."""
    rows = payload.get("user_accounts") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise BadPayload(NETWORK, "Partnerize /user/account.json has no 'user_accounts' list")
    found = [row.get("publisher") for row in rows if isinstance(row, dict)]
    return [p for p in found if isinstance(p, dict)]


def next_page(payload: Any) -> str | None:
    pagination = (payload.get("hypermedia") or {}).get("pagination") if payload else None
    link = pagination.get("next_page") if isinstance(pagination, dict) else None
    return str(link) if link else None


def next_cursor(payload: Any) -> str | None:
    """The cursor of the next page, while `next_page` names one."""
    link = next_page(payload)
    if link is None:
        return None
    found = parse_qs(urlsplit(link).query).get("cursor_id") or [payload.get("cursor_id")]
    return str(found[0]) if found[0] not in (None, "") else None


@dataclass(frozen=True)
class CursorPages(Offset):
    """`limit` rows a page, then the `cursor_id` each answer names for the next, until
    `next_page` is empty (the framework's `Cursor`, with a page size the way `Offset` has
    one). Partnerize's maximum `limit` is 300."""

    offset_param: str = "cursor_id"
    size: int = 300

    async def pages(self, first: RequestSpec, fetch: Fetch) -> AsyncIterator[Records]:
        name = self.offset_param

        def apply(spec: RequestSpec, cursor: str) -> RequestSpec:
            return spec.with_params(**{name: cursor})

        cursor = Cursor(next_cursor=next_cursor, apply=apply)
        async for records in cursor.pages(first.with_params(limit=self.size), fetch):
            yield records


def basket(m: Mapper) -> tuple[str, str, Decimal | None, Decimal]:
    """(our status, Partnerize's word, sale, commission) of one conversion. A `mixed` basket
    is read from its items that are not rejected: pending while one is, else approved; an
    approved basket whose every such item is on a self-bill is paid."""
    status, word = m.status("conversion_value.conversion_status", STATUSES)
    rows = m.get("conversion_items") or []
    items = [Mapper(m.network, i) for i in (rows if isinstance(rows, list) else [])]
    live = [i for i in items if (i.text("item_status") or "").lower() != "rejected"]
    sale = m.money("conversion_value.value")
    commission = m.required_money("conversion_value.publisher_commission")
    if status == "mixed":
        if not live:
            raise m.fail("conversion_items", "lists no item that is not rejected in a mixed basket")
        sale = sum((i.money("item_value") or Decimal(0) for i in live), Decimal(0))
        commission = sum((i.required_money("item_publisher_commission") for i in live), Decimal(0))
        status = "pending" if any(i.text("item_status") == "pending" for i in live) else "approved"
    if status == "approved" and live and all(i.text("publisher_self_bill_id") for i in live):
        status = "paid"
    return status, word, sale, commission
