"""Webgains publisher REST API, `https://platform-api.webgains.com` (shared/networks/webgains.md;
the SOAP service was retired at the end of 2023). Bearer token (`webgains_auth`); every path
under `/publishers/{publisher_id}`; the transaction report filtered by Unix-second bounds and
the connection's site (`filters[campaign_ids][]`), paged by `page`/`size` up to
`pagination.last_page`. Amounts are integers in ten-thousandths of the row's currency;
statuses are numeric codes; times are Unix seconds (UTC).

Programs: the site's memberships joined to the network's live directory, the only listing
with a program's homepage and deep-link permission; links are built offline (section 8)
for the site (`wgcampaignid`) a membership belongs to."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
from app.connectors.webgains_rows import PAGE, flag, last_page, required_scaled, scaled, status_of
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

CLICK = "https://track.webgains.com/click.html"
# The directory's status filter as a client lists it (1: live programs).
LIVE = "1"


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
    links = LinkFormat(
        "template",
        # `clickref` comes back as `click_reference`. Webgains documents no limit: 100
        # characters of a URL-safe set is a conservative reading.
        SubIdRule("clickref", 100),
        hosts=("track.webgains.com",),
    )
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

    def extract_programs(self, payload: Any) -> Records:
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise BadPayload(self.slug, "Webgains sent a program listing without 'data'")
        return data

    async def memberships(self) -> dict[str, dict[str, Any]]:
        """This site's memberships by program id (a membership is of a program and a site)."""
        site = self.credentials["campaign_id"]
        found: dict[str, dict[str, Any]] = {}
        listing = RequestSpec("GET", self.publisher_url("/program_memberships"))
        async for records in self.programs_paginator.pages(listing, self.fetch_programs):
            for r in records:
                m = Mapper(self.slug, r)
                if (m.text("campaign.id") or site) == site:
                    found[m.required_text("program.id")] = r
        return found

    async def programs(self) -> AsyncIterator[list[ProgramRecord]]:
        """The live directory, each program with the site's membership where it has one
        (a few thousand programs, 250 a page, once a day)."""
        scope = Scope(self.credentials["campaign_id"])
        memberships = await self.memberships()
        params = {"filters[program_statuses][]": [LIVE]}
        directory = RequestSpec("GET", self.url("/merchants/programs"), params)
        async for records in self.programs_paginator.pages(directory, self.fetch_programs):
            listed = [{**r, "membership": memberships.pop(str(r.get("id")), None)} for r in records]
            yield [self.complete(self.map_program(p), scope) for p in listed]
        # Memberships of programs the directory does not list as live (paused, closing).
        rest = [{**(r.get("program") or {}), "membership": r} for r in memberships.values()]
        if rest:
            yield [self.complete(self.map_program(p), scope) for p in rest]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        """A directory program with its `membership` (or None)."""
        m = Mapper(self.slug, record)
        member = record.get("membership")
        joined = Mapper(self.slug, member) if isinstance(member, dict) else None
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(m.text("homepage_url")),
            # The numeric membership status is undocumented: a membership of the site is
            # the relationship (fact sheet, section 6); the code is kept as Webgains sends it.
            relationship="joined" if joined else "not_joined",
            network_relationship=joined.text("status") if joined else None,
            account_id=joined.text("campaign.id") if joined else None,
            deeplinks=flag(m.get("allows_deeplinks")),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        # The destination last: link readers take everything after `wgtarget=`.
        return f"{CLICK}?" + query(
            ("wgcampaignid", request.account_id),
            ("wgprogramid", request.program.external_id),
            ("clickref", request.sub_id),
            ("wgtarget", request.destination),
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
