"""Partnerize (formerly Performance Horizon): HTTP Basic with the application key and the user
API key, every publisher account the user reaches (or the one the form pins), the v1
conversion report in cursor pages of 300, campaigns the publisher is approved on, pending
on or rejected from as programs (`partnerize_programs`), tracking links on prf.hn
(shared/networks/partnerize.md).

Reports are asked in UTC (`timezone=UTC`), so naive times read as UTC whatever a publisher's
reporting timezone is. After a first sync, windows are of last-change dates
(`date_type=last_updated`). Partnerize publishes no call limits: a 429 names its wait in
`X-RateLimit-Retry-After`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from app.connectors import partnerize_programs as campaigns
from app.connectors import partnerize_wire as wire
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import CredentialsRejected
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import NextLink, Records
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, encoded

API = "https://api.partnerize.com"
FORMAT = "%Y-%m-%d %H:%M:%S"
SETTINGS = "Settings > Your account (in the menu under the Partnerize logo, top left)"


class Partnerize(Connector):
    slug = "partnerize"
    name = "Partnerize"
    base_url = API
    auth = wire.UserBasic("application_key", "user_api_key")
    paginator = wire.CursorPages(size=300)
    programs_paginator = NextLink(wire.next_page)
    max_window = timedelta(days=31)
    timezone = "UTC"
    concurrency = 2
    incremental = True
    relationships = campaigns.RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Partnerize's help: a pubref of up to 256 characters; it sits in a path segment,
        # so only characters that need no escaping there.
        SubIdRule("pubref", 256),
        hosts=("prf.hn",),
    )
    credentials_hint = (
        f"In the Partnerize console open {SETTINGS} and copy the User application key and "
        "the User API key shown there into the fields of the same names on this connection."
    )

    def __init__(self, credentials: Mapping[str, str], http: NetworkHttp) -> None:
        super().__init__(credentials, http)
        self._camrefs: dict[str, dict[str, dict[str, str]]] = {}

    def classify(self, response: httpx.Response) -> None:
        wire.classify(response, self.http.scrub)

    async def scopes(self) -> list[Scope]:
        payload = await self.request(RequestSpec("GET", self.url("/user/account.json")))
        found = [
            Scope(m.required_text("publisher_id"), m.text("account_name"))
            for m in (Mapper(self.slug, row) for row in wire.publishers(payload))
        ]
        pinned = (self.credentials.get("publisher_id") or "").strip()
        if not found:
            raise CredentialsRejected(
                self.slug,
                "Partnerize accepted the keys, but their user has no publisher (partner) "
                "account. Sign in to the console as a user of your partner account, open "
                f"{SETTINGS} and save that user's keys on this connection.",
            )
        if pinned and pinned not in {s.account_id for s in found}:
            reached = ", ".join(f"{s.account_id} ({s.name})" for s in found)
            raise CredentialsRejected(
                self.slug,
                f"The Publisher ID {pinned!r} is not an account these keys reach ({reached}). "
                "Correct the Publisher ID on this connection, or leave it empty to read every "
                "account.",
            )
        return [s for s in found if not pinned or s.account_id == pinned]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        path = f"/reporting/report_publisher/publisher/{scope.account_id}/conversion.json"
        params = {
            "start_date": window.start.strftime(FORMAT),
            "end_date": window.end.strftime(FORMAT),
            "timezone": self.zone,
        }
        if window.by == "updated":
            params["date_type"] = "last_updated"
        return RequestSpec("GET", self.url(path), params)

    def extract(self, payload: Any) -> Records:
        return wire.unwrap(payload, "conversions", "conversion_data")

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word, sale, commission = wire.basket(m)
        items = [Mapper(self.slug, i) for i in record.get("conversion_items") or []]
        approved = [t for i in items if (t := i.time("approved_at", self.zone, formats=(FORMAT,)))]
        ref = m.text("publisher_reference") or m.text("click.publisher_reference")
        return TransactionRecord(
            external_id=m.required_text("conversion_id"),
            status=status,
            network_status=word,
            event_at=m.required_time("conversion_time", self.zone, formats=(FORMAT,)),
            click_at=m.time("click.set_time", self.zone, formats=(FORMAT,)),
            validated_at=max(approved, default=None),
            commission_amount=commission,
            sale_amount=sale,
            currency=m.currency("currency"),
            order_id=m.text("conversion_reference"),
            click_ref=ref,
            sub_ids={"publisher_reference": ref} if ref else {},
            advertiser_id=m.required_text("campaign_id"),
            advertiser_name=m.text("campaign_title"),
            country=m.text("country"),
            device=m.text("ref_device"),
            source_timezone=self.zone,
            raw=record,
        )

    def programs_requests(self, scope: Scope) -> list[RequestSpec]:
        path = f"/user/publisher/{scope.account_id}/campaign"
        return [RequestSpec("GET", self.url(f"{path}/{s}.json")) for s in campaigns.STANDINGS]

    def extract_programs(self, payload: Any) -> Records:
        return wire.unwrap(payload, "campaigns", "campaign")

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, records = await super().fetch_programs(spec)
        found = campaigns.LIST.search(spec.url.split("?", 1)[0])
        if found is None:
            return payload, records
        # The list's status is the publisher's on each campaign; an approved one links
        # through its camref, which only the participations resource gives.
        status = found["status"]
        links = await self.participations(found["publisher"]) if status == "a" else {}
        return payload, [
            {"publisher_status": status, **r, **links.get(str(r.get("campaign_id")), {})}
            for r in records
        ]

    async def participations(self, publisher_id: str) -> dict[str, dict[str, str]]:
        """Each approved campaign's `camref` and `tracking_link`, by campaign id: one call
        for all of a publisher's campaigns, once per connector."""
        if publisher_id not in self._camrefs:
            spec = RequestSpec(
                "GET",
                self.url(f"/v3/partner/{publisher_id}/participations"),
                {"status[]": "a", "fields[]": "camref"},
            )
            self._camrefs[publisher_id] = campaigns.camrefs(await self.request(spec))
        return self._camrefs[publisher_id]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        deep = (m.text("allow_deep_linking") or "").lower()
        return ProgramRecord(
            external_id=m.required_text("campaign_id"),
            name=m.text("title"),
            domains=hosts_of(*campaigns.domains(m)),
            network_relationship=campaigns.STANDINGS.get(m.text("publisher_status") or ""),
            terms=campaigns.default_terms(m),
            deeplinks={"y": True, "n": False}.get(deep),
            link_token=m.text("camref"),
            tracking_url=m.text("tracking_link"),
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        camref = request.program.link_token
        if not camref:
            raise campaigns.no_camref(request.program)
        parts = [f"camref:{encoded(camref)}"]
        if request.sub_id:
            parts.append(f"pubref:{encoded(request.sub_id)}")
        # `destination:` must come last: everything after it is the destination.
        parts.append(f"destination:{encoded(request.destination)}")
        return "https://prf.hn/click/" + "/".join(parts)

    def refused(self, exc: CredentialsRejected) -> CredentialsRejected:
        if not exc.message.startswith("HTTP 403"):
            return super().refused(exc)
        return CredentialsRejected(
            self.slug,
            f"Partnerize refused this user access ({exc.message}). Ask an admin of the partner "
            "account to give the user of these keys access to it, or, if a Publisher ID is "
            "saved on this connection, correct it or leave it empty.",
        )

    async def verify(self) -> Verified:
        scopes = await self.accounts()
        names = ", ".join(f"{s.name or s.account_id} ({s.account_id})" for s in scopes)
        return Verified(True, scopes, f"Partnerize accepted the keys for {names}")
