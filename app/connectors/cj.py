"""CJ: GraphQL commissions with a `sinceCommissionId` cursor and a required publisher
company id; joined advertisers from the XML advertiser lookup (`cj_lookup`); deep links
built offline on the website id (PID) (shared/networks/cj.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.connectors import cj_lookup
from app.connectors.auth import Bearer
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Cursor, PageNumber
from app.connectors.ratelimit import per_minute
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, unlinkable

COMMISSIONS = "https://commissions.api.cj.com/query"
ADVERTISERS = "https://advertiser-lookup.api.cj.com/v2/advertiser-lookup"
STATUSES = {"new": "pending", "extended": "pending", "locked": "approved", "closed": "paid"}
# The lookup's `relationship-status` words; it lists `joined` or `notjoined` advertisers.
RELATIONSHIPS = {"joined": "joined", "notjoined": "not_joined"}
# CJ's click domains: links on any of them take the same paths.
CLICK_HOSTS = (
    "www.anrdoezrs.net",
    "www.jdoqocy.com",
    "www.tkqlhce.com",
    "www.dpbolvw.net",
    "www.kqzyfj.com",
)
FIELDS = """commissionId original originalActionId actionStatus actionType validationStatus
  advertiserId advertiserName websiteId clickDate eventDate postingDate lockingDate orderId
  shopperId saleAmountPubCurrency saleAmountUsd pubCommissionAmountPubCurrency
  pubCommissionAmountUsd country initiatingDeviceType concludingDeviceType correctionReason
  items { sku quantity }"""
_AUTH_WORDS = ("unauthori", "not authori", "forbidden", "access denied", "invalid token")


def _query(company_id: str, window: Window, fields: str) -> str:
    args = [f"forPublishers: [{json.dumps(company_id)}]"]
    args.append(f'sinceEventDate: "{window.start.strftime("%Y-%m-%dT%H:%M:%SZ")}"')
    args.append(f'beforeEventDate: "{window.end.strftime("%Y-%m-%dT%H:%M:%SZ")}"')
    return (
        f"{{ publisherCommissions({', '.join(args)}) "
        f"{{ count limit payloadComplete maxCommissionId records {{ {fields} }} }} }}"
    )


def _after(first: RequestSpec, cursor: str) -> RequestSpec:
    """The window's query again, continuing after the last commission id seen."""
    query = first.json["query"].replace(
        "publisherCommissions(",
        f"publisherCommissions(sinceCommissionId: {json.dumps(cursor)}, ",
        1,
    )
    return replace(first, json={"query": query})


def _next_cursor(payload: Any) -> str | None:
    result = payload["data"]["publisherCommissions"]
    return None if result.get("payloadComplete", True) else result.get("maxCommissionId")


