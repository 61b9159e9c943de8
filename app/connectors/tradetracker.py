"""TradeTracker: SOAP 1.1 rpc/encoded, a session cookie per (customer ID, passphrase), one
connection per country network; the affiliate sites are the scopes, conversions are read
per site with limit/offset inside the call's `options`; campaigns are listed per site, and
links are built offline on tc.tradetracker.net (shared/networks/tradetracker.md,
notes/tradetracker.md)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.connectors.base import Connector, Scope, Window
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records
from app.connectors.soap import SoapFault, SoapMessage, parse_envelope
from app.connectors.tradetracker_auth import (
    API,
    AUTH_FAULT,
    TradeTrackerLogin,
    call,
    items,
    raise_for_fault,
    with_option,
)
from app.ledger.records import CommissionTerm, ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

ZONE = "Europe/Amsterdam"
# `registrationDateTo` with a time: the last second of a window is inclusive.
FORMAT = "%Y-%m-%d %H:%M:%S"
# `confirmed`/`declined` appear beside `accepted`/`rejected` in live data; an unknown word is
# kept as it came, counted as pending. Payment is the separate `paidOut` flag.
STATUSES = {
    "pending": "pending",
    "accepted": "approved",
    "confirmed": "approved",
    "rejected": "declined",
    "declined": "declined",
}
# A site's `assignmentStatus` for a campaign. On hold: no traffic until the hold is lifted;
# a site that signed out can sign up again.
RELATIONSHIPS = {
    "accepted": "joined",
    "pending": "pending",
    "rejected": "declined",
    "onhold": "declined",
    "signedout": "not_joined",
    "notsignedup": "not_joined",
}
# `info.commission` fields that are rates the listing gives: a percentage of the sale, and
# flat amounts per sale, lead and click (the `i...` variants and impression rates are left).
PERCENT_OF_SALE = "saleCommissionVariable"
FLAT = {"saleCommissionFixed": "sale", "leadCommission": "lead", "clickCommission": "click"}
# Material 12 is every campaign's generic deep link (banners have their own material ids).
DEEPLINK_MATERIAL = "12"


def commission_terms(campaign: Mapper) -> tuple[CommissionTerm, ...]:
    """A campaign's non-zero rates. Flat amounts carry no currency: the listing names none."""
    terms = []
    rate = campaign.money(f"info.commission.{PERCENT_OF_SALE}")
    if rate is not None and rate > 0:
        terms.append(CommissionTerm("percent", rate, category="sale"))
    for field, action in FLAT.items():
        amount = campaign.money(f"info.commission.{field}")
        if amount is not None and amount > 0:
            terms.append(CommissionTerm("flat", amount, category=action))
    return tuple(terms)


class TradeTracker(Connector):
    slug = "tradetracker"
    name = "TradeTracker"
    base_url = API
    auth = TradeTrackerLogin()
    paginator = Offset(with_option("offset"), with_option("limit"), size=500)
    programs_paginator = Offset(with_option("offset"), with_option("limit"), size=250)
    timezone = ZONE
    concurrency = 2
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # TradeTracker documents no limit for `r`: 50 characters is our conservative choice.
        # No '_': a merchant's direct-linking page receives `tt=<c>_<m>_<a>_<r>` and splits
        # it on '_' (TradeTracker's own Magento module does), so one would cut the reference.
        SubIdRule("r", 50, r"A-Za-z0-9\-", "letters, digits and '-'"),
        hosts=("tc.tradetracker.net",),
    )
    credentials_hint = (
        "In TradeTracker open Settings at the top right, pick this connection's country "
        "network, then Creatives > Web Services: the customer ID and passphrase are listed "
        "under Access. Each country network has its own passphrase."
    )

    def classify(self, response: httpx.Response) -> None:
        raise_for_fault(self.slug, response, login=False)
        super().classify(response)

    def parse(self, response: httpx.Response) -> SoapMessage:
        try:
            return parse_envelope(response.content)
        except SoapFault as fault:  # a Fault with a status other than 500
            kind = CredentialsRejected if AUTH_FAULT.search(fault.message) else RequestRejected
            raise kind(self.slug, fault.message) from fault
        except ValueError as exc:
            snippet = self.http.scrub(response.text[:200])
            raise BadPayload(
                self.slug, f"TradeTracker sent a body that is not SOAP ({exc}): {snippet!r}"
            ) from exc

    def items(self, payload: Any, part: str) -> Records:
        return items(self.slug, payload, part, ZoneInfo(ZONE))

    def extract(self, payload: Any) -> Records:
        return self.items(payload, "conversionTransactions")

    def extract_programs(self, payload: Any) -> Records:
        return self.items(payload, "campaigns")

    async def scopes(self) -> list[Scope]:
        sites = self.items(
            await self.request(call("getAffiliateSites", ("options", None))), "affiliateSites"
        )
        return [Scope(Mapper(self.slug, s).required_text("ID"), s.get("name")) for s in sites]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        options = {
            "registrationDateFrom": window.start.strftime(FORMAT),
            "registrationDateTo": window.last_second.strftime(FORMAT),
            "sort": "ID",
            "sortDirection": "ascending",
        }
        return call(
            "getConversionTransactions",
            ("affiliateSiteID", int(scope.account_id or 0)),
            ("options", options),
        )

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        word = m.required_text("transactionStatus")
        status = STATUSES.get(word.lower(), "pending")
        if status == "approved" and record.get("paidOut") is True:
            status = "paid"
        reference = m.text("reference")
        return TransactionRecord(
            external_id=m.required_text("ID"),
            status=status,
            network_status=word,
            event_at=m.required_time("registrationDate", ZONE),
            click_at=m.time("originatingClickDate", ZONE),
            validated_at=m.time("assessmentDate", ZONE),
            commission_amount=m.required_money("commission"),
            sale_amount=m.money("orderAmount"),
            currency=m.currency("currency"),
            click_ref=reference,
            sub_ids={"reference": reference} if reference else {},
            advertiser_id=m.text("campaign.ID"),
            advertiser_name=m.text("campaign.name"),
            country=m.text("countryCode"),
            product=m.text("campaignProduct.name"),
            source_timezone=ZONE,
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        # Unfiltered: every campaign of the country network with the site's assignment
        # status, not signed up included (one listing, 250 a call, once a day).
        return call(
            "getCampaigns", ("affiliateSiteID", int(scope.account_id or 0)), ("options", {})
        )

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        deeplinks = m.get("info.deeplinkingSupported")
        return ProgramRecord(
            external_id=m.required_text("ID"),
            name=m.text("name"),
            domains=hosts_of(m.text("URL")),
            network_relationship=m.text("info.assignmentStatus"),
            terms=commission_terms(m),
            deeplinks=deeplinks if isinstance(deeplinks, bool) else None,
            tracking_url=m.text("info.trackingURL"),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        # c: the campaign, m: the material, a: the affiliate site the campaign was listed
        # for, r: the reference (empty without a sub-id, as TradeTracker's own links keep
        # it), u: the destination, whole and encoded.
        assert request.program is not None
        return "https://tc.tradetracker.net/?" + query(
            ("c", request.program.external_id),
            ("m", DEEPLINK_MATERIAL),
            ("a", request.account_id),
            ("r", request.sub_id or ""),
            ("u", request.destination),
        )
