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
    # The publisher account or site the line was reported for (the scope's by default):
    # with the advertiser id, it names the program the line belongs to.
    account_id: str | None = None


RELATIONSHIPS = ("joined", "pending", "declined", "not_joined")


@dataclass(frozen=True, slots=True)
class CommissionTerm:
    """One commission rate a program pays: a percentage of the sale (`kind="percent"`,
    `value` 5 for 5 %) or a flat amount in `currency` (`kind="flat"`), for one of the
    program's categories or actions where the network names them."""

    kind: str
    value: Decimal
    currency: str | None = None
    category: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "value": str(self.value),
            "currency": self.currency,
            "category": self.category,
        }


@dataclass(slots=True)
class ProgramRecord:
    """A program (advertiser, merchant, campaign) as one account of a connection sees it.

    `relationship` is ours (`RELATIONSHIPS`), `network_relationship` the network's word;
    the connector's `relationships` table fills the first from the second when a mapper
    leaves it out. `account_id` is the publisher account or site the program was seen
    through (the scope's, unless the mapper knows better). `link_token` is what a link to
    the program needs beyond its id (a creative token, a camref, an ad id, a link code);
    `tracking_url` the network's own click URL for it, where the network gives one."""

    external_id: str
    name: str | None = None
    domains: tuple[str, ...] = ()
    relationship: str | None = None
    network_relationship: str | None = None
    account_id: str | None = None
    terms: tuple[CommissionTerm, ...] = ()
    deeplinks: bool | None = None
    link_token: str | None = None
    tracking_url: str | None = None

    @property
    def domain(self) -> str | None:
        return self.domains[0] if self.domains else None
