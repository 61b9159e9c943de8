"""Skimlinks: a client-credentials token (`skimlinks_auth`), the Reporting API's commission
report by transaction date or, after a first sync, `updated_since`; merchants as programs
(`skimlinks_merchants`). Amounts carry float noise from currency conversion: read exactly,
rounded to the minor unit (shared/networks/skimlinks.md, fixtures/skimlinks/).

Links wrap any destination: `https://go.skimresources.com/?id=<publisher>X<site>&xs=1&url=
<destination>&xcust=<sub-id>`; Skimlinks finds the merchant from the destination and
reports `xcust` back as `click_details.custom_id`. The site is the connection's own
`domain_id`, else the first registered site, which one merchant-listing call names (the
only call a link costs; the links service keeps each link a week)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.connectors import skimlinks_merchants as merchants
from app.connectors.base import Connector, Scope, Verified, Window, split_windows
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records
from app.connectors.ratelimit import Budget
from app.connectors.skimlinks_auth import SkimlinksToken, token_publisher
from app.fx.money import round_money
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

REPORTING = "https://reporting.skimapis.com"
WIRE = "%Y-%m-%dT%H:%M:%S"
BASKET = "transaction_details.basket"
PAGE = "Toolbox > APIs > API Authentication credentials"
# `active` commissions are pending until Skimlinks pays them: the report has no approval.
STATUSES = {"active": "pending", "cancelled": "declined"}
TOKEN = SkimlinksToken()


def _has_next(payload: Any) -> bool:
    pagination = payload.get("pagination") if isinstance(payload, dict) else None
    return isinstance(pagination, dict) and pagination.get("has_next") is True


class Skimlinks(Connector):
    slug = "skimlinks"
    name = "Skimlinks"
    base_url = REPORTING
    auth = TOKEN
    paginator = Offset(size=1000, has_more=_has_next)
    programs_paginator = Offset(size=200, has_more=merchants.has_more)
    # Per API key: commission report 40 a minute and 300 an hour (the Merchant API allows
    # more). The per-IP limits (80/min, 500/h, 1000/day) are not per credential.
    budgets = (Budget(40, 60), Budget(300, 3600))
    concurrency = 2
    incremental = True
    links = LinkFormat(
        # Built offline once the site is known; naming the site may take one API call.
        "network_api",
        # Skimlinks: xcust "has a maximum size of 50 characters"; &, ?, = and spaces break it.
        SubIdRule("xcust", 50, r"A-Za-z0-9_\-.", "letters, digits, '-', '_' and '.'"),
        needs_program=False,
        hosts=("skimresources.com",),
    )
    credentials_hint = (
        f"In the Skimlinks Publisher Hub open {PAGE}, and copy the Publisher ID, Client ID "
        "and Client Secret shown there again (each ID and the secret exactly as shown)."
    )
    # The site `first_site` found, for the rest of this connector's links.
    _first_site: str | None = None

    @property
    def publisher(self) -> str:
        return self.credentials["publisher_id"].strip()

    @property
    def site(self) -> str | None:
        return (self.credentials.get("domain_id") or "").strip() or None

    def windows(self, start: date, end: date, by: str = "event") -> Iterator[Window]:
        if by == "updated":  # `updated_since` has no upper bound: one window to the end
            return split_windows(start, end, self.zone, end - start + timedelta(days=1), by)
        return super().windows(start, end, by)

    def report(self, **params: Any) -> RequestSpec:
        url = f"{REPORTING}/publisher/{self.publisher}/commission-report"
        site = {"domain_id": self.site} if self.site else {}
        return RequestSpec("GET", url, {**params, **site, "sort_by": "id", "sort_dir": "ASC"})

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        if window.by == "updated":
            return self.report(updated_since=f"{window.start:{WIRE}}")
        start = f"{window.start:{WIRE}}"
        if window.end > datetime.now(UTC):
            # An end_date may not lie in the future, and transaction dates are the upstream
            # networks' local times (some ahead of UTC): the last window runs open-ended.
            return self.report(start_date=start)
        return self.report(start_date=start, end_date=f"{window.last_second:{WIRE}}")

    def extract(self, payload: Any) -> Records:
        return self._list(payload, "commissions")

    def _list(self, payload: Any, key: str) -> Records:
        rows = payload.get(key) if isinstance(payload, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadPayload(self.slug, f"Skimlinks sent no '{key}' list of records")
        return rows

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("transaction_details.status", STATUSES)
        paid = m.text("transaction_details.payment_status")
        if status == "pending" and (paid or "").lower() == "paid":
            status = "paid"
        currency = m.currency(f"{BASKET}.currency")
        sale = m.money(f"{BASKET}.order_amount")
        custom = m.text("click_details.custom_id")
        return TransactionRecord(
            external_id=m.required_text("commission_id"),
            status=status,
            network_status=f"{word}/{paid}" if paid else word,
            # Naive; the reporting network's own time (not UTC, says Skimlinks), read as UTC.
            event_at=m.required_time("transaction_details.transaction_date"),
            click_at=m.time("click_details.date"),
            commission_amount=round_money(m.required_money(f"{BASKET}.publisher_amount"), currency),
            sale_amount=None if sale is None else round_money(sale, currency),
            currency=currency,
            click_ref=custom,
            sub_ids={"custom_id": custom} if custom else {},
            advertiser_id=m.text("merchant_details.merchant_id") or m.text("merchant_details.id"),
            advertiser_name=m.text("merchant_details.merchant_name")
            or m.text("merchant_details.name"),
            country=m.text("click_details.user_country"),
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        site = {"publisher_domain_id": self.site} if self.site else {}
        return RequestSpec(
            "GET", f"{merchants.MERCHANTS}/v4/publisher/{self.publisher}/merchants", site
        )

    def extract_programs(self, payload: Any) -> Records:
        currency = payload.get("user_currency") if isinstance(payload, dict) else None
        return merchants.per_program(self._list(payload, "merchants"), currency)

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        return merchants.program(self.slug, record)

    async def api_link(self, request: LinkRequest) -> str:
        site = self.site or await self.first_site()
        return "https://go.skimresources.com/?" + query(
            ("id", f"{self.publisher}X{site}"),
            ("xs", "1"),
            ("url", request.destination),
            ("xcust", request.sub_id),
        )

    async def first_site(self) -> str:
        """The site the Merchant API answers for when asked for none: the first registered
        (asked once per connector: a batch of links asks once)."""
        if self._first_site is not None:
            return self._first_site
        payload = await self.request(self.programs_request(Scope()).with_params(limit=1))
        site = self._first_site = merchants.site_of(payload)
        if site is None:
            raise RequestRejected(
                self.slug,
                "Skimlinks named none of your sites: enter one site's ID (Publisher Hub: "
                "Settings > Install) on this connection to make links",
            )
        return site

    async def scopes(self) -> list[Scope]:
        return [Scope(self.publisher, f"site {self.site}" if self.site else None)]

    async def verify(self) -> Verified:
        """A fresh token names its publisher; a one-row report and, for a site, one of its
        merchants prove the rest."""
        await TOKEN.invalidate(self.credentials, self.http)
        try:
            owner = token_publisher(await TOKEN.value(self.credentials, self.http))
        except CredentialsRejected as exc:
            raise self.refused(exc) from exc
        if owner is not None and owner != self.publisher:
            raise CredentialsRejected(
                self.slug,
                f"The Client ID and Secret belong to Skimlinks publisher {owner}, not to the "
                f"Publisher ID {self.publisher} entered here: copy the Publisher ID from {PAGE}.",
            )
        today = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
        day = Window(today, today + timedelta(days=1))
        await self.request(self.transactions_request(Scope(), day).with_params(limit=1))
        try:
            if self.site:
                await self.request(self.programs_request(Scope()).with_params(limit=1))
        except RequestRejected as exc:
            raise CredentialsRejected(
                self.slug,
                f"Skimlinks refused site ID {self.site} ({exc.message}). Enter one of your "
                "sites' IDs (Publisher Hub: Settings > Install), or none for every site.",
            ) from exc
        return Verified(True, await self.scopes(), f"Skimlinks accepted publisher {self.publisher}")
