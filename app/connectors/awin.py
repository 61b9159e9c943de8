"""Awin: REST/JSON, one token reaches several publisher accounts, 31-day windows, no
pagination, 20 requests a minute per user (fact sheet: shared/networks/awin.md)."""

from __future__ import annotations

from typing import Any

from app.connectors.auth import Bearer
from app.connectors.base import Connector, Scope, Window
from app.connectors.errors import BadPayload
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.connectors.ratelimit import per_minute
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

API = "https://api.awin.com"
STATUSES = {
    "pending": "pending",
    "approved": "approved",
    "declined": "declined",
    "deleted": "declined",
}
# The `relationship` filters of the programme listing, and what each means here.
RELATIONSHIPS = {
    "joined": "joined",
    "pending": "pending",
    "suspended": "declined",
    "rejected": "declined",
}
CLICK_REFS = ("clickRef", "clickRef2", "clickRef3", "clickRef4", "clickRef5", "clickRef6")


class Awin(Connector):
    slug = "awin"
    name = "Awin"
    base_url = API
    auth = Bearer("api_token")
    budgets = per_minute(20)
    concurrency = 2
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Awin documents no limit; its link builder takes clickrefs of up to 50 characters.
        SubIdRule("clickref", 50),
        hosts=("awin1.com",),
    )
    credentials_hint = (
        "Create a new API token in Awin under your account menu > API Credentials and save it "
        "on this connection."
    )

    @property
    def zone(self) -> str:
        return self.credentials.get("timezone") or "UTC"

    async def scopes(self) -> list[Scope]:
        if publisher_id := self.credentials.get("publisher_id"):
            return [Scope(publisher_id)]
        payload = await self.request(RequestSpec("GET", f"{API}/accounts", {"type": "publisher"}))
        accounts = payload.get("accounts") if isinstance(payload, dict) else None
        if not isinstance(accounts, list):
            raise BadPayload(self.slug, "Awin /accounts has no 'accounts' list")
        scopes = []
        for account in accounts:
            m = Mapper(self.slug, account if isinstance(account, dict) else {})
            if (m.text("accountType") or "publisher") == "publisher":
                scopes.append(Scope(m.required_text("accountId"), m.text("accountName")))
        return scopes

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        return RequestSpec(
            "GET",
            f"{API}/publishers/{scope.account_id}/transactions/",
            {
                "startDate": window.start.strftime("%Y-%m-%dT%H:%M:%S"),
                "endDate": window.last_second.strftime("%Y-%m-%dT%H:%M:%S"),
                "timezone": self.zone,
                "dateType": "transaction",
            },
        )

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("commissionStatus", STATUSES)
        if status == "approved" and record.get("paidToPublisher") is True:
            status = "paid"
        sub_ids = {
            key: str(record["clickRefs"][key])
            for key in CLICK_REFS
            if isinstance(record.get("clickRefs"), dict) and record["clickRefs"].get(key)
        }
        currency = m.text("commissionAmount.currency") or m.required_text("saleAmount.currency")
        return TransactionRecord(
            external_id=m.required_text("id"),
            status=status,
            network_status=word,
            event_at=m.required_time("transactionDate", self.zone),
            click_at=m.time("clickDate", self.zone),
            validated_at=m.time("validationDate", self.zone),
            commission_amount=m.required_money("commissionAmount.amount"),
            sale_amount=m.money("saleAmount.amount"),
            currency=currency.upper(),
            order_id=m.text("orderRef"),
            click_ref=sub_ids.get("clickRef"),
            sub_ids=sub_ids,
            advertiser_id=m.text("advertiserId"),
            country=m.text("customerCountry"),
            device=m.text("transactionDevice") or m.text("clickDevice"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_requests(self, scope: Scope) -> list[RequestSpec]:
        # The whole directory (`notjoined`) runs to thousands: list the programmes the
        # publisher has a standing with.
        return [
            RequestSpec(
                "GET",
                f"{API}/publishers/{scope.account_id}/programmes",
                {"relationship": word},
            )
            for word in RELATIONSHIPS
        ]

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, records = await super().fetch_programs(spec)
        # Awin does not echo the relationship a listing was filtered on: carry it over.
        word = (spec.params or {}).get("relationship")
        return payload, [{**r, "relationship": word} for r in records]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        valid = [d.get("domain") for d in record.get("validDomains") or [] if isinstance(d, dict)]
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(m.text("displayUrl"), *valid),
            network_relationship=m.text("relationship"),
            tracking_url=m.text("clickThroughUrl"),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        return "https://www.awin1.com/cread.php?" + query(
            ("awinmid", request.program.external_id),
            ("awinaffid", request.account_id),
            ("clickref", request.sub_id),
            ("ued", request.destination),
        )
