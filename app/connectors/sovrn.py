"""Sovrn Commerce (formerly VigLink): one secret key per site, the v1 transactions report one
day per call at one call a minute, no paging, no status field, every amount in US dollars;
links through its redirect API on the site's public API key, the merchant found by Sovrn
from the destination (shared/networks/sovrn.md; research notes: notes/sovrn.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.connectors.auth import HeaderKey
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.ratelimit import per_minute
from app.ledger.records import TransactionRecord
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

REPORTS = "https://viglink.io"
ACCOUNTS = "https://rest.viglink.com"
TRANSACTIONS = "/v1/reports/transactions"
# The report's rows are "actualized earnings": Sovrn sends no status word, so this is kept.
ACTUALIZED = "actualized"
# The spec declares a flat record; the docs page's example nests it (`commission.…`, with
# `publisherNetRevenue`). Both are read, flat first: our field -> (flat path, nested path).
FIELDS = {
    "id": ("revenueId", "commission.revenueId"),
    "commission_id": ("commissionId", "commission.commissionId"),
    "commission_date": ("commissionDate", "commission.commissionDate"),
    "click_date": ("clickDate", "click.clickDate"),
    "revenue": ("publisherRevenue", "commission.publisherNetRevenue"),
    "order_value": ("orderValue", "commission.orderValue"),
    "cuid": ("cuid", "click.cuid"),
    "merchant_id": ("merchantGroupId", "merchant.merchantGroupId"),
    "merchant_name": ("merchantGroupName", "merchant.merchantGroupName"),
    "country": ("country", "click.country"),
    "device": ("deviceType", "click.device"),
    "products": ("merchandise", "product"),
}


class Sovrn(Connector):
    slug = "sovrn"
    name = "Sovrn Commerce"
    base_url = REPORTS
    auth = HeaderKey("Authorization", "secret_key", prefix="secret ")
    max_window = timedelta(days=1)
    budgets = per_minute(1)
    concurrency = 1
    incremental = True
    links = LinkFormat(
        "template",
        # Sovrn's redirect API: a cuid of up to 2048 letters and digits, no other character
        # (its developer reference; older pages said 32).
        SubIdRule("cuid", 2048, allowed="A-Za-z0-9", allowed_text="letters and digits"),
        needs_program=False,
        hosts=("redirect.viglink.com",),
    )
    unused_credentials = {
        "currency": "Sovrn reports and pays only in US dollars; the form keeps the field and "
        "accepts only USD",
    }
    credentials_hint = (
        "In Sovrn Commerce's settings, select the key icon next to the site and copy its API "
        "key and secret key (a regenerated secret replaces the old one at once)."
    )

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        # Event windows ask by commission date, the date a row's money belongs to (a click
        # date would miss commissions on clicks before the window); incremental windows by
        # the documented delta filter, the update date.
        param = "updateDate" if window.by == "updated" else "commissionDate"
        return RequestSpec("GET", REPORTS + TRANSACTIONS, {param: f"{window.start:%Y-%m-%d}"})

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        # `key` is the site's public API key (it shows in the site's pages by design).
        return "https://redirect.viglink.com?" + query(
            ("key", request.field("api_key")), ("u", request.destination), ("cuid", request.sub_id)
        )

    def classify(self, response: httpx.Response) -> None:
        if response.status_code == 404 and response.url.path.endswith(TRANSACTIONS):
            return  # a day without rows ("data not found"), not a failure
        super().classify(response)

    def parse(self, response: httpx.Response) -> Any:
        if response.status_code == 404:
            return None
        return super().parse(response)

    def extract(self, payload: Any) -> list[dict[str, Any]]:
        if payload is None:
            return []
        rows = payload.get("transactions", ...) if isinstance(payload, dict) else ...
        if rows is None:
            return []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadPayload(self.slug, "Sovrn sent no 'transactions' list of records")
        return rows

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        nested = isinstance(record.get("commission"), dict)
        path = {key: paths[1] if nested else paths[0] for key, paths in FIELDS.items()}
        cuid = m.text(path["cuid"])
        products = m.get(path["products"])
        first = products[0] if isinstance(products, list) and products else None
        # No status field: a reported commission is approved, and a reversal arrives as a
        # negative line Sovrn deducts from what it pays, so it stays approved and nets
        # against the sale (the reversal rule, README). Nothing says when a line is paid.
        return TransactionRecord(
            external_id=m.required_text(path["id"]),
            status="approved",
            network_status=ACTUALIZED,
            event_at=m.required_time(path["commission_date"]),
            click_at=m.time(path["click_date"]),
            commission_amount=m.required_money(path["revenue"]),
            sale_amount=m.money(path["order_value"]),
            currency="USD",  # Sovrn converts every amount to US dollars before reporting
            order_id=m.text(path["commission_id"]),
            click_ref=cuid,
            sub_ids={"cuid": cuid} if cuid else {},
            advertiser_id=m.text(path["merchant_id"]),
            advertiser_name=m.text(path["merchant_name"]),
            country=m.text(path["country"]),
            device=m.text(path["device"]),
            product=Mapper(self.slug, first).text("productName")
            if isinstance(first, dict)
            else None,
            source_timezone="UTC",
            raw=record,
        )

    async def verify(self) -> Verified:
        """The account's sites (campaigns) on the account host; the secret proves itself by
        the answer, and the API key must be one of the listed sites' keys."""
        payload = await self.request(
            RequestSpec("GET", ACCOUNTS + "/api/account/campaigns/PRIMARY")
        )
        campaigns = payload.get("campaigns") if isinstance(payload, dict) else None
        if not isinstance(campaigns, list):
            raise BadPayload(self.slug, "Sovrn's campaigns answer has no 'campaigns' list")
        for campaign in campaigns:
            m = Mapper(self.slug, campaign if isinstance(campaign, dict) else {})
            if m.text("apiKey") == self.credentials.get("api_key"):
                site = Scope(m.required_text("campaignId"), m.text("name"))
                return Verified(True, [site], f"Sovrn accepted the keys of site {site.name}")
        raise CredentialsRejected(
            self.slug,
            "Sovrn accepted the secret key, but the API key belongs to none of its sites. "
            + self.credentials_hint,
        )
