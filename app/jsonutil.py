"""JSON without floats: money parses to Decimal and is written back as exact numbers."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\x00dec:"
_MARKED = re.compile(r'"\\u0000dec:([-0-9.eE+]+)"')


def loads(data: bytes | str) -> Any:
    return json.loads(data, parse_float=Decimal)


def _encode_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return _MARK + str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# One encoder for every call: `json.dumps` with options builds a new one each time, which
# costs more than encoding a small record.
_ENCODE = json.JSONEncoder(
    separators=(",", ":"), default=_encode_decimal, ensure_ascii=False
).encode


def dumps(value: Any) -> str:
    """Compact JSON in which Decimals stay exact numeric literals (not strings, not floats)."""
    text = _ENCODE(value)
    # json escapes the marker's NUL, so that escaped form is what appears in the text.
    return _MARKED.sub(r"\1", text) if "\\u0000dec:" in text else text
