"""Tune (HasOffers) Partner API: one host per white-label network
(`https://<network_id>.api.hasoffers.com/Apiv3/json`), the affiliate's `api_key` in the query,
`Target`/`Method` calls with bracketed array parameters, failures inside HTTP 200 bodies,
50 calls per 10 s (shared/networks/tune.md, notes/tune.md).

Programs are the offers the affiliate sees, with its approval (`tune_offers`). Links come
from `Affiliate_Offer::generateTrackingLink`: the network's own tracking domain (custom
per network, even per affiliate and offer), its own link shape, and `url` taken only where
the network allows website links; the key says who the affiliate is.

Conversion times are naive, in the network's default timezone, which the Partner API does
not name (getContext is not known to carry it): read in the connection's optional
`timezone`, UTC by default. Rows without `Stat.currency` are in the network's currency,
from getContext."""

from __future__ import annotations

import re
from typing import Any

from app.connectors.auth import QueryKey
from app.connectors.base import Connector, Scope, Window
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import PageNumber, Records
from app.connectors.ratelimit import Budget
from app.connectors.tune_envelope import check_envelope, page_count, rows
from app.connectors.tune_offers import RELATIONSHIPS, approval, flag, terms
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule

NETWORK_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
STATUSES = {"approved": "approved", "pending": "pending", "rejected": "declined"}
SUBS = ("affiliate_info1", "affiliate_info2", "affiliate_info3", "affiliate_info4")
FIELDS = (
    *(f"Stat.{f}" for f in ("id", "tune_event_id", "datetime", "conversion_status", "payout")),
    *(f"Stat.{f}" for f in ("sale_amount", "currency", "offer_id", "ad_id", *SUBS)),
    "Stat.affiliate_info5",
    "Offer.name",
)
FORMATS = ("%Y-%m-%d %H:%M:%S",)


class Tune(Connector):
    slug = "tune"
    name = "Tune (HasOffers)"
    base_url = "https://api.hasoffers.com"
    auth = QueryKey("api_key", "api_key")
    paginator = PageNumber(page_param="page", size_param="limit", total_pages=page_count)
    programs_paginator = PageNumber(page_param="page", size_param="limit", total_pages=page_count)
    budgets = (Budget(50, 10),)
    concurrency = 2
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "network_api",
        # `aff_sub` comes back as `Stat.affiliate_info1`. Tune documents no limit: 100
        # characters of a URL-safe set is a conservative reading.
        SubIdRule("aff_sub", 100),
        # HasOffers' own click domains; a network with a custom domain answers with it.
        hosts=("go2cloud.org", "go2jump.org"),
    )
    credentials_hint = (
        "Copy the API key and Network ID again from the network's affiliate panel (Support > "
        "API, or Tools > API in older panels). If the key is limited to IP addresses, add "
        "netledger's address there (0.0.0.0 lifts the limit)."
    )

    @property
    def zone(self) -> str:
        return self.credentials.get("timezone") or "UTC"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_currency = "USD"

    @property
    def network_id(self) -> str:
        value = self.credentials.get("network_id", "").strip()
        if not NETWORK_ID.fullmatch(value):
            raise RequestRejected(
                self.slug, f"The Network ID {value[:40]!r} is not a short name such as 'demo'"
            )
        return value

    @property
    def api_base(self) -> str:
        return f"https://{self.network_id}.api.hasoffers.com"

    def call(self, target: str, method: str, **params: Any) -> RequestSpec:
        return RequestSpec(
            "GET", self.url("/Apiv3/json"), {"Target": target, "Method": method, **params}
        )

    def check(self, payload: Any) -> None:
        check_envelope(payload, self.network_id, self.http.scrub)

    def extract(self, payload: Any) -> Records:
        return rows(payload)

    async def scopes(self) -> list[Scope]:
        """The affiliate the key belongs to, and the network's currency (for rows whose
        `Stat.currency` is empty: `BrandPreferences.network_currency`, else USD)."""
        found = await self.request(self.call("Affiliate_Affiliate", "findById"))
        m = Mapper(self.slug, found["response"].get("data") or {})
        context = await self.request(self.call("Affiliate_AffiliateUser", "getContext"))
        c = Mapper(self.slug, context["response"].get("data") or {})
        self.network_currency = c.currency("BrandPreferences.network_currency", "USD")
        return [Scope(m.required_text("Affiliate.id"), m.text("Affiliate.company"))]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        fmt = FORMATS[0]
        return self.call(
            "Affiliate_Report",
            "getConversions",
            **{
                "fields[]": list(FIELDS),
                "filters[Stat.datetime][conditional]": "BETWEEN",
                "filters[Stat.datetime][values][]": [
                    window.start.strftime(fmt),
                    window.last_second.strftime(fmt),
                ],
                "sort[Stat.datetime]": "asc",
                "sort[Stat.id]": "asc",
            },
        )

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("conversion_status", STATUSES)
        subs = {k: str(record[k]) for k in (*SUBS, "affiliate_info5") if record.get(k)}
        return TransactionRecord(
            external_id=m.text("id") or m.required_text("tune_event_id"),
            status=status,
            network_status=word,
            event_at=m.required_time("datetime", self.zone, formats=FORMATS),
            commission_amount=m.required_money("payout"),
            sale_amount=m.money("sale_amount"),
            currency=m.currency("currency", self.network_currency),
            click_ref=subs.get("affiliate_info1"),
            sub_ids=subs,
            advertiser_id=m.text("offer_id"),
            advertiser_name=m.text("Offer.name"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        # Every offer the affiliate sees, joined or not: one network's catalogue (hundreds,
        # a few thousand at most), each offer with the affiliate's own tracking link.
        return self.call(
            "Affiliate_Offer",
            "findAll",
            **{"filters[status]": "active", "contain[]": ["TrackingLink"]},
        )

    def extract_programs(self, payload: Any) -> Records:
        return [
            {**(r.get("Offer") or {}), "TrackingLink": r.get("TrackingLink")} for r in rows(payload)
        ]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        word, relationship = approval(m)
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(m.text("preview_url")),
            relationship=relationship,
            network_relationship=word,
            terms=terms(m, self.network_currency),
            deeplinks=flag(m.get("allow_website_links")),
            tracking_url=m.text("TrackingLink.click_url"),
        )

    async def api_link(self, request: LinkRequest) -> str:
        assert request.program is not None
        params = {"offer_id": request.program.external_id}
        if request.sub_id:
            params["params[aff_sub]"] = request.sub_id
        params["params[url]"] = request.destination
        payload = await self.request(self.call("Affiliate_Offer", "generateTrackingLink", **params))
        data = payload["response"].get("data")
        return Mapper(self.slug, data if isinstance(data, dict) else {}).required_text("click_url")

    def refused(self, exc: CredentialsRejected) -> CredentialsRejected:
        return CredentialsRejected(
            self.slug,
            f"{self.name} network '{self.credentials.get('network_id', '')}' refused the "
            f"credentials ({exc.message}). {self.credentials_hint}",
        )
