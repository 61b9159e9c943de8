"""Pepperjam's wire: the key in the query, bodies `{"meta": {"status": {"code", "message"},
"pagination": {"total_results", "next": {"rel", "href"}}}, "data": [...]}`, failures as an
HTTP status with the same envelope (401 "Authentication error", 400 for a bad range).

The daily quota (1,500 calls per key, shared by every tool using that key) is spent when
Pepperjam answers 429 about it. Waiting and retrying would only spend the day hammering,
so the run ends at once, resuming when Pepperjam's day starts again: midnight US Eastern,
the zone its reports are dated in (the reset time is not documented)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx

from app.connectors.errors import BadPayload, QuotaSpent, RateLimited, classify_status
from app.connectors.http import RequestSpec
from app.connectors.paging import Records

NETWORK = "pepperjam"
EASTERN = ZoneInfo("America/New_York")
QUOTA_WORDS = ("quota", "daily", "per day", "a day", "request limit")


def key_in_query(spec: RequestSpec, key: str) -> RequestSpec:
    """`apiKey` in the query. A next-page link carries its own query (page, dates, format),
    and httpx replaces a URL's query with the request's params: it moves into them first."""
    parts = urlsplit(spec.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    url = urlunsplit(parts._replace(query=""))
    return replace(spec, url=url, params={**query, **spec.params, "apiKey": key})


def message(payload: Any) -> str:
    meta = payload.get("meta") if isinstance(payload, dict) else None
    status = meta.get("status") if isinstance(meta, dict) else None
    text = status.get("message") if isinstance(status, dict) else None
    return str(text) if text else ""


def next_reset(now: datetime | None = None) -> datetime:
    """The next midnight in US Eastern time, in UTC."""
    local = (now or datetime.now(UTC)).astimezone(EASTERN)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=EASTERN)
    return midnight.astimezone(UTC)


def quota_spent(response: httpx.Response, scrub: Callable[[str], str]) -> None:
    """Raise `QuotaSpent` for a 429 that says the daily quota is spent."""
    try:
        text = message(response.json())
    except ValueError:
        text = response.text[:200]
    if not any(word in text.lower() for word in QUOTA_WORDS):
        return
    resume = next_reset()
    raise QuotaSpent(
        NETWORK,
        f"Pepperjam's daily API quota (1,500 calls per key, shared by every tool using the "
        f"key) is spent: {scrub(text)}; it frees at {resume:%Y-%m-%d %H:%M} UTC",
        resume,
    )


def check_envelope(payload: Any, scrub: Callable[[str], str]) -> None:
    """The envelope is there, and its own status is a success."""
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if not isinstance(meta, dict):
        raise BadPayload(NETWORK, "Pepperjam sent a body without its 'meta' envelope")
    status = meta.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if code is None or str(code) == "200":
        return
    error = classify_status(int(code)) if str(code).isdigit() else BadPayload
    text = f"Pepperjam answered {code} in its body: {scrub(message(payload))}"
    if error is None:
        return
    if error is RateLimited:
        raise RateLimited(NETWORK, text)
    raise error(NETWORK, text)


def rows(payload: Any) -> Records:
    data = payload.get("data") if isinstance(payload, dict) else None
    if data is None or data == {}:
        return []
    if isinstance(data, dict):
        data = [data]  # a lookup of one id answers the object itself
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise BadPayload(NETWORK, "Pepperjam sent a 'data' that is not a list of records")
    return data


def next_page(payload: Any) -> str | None:
    """`meta.pagination.next.href` while `next.rel` is "next" (the href carries the key)."""
    meta = payload.get("meta") if isinstance(payload, dict) else None
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    link = pagination.get("next") if isinstance(pagination, dict) else None
    if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
        return str(link["href"])
    return None


def total_results(payload: Any) -> int:
    """`meta.pagination.total_results`, else the rows of this page."""
    meta = payload.get("meta") if isinstance(payload, dict) else None
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    total = pagination.get("total_results") if isinstance(pagination, dict) else None
    return int(str(total)) if str(total).isdigit() else len(rows(payload))
