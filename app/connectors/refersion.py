"""Refersion Marketplace: the affiliate's GraphQL token (`X-Refersion-Key`) on one endpoint,
`POST https://graphql.refersion.com`, reads every brand program the Marketplace account has
joined (shared/networks/refersion.md, fixtures/refersion/).

`conversions(created_from, created_to, first, offset)` takes Unix seconds and pages by
offset, sent as GraphQL variables. Amounts and `created` are strings; each brand reports in
its own currency. A conversion with a `payment` has been paid. No call limit is published:
a 429 is retried with backoff."""

from __future__ import annotations

from typing import Any

from app.connectors.auth import HeaderKey
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records, json_path
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of

ENDPOINT = "https://graphql.refersion.com"
SHOP = "shop { name url shop_identifier }"
CONVERSIONS = f"""query Conversions($from: Int!, $to: Int!, $first: Int!, $offset: Int!) {{
  conversions(created_from: $from, created_to: $to, first: $first, offset: $offset) {{
    id total commission_total currency created status affiliate_id coupon_code
    {SHOP} payment {{ created }}
  }}
}}"""
AFFILIATES = f"{{ affiliates {{ id status rfsn_parameter {SHOP} }} }}"
STATUSES = {
    "pending": "pending",
    "approved": "approved",
    "denied": "declined",
    "unqualified": "declined",
}
RELATIONSHIPS = {"active": "joined", "pending": "pending", "denied": "declined"}
REFUSED = ("unauthori", "forbidden", "invalid key", "invalid token", "authenticat")
# The docs give 200 rows a request, an older revision 50; a short page ends the paging, so
# the smaller size is the one that never stops early.
PAGE_SIZE = 50


def _rows(payload: Any, field: str) -> Records:
    data = payload.get("data") if isinstance(payload, dict) else None
    rows = data.get(field) if isinstance(data, dict) else ...
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise BadPayload("refersion", f"Refersion sent no data.{field} list")
    return rows


class Refersion(Connector):
    slug = "refersion"
    name = "Refersion Marketplace"
    base_url = ENDPOINT
    auth = HeaderKey("X-Refersion-Key", "graphql_token")
    paginator = Offset(
        offset_param=json_path("variables.offset"),
        size_param=json_path("variables.first"),
        size=PAGE_SIZE,
    )
    concurrency = 2
    credentials_hint = (
        "In Refersion Marketplace click your name at the top right, choose Edit Your Profile "
        "and, under Your GraphQL Token, generate a new token and paste it here (generating "
        "one replaces the previous token)."
    )

    def query(self, query: str, **variables: Any) -> RequestSpec:
        return RequestSpec("POST", self.url("/"), json={"query": query, "variables": variables})

    def check(self, payload: Any) -> None:
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if not errors:
            return
        entries = errors if isinstance(errors, list) else [errors]
        text = "; ".join(str(e.get("message", e) if isinstance(e, dict) else e) for e in entries)
        text = self.http.scrub(text)[:300]
        lowered = text.lower()
        if any(word in lowered for word in REFUSED):
            raise CredentialsRejected(self.slug, text)
        if "too many" in lowered or "quota" in lowered or "rate limit" in lowered:
            raise RateLimited(self.slug, f"Refersion: {text}")
        raise RequestRejected(self.slug, f"Refersion answered with GraphQL errors: {text}")

    async def verify(self) -> Verified:
        """The token's brand programs; each approved one is an affiliate account."""
        programs = _rows(await self.request(self.query(AFFILIATES)), "affiliates")
        active = [p for p in programs if str(p.get("status", "")).lower() == "active"]
        accounts = sorted(
            (Scope(str(p["id"]), (p.get("shop") or {}).get("name")) for p in active),
            key=lambda s: int(s.account_id or 0),
        )
        return Verified(
            True, accounts, f"Refersion accepted the token: {len(accounts)} approved programs"
        )

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        start, last = int(window.start.timestamp()), int(window.last_second.timestamp())
        return self.query(CONVERSIONS, **{"from": start, "to": last})

    def extract(self, payload: Any) -> Records:
        return _rows(payload, "conversions")

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("status", STATUSES)
        if status == "approved" and isinstance(record.get("payment"), dict):
            status = "paid"
        return TransactionRecord(
            external_id=m.required_text("id"),
            status=status,
            network_status=word,
            event_at=m.required_time("created"),
            commission_amount=m.required_money("commission_total"),
            sale_amount=m.money("total"),
            currency=m.currency("currency"),
            advertiser_id=m.text("shop.shop_identifier"),
            advertiser_name=m.text("shop.name"),
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        return self.query(AFFILIATES)

    def extract_programs(self, payload: Any) -> Records:
        return _rows(payload, "affiliates")

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        word = m.text("status") or ""
        return ProgramRecord(
            external_id=m.text("shop.shop_identifier") or m.required_text("id"),
            name=m.text("shop.name"),
            domains=hosts_of(m.text("shop.url")),
            network_relationship=RELATIONSHIPS.get(word.lower(), "not_joined"),
        )
