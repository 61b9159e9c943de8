"""Skimlinks' Merchant API v4 as programs: `GET /v4/publisher/{id}/merchants` (HTTP 201),
paged by `limit`/`offset` while `has_more`. A merchant is a brand (`id`, `advertiser_id`)
listing the ids of its programs (`merchant_ids`); commissions name the program, so each
program id becomes a program. Publishers join nothing: every listed merchant is one the
publisher's site may link to, on any of its pages.

Rates: `minimum_rate` and `maximum_rate` are Rate objects (`rate_type` percentage or
flat_rate, `base_rate`, `currency`, `payout_type` cpa/cpc/cpl). A percentage's `base_rate`
is read as percent points (4.5 = 4.5 %); the documentation shows no example, so that unit
is inferred. `calculated_commission_rate` is an average of past sales, not a term.

The answer's `publisher_domain_stats` names the publisher's site the listing is for: the
first registered one when no `publisher_domain_id` is asked (as the API documents), which
is the site a link names when the connection names none."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.ledger.records import CommissionTerm, ProgramRecord
from app.links.domains import hosts_of

MERCHANTS = "https://merchants.skimapis.com"


def has_more(payload: Any) -> bool:
    return isinstance(payload, dict) and payload.get("has_more") is True


def per_program(merchants: Records, currency: str | None = None) -> Records:
    out = []
    for merchant in merchants:
        ids = merchant.get("merchant_ids") or [merchant.get("id")]
        extra = {"user_currency": currency} if currency else {}
        out += [{**merchant, **extra, "program_id": str(i)} for i in ids if i is not None]
    return out


def site_of(payload: Any) -> str | None:
    """The publisher's site a merchant listing was answered for."""
    stats = payload.get("publisher_domain_stats") if isinstance(payload, dict) else None
    first = stats[0] if isinstance(stats, list) and stats else None
    site = first.get("publisher_domain_id") if isinstance(first, dict) else None
    return str(site) if site is not None else None


def terms(record: dict[str, Any]) -> tuple[CommissionTerm, ...]:
    out: list[CommissionTerm] = []
    for bound in ("minimum_rate", "maximum_rate"):
        rate = record.get(bound)
        if not isinstance(rate, dict) or rate.get("base_rate") is None:
            continue
        try:
            value = Decimal(str(rate["base_rate"]))
        except InvalidOperation:
            continue
        category = " ".join(str(w) for w in (bound.split("_")[0], rate.get("payout_type")) if w)
        if rate.get("rate_type") == "flat_rate":
            currency = rate.get("currency") or record.get("user_currency")
            term = CommissionTerm("flat", value, str(currency).upper(), category)
        else:
            term = CommissionTerm("percent", value, None, category)
        if not any(
            (t.kind, t.value, t.currency) == (term.kind, term.value, term.currency) for t in out
        ):
            out.append(term)
    return tuple(out)


def program(network: str, record: dict[str, Any]) -> ProgramRecord:
    m = Mapper(network, record)
    return ProgramRecord(
        external_id=m.required_text("program_id"),
        name=m.text("name"),
        domains=hosts_of(*(str(d) for d in record.get("domains") or [])),
        relationship="joined",  # Skimlinks has no joining: a listed merchant is usable
        terms=terms(record),
        deeplinks=True,
    )
