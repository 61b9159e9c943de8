"""Reading AdTraction's answers: bodies that are a list or a message object, the 429's
reset time (epoch milliseconds in practice, though the docs say seconds), and programs in
both shapes the API has served (v1 `compensations`, v2 `commissions`; shared/networks/
adtraction.md section 0)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited, RequestRejected
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm, ProgramRecord
from app.links.domains import hosts_of
from app.links.format import unlinkable

NETWORK = "adtraction"
# `transactionStatus`: 1 approved, 2 pending, 4 open claim (a manual claim under review), 5
# rejected; 3 is the "approved + pending" filter value. No code means paid: payments are
# reported elsewhere. The word kept is the docs' name for the code.
STATUSES = {"1": "approved", "2": "pending", "3": "pending", "4": "pending", "5": "declined"}
WORDS = {"1": "approved", "2": "pending", "3": "approved+pending", "4": "open claim"}
WORDS["5"] = "rejected"
# `approvalStatus`, in the docs' words: 0 rejected, 1 approved, 2 pending review. Other
# codes (a recording shows 3, undocumented) are kept as they came and read as not joined.
APPROVALS = {"0": "rejected", "1": "approved", "2": "pending review"}
RELATIONSHIPS = {"rejected": "declined", "approved": "joined", "pending review": "pending"}
PERCENT = {"%", "percent", "percentage"}


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


def no_ad_or_channel(program: str) -> ValidationFailed:
    return unlinkable(
        "program_id",
        f"{program} has no ad id or channel yet: AdTraction links name both, and "
        "the program sync reads them from the channel's program listing; list the "
        "connection's programs first",
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


def terms(commissions: Any) -> tuple[CommissionTerm, ...]:
    """A program's rates: `type` is a currency for a flat amount (the recorded v1 listing:
    "SEK") or a percent sign for a share of the sale [I: no percent rate was recorded]."""
    out = []
    for found in commissions if isinstance(commissions, list) else []:
        m = Mapper(NETWORK, found if isinstance(found, dict) else {})
        kind, value = (m.text("type") or "").strip(), m.money("value")
        if value is None:
            continue
        if kind.lower() in PERCENT:
            out.append(CommissionTerm("percent", value, category=m.text("name")))
        elif len(kind) == 3 and kind.isalpha():
            out.append(CommissionTerm("flat", value, kind.upper(), m.text("name")))
    return tuple(out)


def program(record: dict[str, Any]) -> ProgramRecord:
    """One program as one channel sees it; `adId` is what its tracking links name."""
    m = Mapper(NETWORK, record)
    code = m.text("approvalStatus")
    word = APPROVALS.get(code or "")
    return ProgramRecord(
        external_id=m.required_text("programId"),
        name=m.text("programName"),
        domains=hosts_of(m.text("programURL") or m.text("programUrl")),
        network_relationship=word or code,
        relationship=None if word or code is None else "not_joined",
        terms=terms(record.get("commissions") or record.get("compensations")),
        link_token=m.text("adId"),
        # The v3 listing's own click link for the program; the v2 one has none.
        tracking_url=m.text("trackingURL"),
    )
