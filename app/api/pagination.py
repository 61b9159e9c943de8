"""Opaque keyset cursors: `?limit=&cursor=` -> `{"data": [...], "next_cursor": ...}`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

from app.errors import FieldError, ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed([FieldError("cursor", "is not a cursor this list returned")])
    return values


def cut_page(
    rows: list[T], limit: int, key: Callable[[T], list[Any]]
) -> tuple[list[T], str | None]:
    """Rows fetched with `LIMIT limit + 1` -> (the page, the cursor after it or None)."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(key(page[-1]))
