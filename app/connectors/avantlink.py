"""AvantLink: one `api.php` endpoint per platform (`classic.avantlink.com`, Canada
`classic.avantlink.ca`), the module in the query with `affiliate_id` and the `auth_key`;
the Sales/Commissions (Detail) report (`AffiliateReport`, `report_id=8`) as CSV, the joined
merchants (`AssociationFeed`) as XML, errors as text at HTTP 200 (`avantlink_body`),
1,000 report calls a day (shared/networks/avantlink.md).

Report times are naive US Mountain time; amounts are dollar strings with accounting
parentheses, in US dollars (Canadian dollars on the Canadian platform). `Transaction Type`
says what a line is: RETURN, CANCELED/CANCELLED and FRAUD take a sale back (always a
negative line), ADJUSTMENT changes one, SALE and BONUS earn.

Every merchant comes in one AssociationFeed call with the affiliate's standing (active,
pending, denied, none). A Custom Link is built offline:
`https://www.avantlink.com/click.php?tt=cl&mi={merchant}&pw={website}&ctc={code}&url={dest}`
(`avantlink_links`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.connectors import avantlink_body as body
from app.connectors import avantlink_links as custom_links
from app.connectors.auth import QueryKey
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.connectors.ratelimit import Budget
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkRequest

HOSTS = {"us": "https://classic.avantlink.com", "ca": "https://classic.avantlink.ca"}
CURRENCIES = {"us": "USD", "ca": "CAD"}
TYPES = {"sale", "bonus", "adjustment", "return", "canceled", "cancelled", "fraud"}
REVERSALS = {"return", "canceled", "cancelled", "fraud"}
# `Commission Status` words (the values are not documented); a Payment Id means paid.
STATUSES = {"pending": "pending", "approved": "approved", "locked": "approved", "paid": "paid"}
STATUSES |= dict.fromkeys(("declined", "reversed", "rejected", "void"), "declined")
# The feed's `Association Status` words (AvantLink's AssociationFeed help page).
RELATIONSHIPS = {
    "active": "joined",
    "pending": "pending",
    "denied": "declined",
    "none": "not_joined",
}
FORMATS = ("%m-%d-%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S")


class AvantLink(Connector):
    slug = "avantlink"
    name = "AvantLink"
    base_url = HOSTS["us"]
    auth = QueryKey("auth_key", "api_key")
    max_window = timedelta(days=28)  # no documented maximum; a known client reads 28 days
    timezone = body.ZONE
    budgets = (Budget(1000, 86400),)  # AffiliateReport: 1,000 calls a day per key
    concurrency = 2
    relationships = RELATIONSHIPS
    links = custom_links.FORMAT
    credentials_hint = (
        "In AvantLink open Ad Tools, scroll to AvantLink API and select Create, then the "
        "API Keys tab: copy the Affiliate ID and the 32-character key shown there (Generate "
        "a New Key if none is listed). An account you sign in to at avantlink.ca needs "
        "Platform set to Canada."
    )

    @property
    def region(self) -> str:
        return "ca" if (self.credentials.get("region") or "us").lower() == "ca" else "us"

    @property
    def api_base(self) -> str:
        return HOSTS[self.region]

    @property
    def affiliate_id(self) -> str:
        value = str(self.credentials["affiliate_id"]).strip()
        if not value.isdigit():
            raise RequestRejected(self.slug, f"The Affiliate ID {value[:20]!r} is not a number")
        return value

    def call(self, module: str, **params: str) -> RequestSpec:
        query = {"module": module, "affiliate_id": self.affiliate_id, **params}
        return RequestSpec("GET", self.url("/api.php"), query)

    def parse(self, response: httpx.Response) -> Any:
        return body.parse(response, self.http.scrub)

    def check(self, payload: Any) -> None:
        body.check(payload, self.http.scrub)

    async def scopes(self) -> list[Scope]:
        return [Scope(self.affiliate_id)]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        fmt = "%Y-%m-%d %H:%M:%S"
        return self.call(
            "AffiliateReport",
            report_id="8",
            output="csv",
            date_begin=window.start.strftime(fmt),
            date_end=window.last_second.strftime(fmt),
            website_id=str(self.credentials.get("website_id") or "0"),
            merchant_id="0",
            include_inactive_merchants="1",  # sales of merchants left since still count
            search_results_include_cpc="0",
        )

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        kind = m.required_text("Transaction Type")
        if kind.lower() not in TYPES:
            raise m.fail("Transaction Type", f"has an unknown type {kind!r}")
        sale, commission = m.money("Transaction Amount"), m.required_money("Total Commission")
        if kind.lower() in REVERSALS:  # a reversal takes money back, whatever its sign
            sale, commission = -abs(sale) if sale is not None else None, -abs(commission)
        status, word = "approved", kind  # no status column (older layouts): a booked line
        if m.text("Commission Status"):
            status, word = m.status("Commission Status", STATUSES)
        if m.text("Payment Id") and status != "declined":
            status = "paid"
        ctc = m.text("Custom Tracking Code")
        return TransactionRecord(
            external_id=m.required_text("AvantLink Transaction Id"),
            status=status,
            network_status=word,
            event_at=m.required_time("Transaction Date", self.zone, formats=FORMATS),
            click_at=m.time("Last Click Through", self.zone, formats=FORMATS),
            commission_amount=commission,
            sale_amount=sale,
            currency=CURRENCIES[self.region],
            order_id=m.text("Order Id"),
            click_ref=ctc,
            sub_ids={"ctc": ctc} if ctc else {},
            advertiser_id=m.text("Merchant Id"),
            advertiser_name=m.text("Merchant"),
            device="mobile" if m.text("Mobile Order") == "Y" else None,
            product=m.text("Campaign/Product Link"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        # Every merchant with the affiliate's standing costs one call either way (the feed
        # allows 500 a day): AvantLink's merchant list is not a directory of tens of
        # thousands, so the ones not joined are listed too.
        return self.call("AssociationFeed", output="xml")

    def extract_programs(self, payload: Any) -> Records:
        return list(payload)

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        return ProgramRecord(
            external_id=m.required_text("Merchant_Id"),
            name=m.text("Merchant_Name"),
            domains=hosts_of(m.text("Merchant_URL")),
            network_relationship=m.text("Association_Status"),
            terms=custom_links.terms(m.text("Commission_Rate"), CURRENCIES[self.region]),
            tracking_url=m.text("Default_Tracking_URL"),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        return custom_links.link(request)

    def refused(self, exc: CredentialsRejected) -> CredentialsRejected:
        return exc if isinstance(exc, body.WebsiteRefused) else super().refused(exc)

    async def verify(self) -> Verified:
        """A one-day Sales/Commissions report: a header row (with or without sales) proves
        the Affiliate ID, the key, the platform and the website."""
        today = datetime.now(ZoneInfo(self.zone)).date()
        await self.request(self.transactions_request(Scope(), next(self.windows(today, today))))
        where = "avantlink.ca" if self.region == "ca" else "avantlink.com"
        return Verified(
            True,
            await self.accounts(),
            f"AvantLink ({where}) accepted the key of affiliate {self.affiliate_id}",
        )
