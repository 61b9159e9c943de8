"""Post Affiliate Pro's campaigns as programs: the affiliate campaigns grid for names,
standing and rates, and the affiliate banners grid for what a link needs (one listing per
installation, not a call per campaign).

- `affstatus` is the affiliate's standing in a campaign: A approved, F fixed (placed there
  by a performance reward), P pending, D declined, empty for a campaign that needs an
  approval the affiliate never asked for. Public campaigns answer A without asking.
- `commissionsdetails` is PAP's own summary, e.g. `per sale / lead: 10%, per click: $0.50`:
  one `name: value` per commission type, a percentage or an amount in the installation's
  currency.
- Banners carry the merchant's pages (`destinationurl`), the affiliate's own click URL for
  them (`bannerclickurl`, whose `a_aid` is the affiliate's referral id) and the affiliate's
  user id (`userid`, which `a_aid` takes as well).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.ledger.records import CommissionTerm, ProgramRecord
from app.links.domains import hosts_of

# fmt: off
CAMPAIGN_COLUMNS = [
    "id", "name", "description", "rtype", "rstatus", "logourl", "commissionsdetails", "affstatus",
]
BANNER_COLUMNS = ["id", "campaignid", "destinationurl", "bannerclickurl", "userid"]
# fmt: on
RELATIONSHIPS = {"a": "joined", "f": "joined", "p": "pending", "d": "declined"}
_AMOUNT = re.compile(r"\d[\d.,]*")


def with_banners(campaigns: Records, banners: Records) -> Records:
    """Each campaign with its banners and the affiliate's id (the same on every banner)."""
    affiliate = next((a for b in banners if (a := affiliate_id(b))), None)
    by_campaign: dict[str, list[dict[str, Any]]] = {}
    for banner in banners:
        by_campaign.setdefault(str(banner.get("campaignid")), []).append(banner)
    return [
        {**c, "linked_banners": by_campaign.get(str(c.get("id")), []), "affiliate": affiliate}
        for c in campaigns
    ]


def affiliate_id(banner: dict[str, Any]) -> str | None:
    """The `a_aid` of the banner's click URL (query or `#` anchor), else its `userid`."""
    parts = urlsplit(str(banner.get("bannerclickurl") or ""))
    for section in (parts.query, parts.fragment):
        if found := parse_qs(section).get("a_aid"):
            return found[0]
    return str(banner.get("userid") or "") or None


def terms(details: str | None, currency: str) -> tuple[CommissionTerm, ...]:
    """`per sale / lead: 10%, per click: $0.50` as terms; anything unreadable is left out."""
    out = []
    for part in (details or "").split(", "):
        name, _, value = part.rpartition(": ")
        number = _AMOUNT.search(value)
        if not name or number is None:
            continue  # "none active", or a format this installation changed
        try:
            amount = Decimal(_decimal(number.group()))
        except InvalidOperation:
            continue
        if value.strip().endswith("%"):
            out.append(CommissionTerm("percent", amount, category=name))
        else:
            out.append(CommissionTerm("flat", amount, currency, name))
    return tuple(out)


def _decimal(text: str) -> str:
    """`1,234.50` and `1.234,50` and `12,5` as `1234.50`, `1234.50`, `12.5`."""
    if "," in text and ("." not in text or text.rfind(",") > text.rfind(".")):
        return text.replace(".", "").replace(",", ".")
    return text.replace(",", "")


def program(network: str, record: dict[str, Any], currency: str) -> ProgramRecord:
    m = Mapper(network, record)
    word = m.text("affstatus") or ""
    banners = record.get("linked_banners") or []
    return ProgramRecord(
        external_id=m.required_text("id"),
        name=m.text("name"),
        domains=hosts_of(*(b.get("destinationurl") for b in banners)),
        relationship=RELATIONSHIPS.get(word.lower(), "not_joined"),
        network_relationship=word or None,
        terms=terms(m.text("commissionsdetails"), currency),
        # A link names the campaign by `a_cid` and the affiliate by `a_aid`.
        link_token=record.get("affiliate"),
        tracking_url=next((b["bannerclickurl"] for b in banners if b.get("bannerclickurl")), None),
    )
