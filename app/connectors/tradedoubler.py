"""Tradedoubler Publisher Management API on connect.tradedoubler.com: an OAuth2 password
grant renewed by refresh token (`tradedoubler_auth`), the transactions report one source
(site) at a time with `fromDate`/`toDate` as YYYYMMDD and offset paging (at most 100 a
page, no total), programs per source, links built offline on clk.tradedoubler.com, 60
calls a minute per API client (shared/networks/tradedoubler.md).

Times are naive, read in Europe/Stockholm (the sheet's inference: the API names no zone).
Rows carry no currency: the report's top-level `reportCurrencyCode` applies to all."""

from __future__ import annotations

from typing import Any, ClassVar

from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records
from app.connectors.ratelimit import per_minute
from app.connectors.tradedoubler_auth import TradedoublerToken
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import hosts_of
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

API = "https://connect.tradedoubler.com"
STATUSES = {"p": "pending", "a": "approved", "d": "declined"}
# A source's program `statusId`, in the blueprint's words: the word is what we keep.
STATUS_WORDS = {
    0: "Not Applied",
    1: "Under Consideration",
    2: "On-hold while under consideration",
    3: "Accepted",
    4: "Ended",
    5: "Denied",
    6: "On Hold while Accepted",
    7: "Final Denied",
    8: "Written Off",
}
# On hold while accepted: no traffic until the hold is lifted; an ended partnership can be
# applied for again.
RELATIONSHIPS = {
    "not applied": "not_joined",
    "under consideration": "pending",
    "on-hold while under consideration": "pending",
    "accepted": "joined",
    "ended": "not_joined",
    "denied": "declined",
    "on hold while accepted": "declined",
    "final denied": "declined",
    "written off": "declined",
}
FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")
CURRENCY = "_reportCurrencyCode"  # the envelope's currency, carried to each row


def status_word(status_id: str | None) -> str | None:
    """The blueprint's word for a program `statusId`; an unknown one is kept as sent."""
    if status_id is None or not status_id.isdigit():
        return status_id
    return STATUS_WORDS.get(int(status_id), status_id)


