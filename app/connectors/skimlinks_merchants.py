"""Skimlinks' Merchant API v4 as programs: `GET /v4/publisher/{id}/merchants` (HTTP 201),
paged by `limit`/`offset` while `has_more`. A merchant is a brand (`id`, `advertiser_id`)
listing the ids of its programs (`merchant_ids`); commissions name the program, so each
program id becomes a program. Publishers join nothing: every listed merchant is usable."""

from __future__ import annotations

from typing import Any

from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.ledger.records import ProgramRecord
from app.links.domains import hosts_of

MERCHANTS = "https://merchants.skimapis.com"
KEEP = ("advertiser_id", "partner_type", "calculated_commission_rate", "countries")


def has_more(payload: Any) -> bool:
    return isinstance(payload, dict) and payload.get("has_more") is True


def per_program(merchants: Records) -> Records:
    out = []
    for merchant in merchants:
        ids = merchant.get("merchant_ids") or [merchant.get("id")]
        out += [{**merchant, "program_id": str(i)} for i in ids if i is not None]
    return out


def program(network: str, record: dict[str, Any]) -> ProgramRecord:
    m = Mapper(network, record)
    domains = record.get("domains") or []
    return ProgramRecord(
        external_id=m.required_text("program_id"),
        name=m.text("name"),
        domains=hosts_of(str(domains[0]) if domains else None),
        network_relationship="joined",
        # Rates keep the network's exact text (JSON columns take no Decimal).
    )
