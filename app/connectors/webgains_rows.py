"""Reading Webgains bodies (shared/networks/webgains.md, sections 4-6): the page count,
amounts as whole numbers of ten-thousandths, numeric status codes, and yes/no flags."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.connectors.errors import BadPayload
from app.connectors.mapping import Mapper

# Code -> ours. 30/40 are "pending" in the client that cites Webgains' status page, though
# two other clients call them confirmed; codes nobody documents are pending until known.
STATUSES = {10: "paid", 20: "approved", 30: "pending", 40: "pending", 50: "pending"}
STATUSES |= {60: "pending", 70: "declined"}
WHOLE = re.compile(r"-?\d+")
PAGE = 250  # the largest page a client documents


def last_page(payload: Any) -> int | None:
    block = payload.get("pagination") if isinstance(payload, dict) else None
    if not isinstance(block, dict):
        return None
    value = block.get("last_page")
    if isinstance(value, bool) or not WHOLE.fullmatch(str(value)):
        raise BadPayload("webgains", f"Webgains sent a pagination.last_page of {value!r:.40}")
    return int(str(value))


def scaled(m: Mapper, path: str) -> Decimal | None:
    """An amount sent as a whole number of ten-thousandths (89.99 as 899900), exactly."""
    value = m.get(path)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not WHOLE.fullmatch(str(value)):
        raise m.fail(path, f"is not a whole number of ten-thousandths: {str(value)[:40]!r}")
    return Decimal(int(str(value))).scaleb(-4)


def required_scaled(m: Mapper, path: str) -> Decimal:
    value = scaled(m, path)
    if value is None:
        raise m.fail(path, "is missing")
    return value


def flag(value: Any) -> bool | None:
    """A yes/no the API may send as a boolean, 1/0 or "true"/"false"; None when absent."""
    if value is None or value == "":
        return None
    return str(value).strip().lower() in ("1", "true")


def status_of(m: Mapper) -> tuple[str, str]:
    """(our status, the code as Webgains sends it); a code that is not a number is a bug."""
    code = m.get("status")
    if isinstance(code, bool) or not WHOLE.fullmatch(str(code)):
        raise m.fail("status", f"is not a status code: {str(code)[:40]!r}")
    return STATUSES.get(int(str(code)), "pending"), str(code)
