"""TradeTracker `getCampaigns(affiliateSiteID, options)`: every campaign with the site's
assignment status (`info.assignmentStatus`), filterable by `options.assignmentStatus`, its
rates (`info.commission`), deep-link flag and generic tracking URL (material 12)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Advertiser

ZERO = Decimal("0.00")
# Our relationship -> TradeTracker's assignment status word.
ASSIGNMENT = {
    "joined": "accepted",
    "pending": "pending",
    "suspended": "onhold",
    "rejected": "rejected",
    "notjoined": "notsignedup",
}


def campaign(adv: Advertiser, site: int) -> dict[str, Any]:
    return {
        "ID": adv.id,
        "name": adv.name,
        "URL": f"https://www.{adv.domain}",
        "info": {
            "category": {"ID": 7, "name": "Shopping"},
            "campaignDescription": f"{adv.name}: shop online.",
            "trackingURL": f"https://tc.tradetracker.net/?c={adv.id}&m=12&a={site}&r=&u=",
            "commission": {
                "impressionCommission": ZERO,
                "clickCommission": ZERO,
                "fixedCommission": ZERO,
                # Every third campaign also pays a flat amount per lead.
                "leadCommission": Decimal("1.50") if adv.id % 3 == 0 else ZERO,
                "saleCommissionFixed": ZERO,
                "saleCommissionVariable": adv.rate * 100,
                "iLeadCommission": ZERO,
                "iSaleCommissionFixed": ZERO,
                "iSaleCommissionVariable": ZERO,
            },
            "assignmentStatus": ASSIGNMENT[adv.relationship],
            "startDate": datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/Amsterdam")),
            "stopDate": None,
            "timeZone": "Europe/Amsterdam",
            "deeplinkingSupported": adv.deeplinks,
            "referencesSupported": True,
        },
    }


def campaigns(advertisers: Iterable[Advertiser], site: int, status: str | None) -> list[Any]:
    rows = [campaign(adv, site) for adv in advertisers]
    return [r for r in rows if status in (None, r["info"]["assignmentStatus"])]
