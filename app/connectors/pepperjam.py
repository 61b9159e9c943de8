"""Pepperjam (Ascend by Partnerize) publisher API, version 20120402 on
`api.pepperjamnetwork.com` (shared/networks/pepperjam.md): the key in the `apiKey` query
parameter, `format=json`, a `{"meta": ..., "data": [...]}` envelope paged by
`meta.pagination.next.href` (2,500 rows a page), 1,500 calls a day per key.

The transaction report is one row per transaction in its current state, by transaction
date in US Eastern time (whole days, end inclusive, at most six months a call). Rows carry
no currency: amounts are in the account's reporting currency, the form's `currency`.
Pepperjam has no declined word: a reversal corrects the transaction to nothing.

Programs are the advertisers the publisher has a standing with (every status but
`no_relationship`, the whole directory). A tracking link needs the program's generic
creative token (`pepperjam_programs`): the generic creative resource gives every joined
program's in one call, so the program sync reads it each time, one more of the day's 1,500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from app.connectors.auth import Custom, Key
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import NextLink, Records
from app.connectors.pepperjam_envelope import (
    check_envelope,
    key_in_query,
    next_page,
    quota_spent,
    rows,
    total_results,
)
from app.connectors.pepperjam_programs import (
    CLICK_HOSTS,
    RELATIONSHIPS,
    GenericLink,
    no_generic_link,
)
from app.connectors.ratelimit import Budget
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, encoded

API = "https://api.pepperjamnetwork.com"
TRANSACTIONS = "/20120402/publisher/report/transaction-details"
ADVERTISERS = "/20120402/publisher/advertiser"
GENERIC_CREATIVES = "/20120402/publisher/creative/generic"
# Where a transaction sits in the advertiser's locking cycle (Ascend help, audit of Dec
# 2026): `delayed` is past validation with payout held for the advertiser's invoice.
STATUSES = {
    "pending": "pending",
    "unconfirmed": "pending",
    "delayed": "approved",
    "locked": "approved",
    "paid": "paid",
}
FORMATS = ("%Y-%m-%d %H:%M:%S",)


class Pepperjam(Connector):
    slug = "pepperjam"
    name = "Pepperjam"
    base_url = API
    auth = Key("api_key", Custom(key_in_query))
    paginator = NextLink(next_page)
    programs_paginator = NextLink(next_page)
    # The report takes at most six months a call; 180 days is under six months however a
    # month is counted, and few calls matter under a quota of 1,500 a day.
    max_window = timedelta(days=180)
    timezone = "America/New_York"
    budgets = (Budget(1500, 86400),)
    concurrency = 2
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Pepperjam documents no limit on `sid`: 64 is a conservative guess.
        SubIdRule("sid", 64),
        hosts=CLICK_HOSTS,
    )
    unused_credentials = {
        "password": "the API reads with the key alone; the password is kept for a person "
        "signing in to Pepperjam to create or renew that key",
    }
    credentials_hint = (
        "Sign in to Pepperjam (Ascend, ascendpartner.com), choose Resources > API Keys in "
        "the left menu and copy the publisher API key shown there, or generate a new one if "
        "there is none or it has expired (Pepperjam expires keys under its security "
        "policy); then paste it into this connection's API key field."
    )

    def __init__(self, credentials: Mapping[str, str], http: NetworkHttp) -> None:
        super().__init__(credentials, http)
        self._generic: dict[str, dict[str, Any]] | None = None

    @property
    def currency(self) -> str:
        return (self.credentials.get("currency") or "USD").strip().upper()

    def call(self, path: str, **params: str) -> RequestSpec:
        return RequestSpec("GET", self.url(path), {**params, "format": "json"})

    async def scopes(self) -> list[Scope]:
        # No who-am-I resource: the key reaches one publisher account, named by its login.
        username = self.credentials.get("username") or ""
        return [Scope(username or None, f"Pepperjam publisher {username}".strip())]

    def classify(self, response: httpx.Response) -> None:
        if response.status_code == 429 and "retry-after" not in response.headers:
            quota_spent(response, self.http.scrub)
        super().classify(response)

    def check(self, payload: Any) -> None:
        check_envelope(payload, self.http.scrub)

    def extract(self, payload: Any) -> Records:
        return rows(payload)

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        return self.call(
            TRANSACTIONS,
            startDate=f"{window.start:%Y-%m-%d}",
            endDate=f"{window.last_second:%Y-%m-%d}",
        )

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("status", STATUSES)
        commission = m.required_money("commission")
        sale = m.money("sale_amount")
        if status != "paid" and commission <= 0 and (sale is None or sale <= 0):
            status = "declined"  # reversed: corrected to nothing (no word says declined)
        sid = m.text("sid")
        return TransactionRecord(
            external_id=m.required_text("transaction_id"),
            status=status,
            network_status=word,
            event_at=m.required_time("date", self.zone, formats=FORMATS),
            commission_amount=commission,
            sale_amount=sale,
            currency=self.currency,
            order_id=m.text("order_id"),
            click_ref=sid,
            sub_ids={"sid": sid} if sid else {},
            advertiser_id=m.text("program_id"),
            advertiser_name=m.text("program_name"),
            device=m.text("device_type"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        return self.call(ADVERTISERS, status=",".join(RELATIONSHIPS))

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, records = await super().fetch_programs(spec)
        found = await self.generic_creatives()
        return payload, [{**r, "generic": found.get(str(r.get("id")), {})} for r in records]

    async def generic_creatives(self) -> dict[str, dict[str, Any]]:
        """Each joined program's generic creative by program id, read once per connector."""
        if self._generic is None:
            self._generic = {}
            first = self.call(GENERIC_CREATIVES)
            async for page in self.programs_paginator.pages(first, super().fetch_programs):
                for creative in page:
                    if program := Mapper(self.slug, creative).text("program_id"):
                        self._generic.setdefault(program, creative)
        return self._generic

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        website = m.text("website")
        generic = GenericLink.of(record.get("generic") or {})
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(website),
            network_relationship=m.text("status"),
            deeplinks=generic.deeplinks,
            link_token=generic.token,
            tracking_url=generic.url,
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        token = request.program.link_token
        if not token:
            raise no_generic_link(request.program)
        link = f"https://www.pjtra.com/t/{encoded(token)}?url={encoded(request.destination)}"
        return f"{link}&sid={encoded(request.sub_id)}" if request.sub_id else link

    async def verify(self) -> Verified:
        """The joined advertisers' first page: Pepperjam has no who-am-I resource, and this
        is the cheapest call that needs a valid publisher key."""
        joined = total_results(await self.request(self.call(ADVERTISERS, status="joined")))
        message = f"Pepperjam accepted the API key ({joined} joined advertisers)"
        return Verified(True, await self.accounts(), message)
