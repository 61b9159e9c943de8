"""The ledger's normalised records: what every source (network connectors, Amazon uploads)
produces, independent of network."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

STATUSES = frozenset({"pending", "approved", "declined", "paid"})


@dataclass(slots=True)
class TransactionRecord:
    """One commission line as netledger stores it. Times are aware UTC datetimes; money is
    Decimal in `currency`; `raw` is the network's record as received."""

    external_id: str
    status: str
    network_status: str
    event_at: datetime
    commission_amount: Decimal
    currency: str
    raw: dict[str, Any]
    sale_amount: Decimal | None = None
    click_at: datetime | None = None
    validated_at: datetime | None = None
    order_id: str | None = None
    click_ref: str | None = None
    sub_ids: dict[str, str] = field(default_factory=dict)
    advertiser_id: str | None = None
    advertiser_name: str | None = None
    country: str | None = None
    device: str | None = None
    product: str | None = None
    source_timezone: str = "UTC"


@dataclass(slots=True)
class ProgramRecord:
    external_id: str
    name: str | None = None
    domain: str | None = None
    relationship_status: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
