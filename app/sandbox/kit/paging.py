"""Paging as networks do it: page numbers, offsets, opaque cursors and next links."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from starlette.requests import Request

from app.sandbox.base import ParamError

T = TypeVar("T")


def page_slice(items: Sequence[T], page: int, size: int, first_page: int = 1) -> Sequence[T]:
    """Page `page` of `size` items, numbered from `first_page`; past the end: empty."""
    start = (page - first_page) * size
    return items[start : start + size] if start >= 0 else items[:0]


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def offset_slice(items: Sequence[T], offset: int, limit: int) -> Sequence[T]:
    return items[max(0, offset) : max(0, offset) + limit]


def encode_cursor(offset: int, **extra: Any) -> str:
    """An opaque cursor for the item at `offset` (url-safe, no padding)."""
    raw = json.dumps({"o": offset, **extra}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, message: str = "Invalid cursor") -> int:
    """The offset in a cursor from `encode_cursor`; anything else is a `ParamError`."""
    return int(cursor_data(cursor, message=message)["o"])


def cursor_data(cursor: str, *, message: str = "Invalid cursor") -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ParamError(message) from exc
    if not isinstance(data, dict) or not isinstance(data.get("o"), int) or data["o"] < 0:
        raise ParamError(message)
    return data


def next_link(request: Request, **params: Any) -> str:
    """The request's own absolute URL with `params` replacing its query parameters (a None
    value removes one): what a `next` link points to."""
    url = request.url
    keep = {k: str(v) for k, v in params.items() if v is not None}
    drop = [k for k, v in params.items() if v is None]
    if drop:
        url = url.remove_query_params(drop)
    return str(url.include_query_params(**keep))
