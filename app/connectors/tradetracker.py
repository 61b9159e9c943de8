"""TradeTracker: SOAP 1.1 rpc/encoded, a session cookie per (customer ID, passphrase), one
connection per country network; the affiliate sites are the scopes, conversions are read
per site with limit/offset inside the call's `options` (shared/networks/tradetracker.md,
notes/tradetracker.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
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
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of

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
RELATIONSHIPS = {
    "accepted": "joined",
    "pending": "pending",
    "rejected": "rejected",
    "onhold": "suspended",
    "signedout": "left",
    "notsignedup": "notjoined",
}


class TradeTracker(Connector):
    slug = "tradetracker"
    name = "TradeTracker"
    base_url = API
    auth = TradeTrackerLogin()
    paginator = Offset(with_option("offset"), with_option("limit"), size=500)
    programs_paginator = Offset(with_option("offset"), with_option("limit"), size=250)
    timezone = ZONE
    concurrency = 2
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
        return call(
            "getCampaigns", ("affiliateSiteID", int(scope.account_id or 0)), ("options", {})
        )

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        word = m.text("info.assignmentStatus")
        details = {"assignmentStatus": word}
        for key in ("trackingURL", "deeplinkingSupported", "referencesSupported"):
            if (value := m.get(f"info.{key}")) is not None:
                details[key] = value
        return ProgramRecord(
            external_id=m.required_text("ID"),
            name=m.text("name"),
            domains=hosts_of(urlsplit(m.text("URL") or "").hostname),
            network_relationship=RELATIONSHIPS.get(word or "", word),
        )