class Tradedoubler(Connector):
    slug = "tradedoubler"
    name = "Tradedoubler"
    base_url = API
    auth: ClassVar[TradedoublerToken] = TradedoublerToken()
    paginator = Offset(offset_param="offset", size_param="limit", size=100)
    programs_paginator = Offset(offset_param="offset", size_param="limit", size=100)
    timezone = "Europe/Stockholm"
    budgets = per_minute(60)
    concurrency = 2
    incremental = True  # `lastModified=true` applies the dates to the last change
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Tradedoubler's help on EPI: letters and digits, at most 64 characters ('-' is seen
        # in real links; '_' is as URL-safe).
        SubIdRule("epi", 64),
        hosts=("clk.tradedoubler.com",),
    )
    credentials_hint = (
        "Check the username and password you sign in to publishers.tradedoubler.com with, and "
        "the client under Account > Clients there: its secret is shown only once, so if it is "
        "lost, delete the client, add a new one and paste its ID and secret here."
    )

    async def scopes(self) -> list[Scope]:
        """The sources (sites) the login reaches, or the one the form names."""
        listed = await self.request(RequestSpec("GET", API + "/publisher/sources"))
        rows = listed.get("items") if isinstance(listed, dict) else listed
        if not isinstance(rows, list):
            raise BadPayload(self.slug, "Tradedoubler's sources answer is not a list")
        found = [Mapper(self.slug, r if isinstance(r, dict) else {}) for r in rows]
        sources = [Scope(m.required_text("id"), m.text("name")) for m in found]
        wanted = (self.credentials.get("source_id") or "").strip()
        chosen = [s for s in sources if s.account_id == wanted] if wanted else sources
        if not chosen:
            listed = ", ".join(str(s.account_id) for s in sources) or "none"
            raise CredentialsRejected(
                self.slug,
                f"Source {wanted} is not one of this login's Tradedoubler sites ({listed}): "
                "see Account > Sites in the publisher UI, or leave Source ID empty.",
            )
        return chosen

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        params = {
            "sourceId": scope.account_id,
            "fromDate": f"{window.start:%Y%m%d}",
            "toDate": f"{window.last_second:%Y%m%d}",
            "sortBy": "transactionId",
            "sortOrder": "asc",
        }
        if window.by == "updated":
            params["lastModified"] = "true"
        return RequestSpec("GET", API + "/publisher/report/transactions", params)

    def extract(self, payload: Any) -> Records:
        if isinstance(payload, list) and len(payload) == 1:
            payload = payload[0]  # the blueprint wraps some envelopes in an array
        items = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise BadPayload(self.slug, "Tradedoubler sent no 'items' list of records")
        currency = payload.get(CURRENCY[1:])
        return [{**item, CURRENCY: currency} for item in items] if currency else items

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        raw = {k: v for k, v in record.items() if k != CURRENCY}
        m = Mapper(self.slug, record)
        status, word = m.status("status", STATUSES)
        if status == "approved" and record.get("paid") is True:
            status = "paid"
        sale = m.money("orderValue") if str(record.get("eventTypeId")) == "5" else None
        epi = {k: str(record[k]) for k in ("epi", "epi2") if record.get(k) not in (None, "")}
        event, click, modified = (
            # The example body's `timeOf...`, or the blueprint's attribute list's `timeof...`.
            m.time(n if n in record else n.replace("Of", "of", 1), self.zone, formats=FORMATS)
            for n in ("timeOfTransaction", "timeOfLastClick", "timeOfLastModified")
        )
        if event is None:
            raise m.fail("timeOfTransaction", "is missing")
        return TransactionRecord(
            external_id=m.required_text("transactionId"),
            status=status,
            network_status=word,
            event_at=event,
            click_at=click,
            validated_at=None if status == "pending" else modified,
            commission_amount=m.required_money("commission"),
            sale_amount=sale,
            currency=m.currency(CURRENCY),
            order_id=m.text("orderNumber") or m.text("leadNumber"),
            click_ref=epi.get("epi"),
            sub_ids=epi,
            advertiser_id=m.text("programId"),
            advertiser_name=m.text("programName"),
            device=m.text("deviceObject.deviceType"),
            product=m.text("productInfo.productName") or m.text("productsApi.productName"),
            source_timezone=self.zone,
            raw=raw,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        # Every status named, "Not Applied" included: the program sync lists the source's
        # whole directory once a day, 100 programs a call.
        statuses = ",".join(str(s) for s in STATUS_WORDS)
        params = {"sourceId": scope.account_id, "statusId": statuses}
        return RequestSpec("GET", API + "/publisher/programs", params)

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        # The listing carries no commission rates: they are in the per-program detail, one
        # call each against the 60 a minute the transaction syncs share, so none are read.
        m = Mapper(self.slug, record)
        deeplinks = record.get("deepLinking")
        return ProgramRecord(
            external_id=m.required_text("id"),
            name=m.text("name"),
            domains=hosts_of(m.text("homePage")),
            network_relationship=status_word(m.text("statusId")),
            deeplinks=deeplinks if isinstance(deeplinks, bool) else None,
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        # p: the program, a: the source (site) it was listed for; `url` last, as Tradedoubler
        # asks of deep links.
        assert request.program is not None
        return "https://clk.tradedoubler.com/click?" + query(
            ("p", request.program.external_id),
            ("a", request.account_id),
            ("epi", request.sub_id),
            ("url", request.destination),
        )

    async def verify(self) -> Verified:
        """A fresh token, the login's user (a publisher user?) and its sources."""
        await self.auth.forget(self.credentials, self.http)
        me = await self.request(RequestSpec("GET", API + "/usermanagement/users/me"))
        user = Mapper(self.slug, me if isinstance(me, dict) else {})
        if user.text("typeId") not in (None, "1"):  # 1: a publisher user
            raise CredentialsRejected(
                self.slug, "This is not a publisher login. " + self.credentials_hint
            )
        sources = await self.scopes()
        names = ", ".join(f"{s.name or ''} ({s.account_id})".strip() for s in sources)
        return Verified(True, sources, f"Tradedoubler accepted the credentials; sites: {names}")