def _total_pages(payload: Any) -> int | None:
    advertisers = payload.get("advertisers", {})
    total, per_page = int(advertisers.get("total-matched", 0)), 100
    return max(1, -(-total // per_page))


class CJ(Connector):
    slug = "cj"
    name = "CJ"
    base_url = COMMISSIONS
    auth = Bearer("personal_access_token")
    budgets = per_minute(25)
    concurrency = 2
    credentials_hint = (
        "Create a personal access token at developers.cj.com and check the publisher company "
        "id (CID) shown in your CJ account."
    )
    unused_credentials = {
        "username": "the onboarding form asks for the CJ login so a person can sign in; "
        "the API takes the personal access token",
        "password": "as the username",
    }
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # CJ publishes no SID limit we could find: 64 characters that are safe in a path
        # segment, which is where the deep link carries it.
        SubIdRule("sid", 64),
        # The deep link names no advertiser: CJ finds it by the destination's domain.
        on_program_domain=True,
        hosts=CLICK_HOSTS,
    )
    paginator = Cursor(next_cursor=_next_cursor, apply=_after)
    programs_paginator = PageNumber(
        page_param="page-number", size_param="records-per-page", size=100, total_pages=_total_pages
    )

    @property
    def currency(self) -> str | None:
        """CJ reports in the publisher's functional currency without naming it; without a
        configured currency the USD amounts are used, which are always USD."""
        return self.credentials.get("currency")

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        query = _query(self.credentials["company_id"], window, FIELDS)
        return RequestSpec("POST", COMMISSIONS, json={"query": query})

    def parse(self, response: httpx.Response) -> Any:
        if response.headers.get("content-type", "").startswith(("application/xml", "text/xml")):
            return cj_lookup.advertisers(response.text)
        payload = super().parse(response)
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            message = "; ".join(str(e.get("message", e)) for e in errors)[:300]
            if any(word in message.lower() for word in _AUTH_WORDS):
                raise CredentialsRejected(self.slug, message)
            raise RequestRejected(self.slug, f"CJ answered with GraphQL errors: {message}")
        return payload

    def extract(self, payload: Any) -> list[dict[str, Any]]:
        try:
            records = payload["data"]["publisherCommissions"]["records"]
        except (KeyError, TypeError) as exc:
            raise BadPayload(
                self.slug, "CJ response has no data.publisherCommissions.records"
            ) from exc
        if not isinstance(records, list):
            raise BadPayload(self.slug, "CJ publisherCommissions.records is not a list")
        return records

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = m.status("actionStatus", STATUSES)
        if (m.text("validationStatus") or "").upper() == "DECLINED":
            status = "declined"
        if self.currency:
            sale, commission, currency = (
                "saleAmountPubCurrency",
                "pubCommissionAmountPubCurrency",
                self.currency,
            )
        else:
            sale, commission, currency = "saleAmountUsd", "pubCommissionAmountUsd", "USD"
        shopper = m.text("shopperId")
        items = record.get("items") or []
        return TransactionRecord(
            external_id=m.required_text("commissionId"),
            status=status,
            network_status=word,
            event_at=m.required_time("eventDate"),
            click_at=m.time("clickDate"),
            validated_at=m.time("lockingDate") if status in ("approved", "paid") else None,
            commission_amount=m.required_money(commission),
            sale_amount=m.money(sale),
            currency=currency.upper(),
            order_id=m.text("orderId"),
            click_ref=shopper,
            sub_ids={"shopperId": shopper} if shopper else {},
            advertiser_id=m.text("advertiserId"),
            advertiser_name=m.text("advertiserName"),
            country=m.text("country"),
            device=m.text("concludingDeviceType") or m.text("initiatingDeviceType"),
            product=str(items[0].get("sku"))
            if items and isinstance(items[0], dict) and items[0].get("sku")
            else None,
            raw=record,
        )

    async def verify(self) -> Verified:
        """CJ's own cheap check: a one-day commissions query; errors mean refused."""
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        day = Window(today - timedelta(days=1), today)
        query = _query(self.credentials["company_id"], day, "commissionId")
        await self.request(RequestSpec("POST", COMMISSIONS, json={"query": query}))
        company = self.credentials["company_id"]
        return Verified(True, [Scope(company)], f"CJ accepted the token for company {company}")

    def programs_request(self, scope: Scope) -> RequestSpec:
        # `notjoined` is CJ's whole directory: list the advertisers the publisher joined.
        return RequestSpec(
            "GET",
            ADVERTISERS,
            {"requestor-cid": self.credentials["company_id"], "advertiser-ids": "joined"},
        )

    def extract_programs(self, payload: Any) -> list[dict[str, Any]]:
        return list(payload.get("advertisers", {}).get("list", []))

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        kinds = [t.replace(" ", "").lower() for t in record.get("link-types") or []]
        return ProgramRecord(
            external_id=m.required_text("advertiser-id"),
            name=m.text("advertiser-name"),
            domains=hosts_of(m.text("program-url")),
            network_relationship=m.text("relationship-status"),
            terms=cj_lookup.terms(record.get("actions") or []),
            # The lookup names the link types an advertiser allows; "DeepLink" is one.
            deeplinks="deeplink" in kinds if kinds else None,
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        pid = request.field("website_id")
        if not pid:
            raise unlinkable(
                "connection_id",
                "CJ deep links carry the website id (PID): add it to this connection",
            )
        sid = f"sid/{request.sub_id}/" if request.sub_id else ""
        # CJ's deep link generator puts the destination unencoded at the end of the path.
        return f"https://www.anrdoezrs.net/links/{pid}/type/dlg/{sid}{request.destination}"
