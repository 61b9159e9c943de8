"""Refersion Marketplace: the affiliate's GraphQL token (`X-Refersion-Key`) on one endpoint,
`POST https://graphql.refersion.com`, reads every brand program the Marketplace account has
joined (shared/networks/refersion.md, fixtures/refersion/).

`conversions(created_from, created_to, first, offset)` takes Unix seconds and pages by
offset, sent as GraphQL variables. Amounts and `created` are strings; each brand reports in
its own currency. A conversion with a `payment` has been paid. No call limit is published:
a 429 is retried with backoff.

Links track on the brand's own pages: any page of the shop with the program's `rfsn` value
and the affiliate's `subid` (Refersion's help: `https://example.com?rfsn=123456.abc123&
subid=I_am_a_sentence`). The conversion field that reports the sub-id back is not in the
documented samples: the schema is asked once per sync whether `Conversion` has `sub_id`
(the name the `clicks` type uses), so a schema without it never fails a sync."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.connectors.auth import HeaderKey
from app.connectors.base import Connector, Scope, Unit, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records, json_path
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, encoded, unlinkable

ENDPOINT = "https://graphql.refersion.com"
SHOP = "shop { name url shop_identifier }"
CONVERSIONS = """query Conversions($from: Int!, $to: Int!, $first: Int!, $offset: Int!) {
  conversions(created_from: $from, created_to: $to, first: $first, offset: $offset) {
    id total commission_total currency created status affiliate_id coupon_code%s
    SHOP payment { created }
  }
}""".replace("SHOP", SHOP)
TRACKING = ("rfsn", "subid")
# Conversion fields read only where the schema has them (see the module docstring).
OPTIONAL = ("sub_id",)
FIELDS = '{ __type(name: "Conversion") { fields { name } } }'
AFFILIATES = f"{{ affiliates {{ id status rfsn_parameter {SHOP} }} }}"
STATUSES = {
    "pending": "pending",
    "approved": "approved",
    "denied": "declined",
    "unqualified": "declined",
}
RELATIONSHIPS = {
    "active": "joined",
    "pending": "pending",
    "denied": "declined",
    "disabled": "declined",
    "inactive": "declined",
}
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
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Refersion: no spaces, "any string of alphanumeric text", words joined by '-' or
        # '_'. It documents no length: 64 is our conservative cap.
        SubIdRule("subid", 64),
        on_program_domain=True,
        # Links built here land on the brand's own site; these are Refersion's own click
        # hosts (its tracking domain and refer.link short links).
        hosts=("refersion.com", "refer.link"),
    )
    _conversions: str | None = None
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

    async def units(self, start: date, end: date, since: date | None = None) -> list[Unit]:
        await self.conversion_query()
        return await super().units(start, end, since)

    async def conversion_query(self) -> str:
        """The conversions query with the optional fields this schema has, asked once."""
        if self._conversions is None:
            payload = await self.request(self.query(FIELDS))
            found = ((payload.get("data") or {}).get("__type") or {}).get("fields") or []
            names = {f.get("name") for f in found if isinstance(f, dict)}
            extra = "".join(f" {name}" for name in OPTIONAL if name in names)
            self._conversions = CONVERSIONS % extra
        return self._conversions

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        start, last = int(window.start.timestamp()), int(window.last_second.timestamp())
        query = self._conversions or CONVERSIONS % ""
        return self.query(query, **{"from": start, "to": last})

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
            click_ref=m.text("sub_id"),
            sub_ids={"subid": sub_id} if (sub_id := m.text("sub_id")) else {},
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
        return ProgramRecord(
            external_id=m.text("shop.shop_identifier") or m.required_text("id"),
            name=m.text("shop.name"),
            domains=hosts_of(m.text("shop.url")),
            network_relationship=m.text("status"),
            deeplinks=True,  # any page of the brand's site takes the rfsn parameter
            link_token=rfsn_value(m.text("rfsn_parameter")),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        program = request.program
        assert program is not None
        if not program.link_token:
            problem = "Refersion listed no rfsn value for this program: list programs again"
            raise unlinkable("program_id", problem)
        parts = urlsplit(request.destination)
        # A pasted affiliate link keeps its page, not its tracking.
        kept = [p for p in parts.query.split("&") if p and p.split("=")[0] not in TRACKING]
        query = "&".join(kept)
        tracking = f"rfsn={encoded(program.link_token)}"
        if request.sub_id:
            tracking += f"&subid={encoded(request.sub_id)}"
        return urlunsplit(parts._replace(query=f"{query}&{tracking}" if query else tracking))


def rfsn_value(parameter: str | None) -> str | None:
    """`&rfsn=1111110.c4845` (the listing's `rfsn_parameter`) as `1111110.c4845`."""
    text = (parameter or "").lstrip("?&")
    value = text.split("=", 1)[1] if text.startswith("rfsn=") else text
    return value or None
