"""Webgains publisher REST API, `https://platform-api.webgains.com` (shared/networks/webgains.md;
the SOAP service was retired at the end of 2023). Bearer token (`webgains_auth`); every path
under `/publishers/{publisher_id}`; the transaction report filtered by Unix-second bounds and
the connection's site (`filters[campaign_ids][]`), paged by `page`/`size` up to
`pagination.last_page`. Amounts are integers in ten-thousandths of the row's currency;
statuses are numeric codes; times are Unix seconds (UTC)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import PageNumber, Records
from app.connectors.ratelimit import per_minute
from app.connectors.webgains_auth import API, NotConfigured, WebgainsAuth
from app.connectors.webgains_rows import PAGE, last_page, required_scaled, scaled, status_of
from app.ledger.records import ProgramRecord, TransactionRecord


class Webgains(Connector):
    slug = "webgains"
    name = "Webgains"
    base_url = API
    auth = WebgainsAuth()
    paginator = PageNumber(page_param="page", size_param="size", size=PAGE, total_pages=last_page)
    programs_paginator = paginator
    max_window = timedelta(days=31)  # a month; one client reports a year as the maximum
    budgets = per_minute(60)  # none documented; the old service throttled at 60 a minute
    concurrency = 2
    credentials_hint = (
        "In the Webgains platform, create a new personal API token in your user settings and "
        "save it as the API token (or check the username and password you sign in with), "
        "and check the Publisher ID on the Account information page and your site's "
        "Campaign ID under Websites & apps."
    )
    unused_credentials = {
        "network": "the REST API has one host for every country platform; the form keeps "
        "the platform the publisher signs in to",
    }

    def publisher_url(self, path: str) -> str:
        return self.url(f"/publishers/{quote(self.credentials['publisher_id'], safe='')}{path}")

    async def scopes(self) -> list[Scope]:
        return [Scope(self.credentials["campaign_id"])]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        params = {
            "filters[start_date]": int(window.start.timestamp()),
            "filters[end_date]": int(window.last_second.timestamp()),  # contiguous windows
            "filters[campaign_ids][]": [scope.account_id],
            "sort": "date",
            "sort_order": "ASC",
        }
        return RequestSpec("GET", self.publisher_url("/reports/transactions"), params)

    def classify(self, response: httpx.Response) -> None:
        if response.status_code == 404 and "/publishers/" in response.url.path:
            raise CredentialsRejected(
                self.slug,
                f"Webgains knows no publisher {self.credentials['publisher_id']} for these "
                "credentials (HTTP 404): check the Publisher ID, a different number from the "
                "site's Campaign ID",
            )
        super().classify(response)

    def extract(self, payload: Any) -> Records:
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list) or not isinstance(payload.get("pagination"), dict):
            raise BadPayload(self.slug, "Webgains sent a body without 'data' and 'pagination'")
        return data

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, code = status_of(m)
        ref = m.text("click_reference")
        # The row's currency: the commission's, else the sale value's.
        priced = "commission" if m.get("commission.currency_code") else "value"
        return TransactionRecord(
            external_id=m.required_text("id"),
            status=status,
            network_status=code,
            event_at=m.required_time("date"),
            validated_at=None if status == "pending" else m.time("status_changed_date"),
            commission_amount=required_scaled(m, "commission.amount"),
            sale_amount=scaled(m, "value.amount"),
            currency=m.currency(f"{priced}.currency_code"),
            order_id=m.text("order_reference"),
            click_ref=ref,
            sub_ids={"click_reference": ref} if ref else {},
            advertiser_id=m.text("program.id"),
            advertiser_name=m.text("program.name"),
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        return RequestSpec("GET", self.publisher_url("/program_memberships"))

    def extract_programs(self, payload: Any) -> Records:
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise BadPayload(self.slug, "Webgains sent program memberships without 'data'")
        site = self.credentials["campaign_id"]
        # Memberships are per program and site: this connection's site only.
        return [r for r in data if str(Mapper(self.slug, r).get("campaign.id") or site) == site]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        code = m.text("status")
        return ProgramRecord(
            external_id=m.required_text("program.id"),
            name=m.text("program.name"),
            # The numeric membership status is undocumented: kept as Webgains sends it.
            network_relationship=code,
        )

    async def verify(self) -> Verified:
        """The publisher's sites: proves the token (or sign-in), the Publisher ID and that
        the Campaign ID is one of that publisher's sites."""
        payload = await self.request(RequestSpec("GET", self.publisher_url("/campaigns")))
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise BadPayload(self.slug, "Webgains sent a list of sites without 'data'")
        sites = {str(s.get("id")): str(s.get("name") or "") for s in data if isinstance(s, dict)}
        pid, site = self.credentials["publisher_id"], self.credentials["campaign_id"]
        if site not in sites:
            raise CredentialsRejected(
                self.slug,
                f"Webgains publisher {pid} has no site with Campaign ID {site} (its sites: "
                f"{', '.join(sorted(sites)) or 'none'}). Copy the ID of the site to connect "
                "from Websites & apps in the Webgains platform; add one connection per site.",
            )
        message = f"Webgains publisher {pid}, site {site} ({sites[site]})"
        return Verified(True, [Scope(site, sites[site])], message)

    def refused(self, exc: CredentialsRejected) -> CredentialsRejected:
        if isinstance(exc, NotConfigured):
            return exc  # nothing was refused: a way in is missing
        return super().refused(exc)
