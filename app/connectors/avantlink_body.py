"""Reading AvantLink `api.php` bodies: a report (CSV with a header row, or XML, a
`NewDataSet` of `Table1` rows) or, at HTTP 200, a line of plain error text.

AvantLink answers a refused key, a spent daily quota or a bad parameter with text instead
of the report, still at HTTP 200 (the wording is not documented: it is sorted by its words).
A quota is per module and per day; once spent the run stops until the next day (midnight
in Mountain time, where AvantLink keeps its reports) instead of retrying."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.connectors.decoders import Csv, Xml, as_list
from app.connectors.errors import BadPayload, CredentialsRejected, QuotaSpent, RequestRejected

NETWORK = "avantlink"
ZONE = "America/Denver"
# The column every Sales/Commissions (Detail) header has; its absence means error text.
REPORT_KEY = "AvantLink Transaction Id"
# A spent quota: "quota", or a request limit ("API request limit exceeded"); a date range
# over a limit is not one.
QUOTA = ("quota", "too many requests")
WEBSITE = ("website",)
REFUSED = ("auth", "key", "affiliate", "not authorized", "permission", "access denied")


class WebsiteRefused(CredentialsRejected):
    """The Website ID is not one of the account's websites: the form's field to fix."""


@dataclass(frozen=True)
class ErrorText:
    """What AvantLink sent instead of a report."""

    text: str


def decode(module: str, content: bytes) -> list[dict[str, Any]] | ErrorText:
    """The rows of a report (`AffiliateReport`, CSV) or a feed (`AssociationFeed`, XML),
    or the error text sent in their place. Undecodable bytes are a ValueError."""
    try:
        text = content.decode("utf-8").removeprefix("\ufeff").strip()
    except UnicodeDecodeError as exc:
        raise ValueError(f"the body is not UTF-8 text (byte {exc.start})") from exc
    if not text:
        return []
    if module == "AffiliateReport":
        if REPORT_KEY not in text.splitlines()[0]:
            return ErrorText(" ".join(text.split())[:300])
        return Csv().decode(content) or []
    if not text.startswith("<"):
        return ErrorText(" ".join(text.split())[:300])
    root = Xml().decode(content)
    rows = as_list(root.get("Table1")) if isinstance(root, dict) else []
    if not all(isinstance(row, dict) for row in rows):
        raise ValueError("a Table1 row is not a record")
    return rows


def parse(response: httpx.Response, scrub: Callable[[str], str]) -> Any:
    """`decode` for a response: an unreadable body is a BadPayload quoting its start."""
    try:
        return decode(response.request.url.params.get("module", ""), response.content)
    except ValueError as exc:
        snippet = scrub(response.text[:200])
        raise BadPayload(
            NETWORK, f"AvantLink sent an unreadable body ({exc}): {snippet!r}"
        ) from exc


def next_day(zone: str = ZONE) -> datetime:
    """The next midnight in `zone`, in UTC: when a daily quota frees."""
    now = datetime.now(ZoneInfo(zone))
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    return tomorrow.astimezone(UTC)


def check(payload: Any, scrub: Callable[[str], str] = str) -> None:
    """Raise what an error text says (secrets scrubbed); rows pass."""
    if not isinstance(payload, ErrorText):
        return
    text = scrub(payload.text)
    lowered = text.lower()
    if any(w in lowered for w in QUOTA) or ("limit" in lowered and "request" in lowered):
        resume = next_day()
        raise QuotaSpent(
            NETWORK,
            f"AvantLink: {text}. The daily API quota is spent; the sync resumes after "
            f"{resume:%Y-%m-%d %H:%M} UTC (midnight Mountain time)",
            resume,
        )
    if any(word in lowered for word in WEBSITE):
        raise WebsiteRefused(
            NETWORK,
            f"AvantLink refused the website ({text}): the Website ID field must be the "
            "number of one of this account's websites (in AvantLink: Account > Websites), "
            "or empty to read every website",
        )
    if any(word in lowered for word in REFUSED):
        raise CredentialsRejected(NETWORK, text)
    if lowered.startswith(("<", "{")):
        raise BadPayload(NETWORK, f"AvantLink sent neither a report nor an error: {text[:80]!r}")
    raise RequestRejected(NETWORK, f"AvantLink refused the request: {text}")
