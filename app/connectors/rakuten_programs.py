"""Rakuten's programs: the site's partnerships (`GET /v1/partnerships`, every status in one
paged listing), each joined one with its advertiser's page (`GET /v2/advertisers/{id}`:
the site and whether it takes deep links, which the listing does not say)."""

from __future__ import annotations

from typing import Any

from app.connectors.errors import BadPayload
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import PageNumber
from app.ledger.records import ProgramRecord
from app.links.domains import hosts_of

# The partnership statuses, and what each means here.
RELATIONSHIPS = {
    "active": "joined",
    "pending": "pending",
    "extended": "pending",  # the advertiser took longer to review the application
    "temp-decline": "declined",
    "permanent-decline": "declined",
    "temp-remove": "declined",
    "permanent-remove": "declined",
    "self-removed": "not_joined",  # the publisher left the program
}
PAGE = 200  # the most `limit` takes


def _pages(payload: Any) -> int | None:
    total = (payload.get("_metadata") or {}).get("total") if isinstance(payload, dict) else None
    return -(-total // PAGE) if isinstance(total, int) else None


PAGINATOR = PageNumber(size=PAGE, total_pages=_pages)


def listing(api: str) -> RequestSpec:
    return RequestSpec("GET", f"{api}/v1/partnerships", headers={"Accept": "application/json"})


def partnerships(payload: Any) -> list[dict[str, Any]]:
    rows = payload.get("partnerships") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise BadPayload("rakuten", "Rakuten's partnerships answer has no 'partnerships' list")
    return rows


def details_request(api: str, record: dict[str, Any]) -> RequestSpec | None:
    """The advertiser page of a joined partnership (the only ones links are made for, so
    the daily program sync spends one call per joined program and no more)."""
    m = Mapper("rakuten", record)
    advertiser = m.text("advertiser.id")
    if m.text("status") != "active" or not advertiser or not advertiser.isdigit():
        return None
    return RequestSpec(
        "GET", f"{api}/v2/advertisers/{advertiser}", headers={"Accept": "application/json"}
    )


def program(record: dict[str, Any]) -> ProgramRecord:
    """A partnership, with its advertiser page under `details` where one was read."""
    m = Mapper("rakuten", record)
    deeplinks = m.get("details.features.deep_links")
    return ProgramRecord(
        external_id=m.required_text("advertiser.id"),
        name=m.text("advertiser.name"),
        domains=hosts_of(m.text("details.url")),
        network_relationship=m.required_text("status"),
        deeplinks=deeplinks if isinstance(deeplinks, bool) else None,
    )
