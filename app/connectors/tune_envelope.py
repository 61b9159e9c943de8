"""Reading Tune (HasOffers) bodies: the rows, the page count, and failures, which Tune
reports inside HTTP 200 bodies.

A failed call answers `{"response": {"status": -1, "data": "", "errors": [{"publicMessage":
...}], "errorMessage": ...}}`; an unknown network id answers an object with no `status` and
`errors` as one object (`{"publicMessage": "Network id is not valid"}`). The words decide
the kind: a rate limit is retried, a refused key or address stops the connection, an API
that is off for the network (a network moved to the new TUNE Network) ends the run saying
so, anything else is a rejected request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    RateLimited,
    RequestRejected,
    Unavailable,
)
from app.connectors.paging import Records

NETWORK = "tune"
# Seconds to wait after "API usage exceeded rate limit" (the limit is 50 calls per 10 s).
RATE_LIMIT_PAUSE = 10.0
UNAVAILABLE = (
    "feature is disabled",
    "api is disabled",
    "api has been disabled",
    "api is not available",
    "api is unavailable",
    "deprecated",
    "migrated",
)
# An answer that the Target or Method does not exist means the same: no such API here.
MISSING = ("invalid", "unknown", "does not exist", "not found", "not supported")
REFUSED = (
    "not authenticated",
    "api key",
    "api_key",
    "whitelist",
    "allowlist",
    "ip address",
    "not authorized",
    "unauthorized",
    "permission denied",
)


def messages(response: dict[str, Any]) -> str:
    """Every message of an error body, joined."""
    errors = response.get("errors")
    entries = errors if isinstance(errors, list) else [errors] if errors else []
    found = [
        str(e.get("publicMessage") or e.get("err_msg") or "") if isinstance(e, dict) else str(e)
        for e in entries
    ]
    if isinstance(response.get("errorMessage"), str):
        found.append(response["errorMessage"])
    unique = [m.strip() for m in dict.fromkeys(found) if m and m.strip()]
    return "; ".join(unique) or "no error message"


def check_envelope(payload: Any, network_id: str, scrub: Callable[[str], str]) -> None:
    """Raise what a Tune body reports, or nothing for `status: 1`."""
    response = payload.get("response") if isinstance(payload, dict) else None
    if not isinstance(response, dict):
        raise BadPayload(NETWORK, "Tune sent a body without a 'response' object")
    status = response.get("status")
    if str(status) == "1":
        return
    text = scrub(messages(response))
    lowered = text.lower()
    if status is None and "network id" in lowered:
        raise CredentialsRejected(
            NETWORK,
            f"{text}: check the Network ID field ({network_id!r}, the first part of the "
            "network's API address <network id>.api.hasoffers.com)",
        )
    if status is None and "errors" not in response:
        raise BadPayload(NETWORK, "Tune sent a 'response' without a status")
    if "rate limit" in lowered:
        raise RateLimited(NETWORK, f"Tune: {text}", RATE_LIMIT_PAUSE)
    missing = ("target" in lowered or "method" in lowered) and any(w in lowered for w in MISSING)
    if missing or any(word in lowered for word in UNAVAILABLE):
        raise Unavailable(
            NETWORK,
            f"Tune network {network_id!r} answered: {text}. The Partner (affiliate) API is "
            "off for this network; the network may have moved to the new TUNE Network, "
            "whose API netledger cannot read. Ask the network whether its Partner API is "
            "still available to you.",
        )
    if any(word in lowered for word in REFUSED):
        raise CredentialsRejected(NETWORK, text)
    raise RequestRejected(NETWORK, f"Tune refused the request: {text}")


def rows(payload: Any) -> Records:
    """The rows under `response.data.data` (paged) or `response.data` (unpaged): a list,
    or an object keyed by id; `[]` when empty. A row's `Stat` fields are lifted to the top
    (`{"payout": ..., "Offer": {...}}`); other models stay nested."""
    data = payload["response"].get("data")
    if isinstance(data, dict) and "data" in data and ("pageCount" in data or "page" in data):
        data = data["data"]
    if data in (None, "", []):
        return []
    found = list(data.values()) if isinstance(data, dict) else data
    out = []
    for row in found if isinstance(found, list) else [found]:
        stat = row.get("Stat", {}) if isinstance(row, dict) else None
        if not isinstance(stat, dict):
            raise BadPayload(NETWORK, f"Tune sent a row that is not a model object: {row!r:.80}")
        out.append({**stat, **{k: v for k, v in row.items() if k != "Stat"}})
    return out


def page_count(payload: Any) -> int | None:
    """`pageCount` as a number (it may be a string or null); `current` is never trusted."""
    data = payload["response"].get("data") if isinstance(payload, dict) else None
    value = data.get("pageCount") if isinstance(data, dict) else None
    return int(str(value)) if value not in (None, "") and str(value).isdigit() else None
