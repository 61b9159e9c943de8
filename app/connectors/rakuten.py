"""Rakuten Advertising: credentials traded for a bearer token (password grant, scope =
the site id) for partnerships and deep links; commissions from the publisher's saved
report on the Reporting API when the connection has a reporting token (`rakuten_reports`),
else from the Events API paged by `page`/`limit` (shared/networks/rakuten.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from app.connectors import rakuten_programs
from app.connectors import rakuten_reports as reports
from app.connectors.auth import TokenExchange, basic_header
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.decoders import Csv
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import PageNumber, Paginator, Records, SinglePage
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.format import LinkFormat, LinkRequest, SubIdRule
from app.settings import get_settings

API = "https://api.linksynergy.com"
# "Wed Apr 30 2014 03:07:13 GMT+0000 (UTC)" in older responses; ISO 8601 in newer ones.
EVENT_TIME_FORMATS = ("%a %b %d %Y %H:%M:%S GMT%z", "%Y-%m-%d %H:%M:%S")
EVENTS_ONLY = (
    "Commissions come from Rakuten's Events API, which keeps only about the last two weeks "
    "and carries no approval status: lines count as approved as they arrive, a line an "
    "advertiser removes after review is not seen, and a first sync cannot reach further "
    "back. Add the reporting token (Advanced Reports) to read the authoritative report "
    "for the whole history."
)


class RakutenToken(TokenExchange):
    """Password grant with the developer-portal app's id and secret as Basic auth; the
    connection's own app when it brings one, else the operator's."""

    def app_credentials(self, credentials: Mapping[str, str]) -> tuple[str, str]:
        settings = get_settings()
        client_id = credentials.get("client_id") or settings.rakuten_client_id
        client_secret = credentials.get("client_secret") or settings.rakuten_client_secret
        if not client_id or not client_secret:
            raise CredentialsRejected(
                "rakuten",
                "No Rakuten developer-portal app is configured: add client_id and client_secret "
                "to this connection, or set NETLEDGER_RAKUTEN_CLIENT_ID/_SECRET.",
            )
        return client_id, client_secret

    def token_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        client_id, client_secret = self.app_credentials(credentials)
        return RequestSpec(
            "POST",
            f"{API}/token",
            headers={"Authorization": basic_header(client_id, client_secret)},
            data={
                "grant_type": "password",
                "username": credentials["username"],
                "password": credentials["password"],
                "scope": credentials["sid"],
            },
        )

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return f"{credentials['username']}|{credentials['sid']}"


class Rakuten(Connector):
    slug = "rakuten"
    name = "Rakuten Advertising"
    base_url = API
    auth = RakutenToken()
    paginator: ClassVar[Paginator] = PageNumber(page_param="page", size_param="limit", size=1000)
    programs_paginator = rakuten_programs.PAGINATOR
    concurrency = 2
    relationships = rakuten_programs.RELATIONSHIPS
    links = LinkFormat(
        # A deep link carries the publisher's encrypted id, which only Rakuten knows: its
        # Deep Links API makes the link.
        "network_api",
        # Signature's member id (u1): up to 72 alphanumeric characters; the API's own
        # example uses '-' and '_' too.
        SubIdRule("u1", 72),
        hosts=("click.linksynergy.com",),
    )
    credentials_hint = (
        "Check the username and password you use for the Rakuten Advertising publisher "
        "dashboard and the site id (SID) under Account > Site. A reporting token is copied "
        "from Reports: open the saved report, View Report > Get API, and take the end of the "
        "address shown, after token=; the report name is the part between /reports/ and "
        "/filters."
    )

    @classmethod
    def notices(cls, given: set[str]) -> tuple[str, ...]:
        return () if "report_token" in given else (EVENTS_ONLY,)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.reads_reports:
            self.paginator = SinglePage()  # type: ignore[misc]  # a report is one body

    @property
    def reads_reports(self) -> bool:
        return bool(self.credentials.get("report_token"))

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        if self.reads_reports:
            last_day = window.end - timedelta(days=1)
            return reports.report_request(
                self.credentials, f"{window.start:%Y-%m-%d}", f"{last_day:%Y-%m-%d}"
            )
        return RequestSpec(
            "GET",
            f"{API}/events/1.0/transactions",
            {
                "transaction_date_start": window.start.strftime("%Y-%m-%d %H:%M:%S"),
                "transaction_date_end": window.last_second.strftime("%Y-%m-%d %H:%M:%S"),
            },
            headers={"Accept": "application/json"},
        )

    async def request(self, spec: RequestSpec) -> Any:
        """Report calls carry the reporting token in the query instead of a bearer token."""
        if not reports.is_report(spec):
            return await super().request(spec)
        try:
            return await self.http.send(
                spec.with_params(token=self.credentials["report_token"]), self.read
            )
        except CredentialsRejected as exc:
            raise CredentialsRejected(
                self.slug,
                f"Rakuten's Reporting API refused the credentials: the reporting token or the "
                f"report name ({exc.message}). {self.credentials_hint}",
            ) from exc

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        if self.reads_reports:
            return reports.map_line(record)
        m = Mapper(self.slug, record)
        commission = m.required_money("commissions")
        sub_id = m.text("u1")
        # Events carry no approval status: Rakuten reports final commissions. A return or
        # cancellation arrives as its own negative line that Rakuten deducts from what it
        # pays, so it is approved too and nets against the sale (the reversal rule, README).
        kind = m.text("transaction_type") or "event"
        sale = m.money("sale_amount")
        status = "approved"
        event_at = m.required_time("transaction_date", formats=EVENT_TIME_FORMATS)
        return TransactionRecord(
            external_id=m.required_text("etransaction_id"),
            status=status,
            network_status=kind,
            event_at=event_at,
            validated_at=m.time("process_date", formats=EVENT_TIME_FORMATS),
            commission_amount=commission,
            sale_amount=sale,
            currency=m.required_text("currency").upper(),
            order_id=m.text("order_id"),
            click_ref=sub_id,
            sub_ids={"u1": sub_id} if sub_id else {},
            advertiser_id=m.text("advertiser_id"),
            product=m.text("product_name") or m.text("sku_number"),
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        return rakuten_programs.listing(API)

    def parse(self, response: httpx.Response) -> Any:
        if not response.request.url.path.startswith("/en/reports/"):
            return super().parse(response)
        try:
            return Csv().decode(response.content)
        except ValueError as exc:
            snippet = self.http.scrub(response.text[:200])
            raise BadPayload(
                self.slug, f"Rakuten sent a report that is not valid CSV ({exc}): {snippet!r}"
            ) from exc

    def extract_programs(self, payload: Any) -> list[dict[str, Any]]:
        return rakuten_programs.partnerships(payload)

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, records = await super().fetch_programs(spec)
        return payload, [await self._with_details(r) for r in records]

    async def _with_details(self, record: dict[str, Any]) -> dict[str, Any]:
        request = rakuten_programs.details_request(API, record)
        if request is None:
            return record
        try:
            page = await self.request(request)
        except RequestRejected:
            return record  # an advertiser Rakuten no longer describes: listed as it is
        return {**record, "details": page.get("advertiser") if isinstance(page, dict) else None}

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        return rakuten_programs.program(record)

    async def api_link(self, request: LinkRequest) -> str:
        assert request.program is not None
        mid = request.program.external_id
        body: dict[str, Any] = {
            "url": request.destination,
            "advertiser_id": int(mid) if mid.isdigit() else mid,  # a number, as documented
        }
        if request.sub_id:
            body["u1"] = request.sub_id
        payload = await self.request(RequestSpec("POST", f"{API}/v1/links/deep_links", json=body))
        link = Mapper(self.slug, payload if isinstance(payload, dict) else {}).text(
            "advertiser.deep_link.deep_link_url"
        )
        if not link:
            raise BadPayload(self.slug, "Rakuten's deep link answer has no deep_link_url")
        return link

    async def verify(self) -> Verified:
        """A token exchange is Rakuten's only credential check: ask for a fresh one."""
        await self.auth.invalidate(self.credentials, self.http)
        try:
            await self.auth.apply(RequestSpec("GET", API), self.credentials, self.http)
        except CredentialsRejected as exc:
            raise CredentialsRejected(
                self.slug,
                f"{self.name} refused the credentials ({exc.message}). {self.credentials_hint}",
            ) from exc
        sid = self.credentials["sid"]
        if not self.reads_reports:
            return Verified(True, [Scope(sid)], f"Rakuten issued a token for site {sid}")
        today = f"{datetime.now(UTC):%Y-%m-%d}"
        await self.request(reports.report_request(self.credentials, today, today))
        return Verified(
            True, [Scope(sid)], f"Rakuten issued a token for site {sid} and served its report"
        )
