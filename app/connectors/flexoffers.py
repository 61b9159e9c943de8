"""FlexOffers publisher API (shared/networks/flexoffers.md): one API key per publisher domain
in the `apiKey` header, `GET /allsales` paged by `page`/`pageSize` (1-500) with `totalCount`,
an empty page as HTTP 204, times naive in US Eastern, sale rows whose keys may come in
camelCase or PascalCase, advertisers from `GET /advertisers` (pageSize 10/50/100) by the
domain's application status, deep links from each advertiser's `deeplinkURL`
(`flexoffers_links`).

No call limit is documented: a 429 is retried with backoff, honouring `Retry-After`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.connectors import flexoffers_links as deep_links
from app.connectors.auth import HeaderKey
from app.connectors.base import Connector, Scope, Unit, Verified, Window
from app.connectors.errors import BadPayload, RequestRejected
from app.connectors.flexoffers_domain import find_domain
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import PageNumber, Records
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkRequest

EASTERN = "America/New_York"
STATUSES = {
    "pending": "pending",
    "approved": "approved",
    "bonus": "approved",
    "cancelled": "declined",
    "canceled": "declined",
    "non-commissionable": "declined",
}
# `status=all` is sometimes down for maintenance (HTTP 400): then each status in turn.
MAINTENANCE = "under maintenance"
EACH_STATUS = ("pending", "approved", "cancelled", "bonus", "non-commissionable")
SUBS = ("subtracking", "subid1", "subid2", "subid3", "subid4", "subid5")
# `applicationStatus`, the domain's standing with an advertiser; the filter takes Approved,
# Applied, Declined and NotApplied [I: a client's tool schema; "Pending" is read too].
RELATIONSHIPS = {
    "approved": "joined",
    "applied": "pending",
    "pending": "pending",
    "declined": "declined",
    "notapplied": "not_joined",
    "not applied": "not_joined",
}
# Not applied is FlexOffers' whole directory (thousands of advertisers): left out.
LISTED = ("Approved", "Applied", "Declined")


def page_total(payload: Any) -> int | None:
    """Pages from `totalCount` and `pageSize`; None (a short page ends) when absent."""
    if not isinstance(payload, dict):
        return None
    found = {k.lower(): v for k, v in payload.items()}
    total, size = found.get("totalcount"), found.get("pagesize")
    if total is None or not size:
        return None
    return max(1, -(-int(total) // int(size)))


def lowered(record: dict[str, Any]) -> dict[str, Any]:
    """Keys compared case-insensitively: `legacyId`, `FLX_SalesId`, `ProgramId`..."""
    return {k.lower(): v for k, v in record.items()}


class FlexOffers(Connector):
    slug = "flexoffers"
    name = "FlexOffers"
    base_url = "https://api.flexoffers.com"
    auth = HeaderKey("apiKey", "api_key")
    paginator = PageNumber(
        page_param="page", size_param="pageSize", size=500, total_pages=page_total
    )
    programs_paginator = PageNumber(
        page_param="Page", size_param="pageSize", size=100, total_pages=page_total
    )
    timezone = EASTERN
    concurrency = 2
    incremental = True
    relationships = RELATIONSHIPS
    links = deep_links.FORMAT
    credentials_hint = (
        "In FlexOffers open Data Feeds > Web Services > API Keys and copy the API key listed "
        "for this connection's domain (each domain has its own key), with that domain's ID, "
        "name and URL."
    )

    async def scopes(self) -> list[Scope]:
        domains = await self.request(RequestSpec("GET", self.url("/domains")))
        return [find_domain(self.slug, domains, self.credentials, self.credentials_hint)]

    async def verify(self) -> Verified:
        scopes = await self.scopes()
        return Verified(True, scopes, f"FlexOffers accepted the key of {scopes[0].name}")

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        params = {
            "startDate": f"{window.start:%m/%d/%Y}",
            "endDate": f"{window.last_second:%m/%d/%Y}",
            "dateType": "modifiedDate" if window.by == "updated" else "eventDate",
            "reportType": "sales",
            "status": "all",
            "sortOrder": "ASC",
        }
        return RequestSpec("GET", self.url("/allsales"), params)

    async def unit_pages(self, unit: Unit) -> AsyncIterator[list[TransactionRecord]]:
        try:
            async for page in super().unit_pages(unit):
                yield page
            return
        except RequestRejected as exc:
            if MAINTENANCE not in exc.message.lower():
                raise
        first = self.transactions_request(unit.scope, unit.window)
        for status in EACH_STATUS:
            async for records in self.paginator.pages(
                first.with_params(status=status), self._fetch
            ):
                yield [self._map(record, unit.scope) for record in records]

    def extract(self, payload: Any) -> Records:
        if payload is None:
            return []  # HTTP 204: nothing in the window
        rows = lowered(payload).get("results") if isinstance(payload, dict) else ...
        if rows is None:
            return []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadPayload(self.slug, "FlexOffers sent no 'results' list of records")
        return rows

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, lowered(record))
        status, word = m.status("orderstatus", STATUSES)
        if status == "approved" and str(m.get("ispaid")).lower() == "true":
            status = "paid"
        subs = {key: text for key in SUBS if (text := m.text(key))}
        return TransactionRecord(
            external_id=m.text("legacyid")
            or m.text("flx_salesid")
            or m.required_text("transactionkey"),
            status=status,
            network_status=word,
            event_at=m.required_time("eventdate", self.zone),
            click_at=m.time("clickdate", self.zone),
            commission_amount=m.required_money("commission"),
            sale_amount=m.money("merchantvalue")
            if m.get("merchantvalue") is not None
            else m.money("saleamount"),
            currency=m.currency("currency", "USD"),
            order_id=m.text("ordernumber"),
            click_ref=next(iter(subs.values()), None),
            sub_ids=subs,
            advertiser_id=m.text("programid"),
            advertiser_name=m.text("programname"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_requests(self, scope: Scope) -> list[RequestSpec]:
        return [
            RequestSpec(
                "GET",
                self.url("/advertisers"),
                {"ProgramStatus": "Approved", "ApplicationStatus": status},
            )
            for status in LISTED
        ]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, lowered(record))
        deeplinks = m.get("allowsdeeplinking")
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(m.text("domainurl")),
            network_relationship=m.text("applicationstatus"),
            terms=deep_links.terms(m.text("payout")),
            deeplinks=deeplinks if isinstance(deeplinks, bool) else None,
            tracking_url=m.text("deeplinkurl"),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        return deep_links.link(request)
