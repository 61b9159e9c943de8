"""Reading AdTraction's answers: bodies that are a list or a message object, the 429's
reset time (epoch milliseconds in practice, though the docs say seconds), and programs in
both shapes the API has served (v1 `compensations` + `category`, v2 `commissions` +
`categoryName`; shared/networks/adtraction.md section 0)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited, RequestRejected
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.ledger.records import ProgramRecord
from app.links.domains import hosts_of

NETWORK = "adtraction"
# `transactionStatus`: 1 approved, 2 pending, 4 open claim (a manual claim under review), 5
# rejected; 3 is the "approved + pending" filter value. No code means paid: payments are
# reported elsewhere. The word kept is the docs' name for the code.
STATUSES = {"1": "approved", "2": "pending", "3": "pending", "4": "pending", "5": "declined"}
WORDS = {"1": "approved", "2": "pending", "3": "approved+pending", "4": "open claim"}
WORDS["5"] = "rejected"
# `approvalStatus`: 0 rejected, 1 approved, 2 pending; other codes (a recording shows 3,
# undocumented) are kept in `details` and read as not joined.
RELATIONSHIPS = {"0": "declined", "1": "joined", "2": "pending"}
PROGRAM_DETAILS = (
    "market",
    "currency",
    "approvalStatus",
    "adId",
    "cookieDuration",
    "feed",
    "pendingActive",
    "currentSegment",
    "logoURL",
    "compensations",
    "commissions",
)


def records(payload: Any, what: str) -> Records:
    """A list of records; `None` or a `{"message": ...}` object (AdTraction's "No
    transactions found.") is none."""
    if payload is None:
        return []
    if isinstance(payload, dict) and "message" in payload and "status" not in payload:
        return []
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        shown = str(payload)[:120]
        raise BadPayload(NETWORK, f"AdTraction sent no list of {what}: {shown!r}")
    return payload


def transaction_status(m: Mapper) -> tuple[str, str]:
    """(our status, the network's word) of a transaction's status code."""
    code = m.required_text("transactionStatus")
    if code not in STATUSES:
        raise m.fail("transactionStatus", f"has an unknown status {code!r}")
    return STATUSES[code], WORDS[code]


def channels(payload: Any) -> list[Scope]:
    """The partner's channels (sites, apps): `[{"channelId": .., "channelName": ..}]`."""
    out = []
    for found in records(payload, "channels"):
        m = Mapper(NETWORK, found)
        out.append(Scope(m.required_text("channelId"), m.text("channelName")))
    return out


def not_a_channel(channel_id: str, channels: list[Scope]) -> CredentialsRejected:
    listed = ", ".join(f"{c.account_id} ({c.name})" for c in channels) or "none"
    return CredentialsRejected(
        NETWORK,
        f"Channel ID {channel_id} is not a channel of this AdTraction account; the API token "
        f"reaches: {listed}. Put one of these in the Channel ID field, or leave it empty to "
        "read every channel.",
    )


def not_a_market(market: str) -> RequestRejected:
    return RequestRejected(
        NETWORK,
        f"AdTraction has no market {market!r}: put a two-letter market code such as SE, NO, "
        "DK or FI in the Market field, or leave it empty to read every market.",
    )


def reset_wait(response: httpx.Response) -> float | None:
    """Seconds until the rate-limit window resets: `Retry-After`, else `X-RateLimit-Reset`
    (epoch milliseconds when above 10^11, else seconds)."""
    for header in ("retry-after", "x-ratelimit-reset"):
        value = response.headers.get(header, "").strip()
        if not value.replace(".", "", 1).isdigit():
            continue
        number = float(value)
        if header == "retry-after":
            return number
        at = number / 1000 if number > 1e11 else number
        return max(0.0, min(at - time.time(), 60.0))
    return None


def raise_rate_limited(response: httpx.Response, scrub: Any) -> None:
    if response.status_code == 429:
        body = scrub(response.text[:200])
        raise RateLimited(NETWORK, f"AdTraction answered 429: {body}", reset_wait(response))


def plain(value: Any) -> Any:
    """A value for a JSON column: exact amounts (Decimal) as their text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def program(record: dict[str, Any]) -> ProgramRecord:
    m = Mapper(NETWORK, record)
    word = m.text("approvalStatus")
    details = {k: plain(record[k]) for k in PROGRAM_DETAILS if record.get(k) is not None}
    category = m.text("categoryName") or m.text("category")
    if category:
        details["category"] = category
    return ProgramRecord(
        external_id=m.required_text("programId"),
        name=m.text("programName"),
        domains=hosts_of(urlsplit(m.text("programURL") or m.text("programUrl") or "").hostname),
        network_relationship=RELATIONSHIPS.get(word or "", "not_joined"),
    )
