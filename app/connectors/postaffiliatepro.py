"""Post Affiliate Pro: an affiliate login on the merchant's own installation, then the
affiliate transactions and campaigns grids over its RPC endpoint, paged by offset/limit
(notes: /work/notes/postaffiliatepro.md; sheet: shared/networks/postaffiliatepro.md)."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Offset, Records
from app.connectors.postaffiliatepro_auth import AffiliateLogin, call_field, rpc, sent_call
from app.connectors.postaffiliatepro_programs import BANNER_COLUMNS, CAMPAIGN_COLUMNS, with_banners
from app.connectors.postaffiliatepro_programs import program as campaign_program
from app.connectors.ratelimit import Budget
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query, unlinkable

DEFAULT_ZONE = "America/Los_Angeles"  # PAP's default server timezone
STATUSES = {"a": "approved", "p": "pending", "d": "declined"}
# fmt: off
COLUMNS = [
    "id", "campaignid", "name", "commission", "totalcost", "t_orderid", "productid", "rtype",
    "rstatus", "payoutstatus", "dateinserted", "dateapproved", "lastclicktime",
    "lastclickdata1", "lastclickdata2", "countrycode", "original_currency_code",
    "originalcurrencyvalue",
]
# fmt: on
# The cloud service caps a request at 500 rows (notes §0).
PAGES = Offset(call_field("offset"), call_field("limit"), size=500, has_more=lambda p: p[0]["more"])


def _grid(class_name: str, columns: list[str], filters: list[list[str]]) -> dict[str, Any]:
    return {
        "C": class_name,
        "M": "getRows",
        "columns": [[name] for name in columns],
        "filters": filters,
        "sort_col": "dateinserted" if "dateinserted" in columns else "name",
        "sort_asc": "true",
    }


class PostAffiliatePro(Connector):
    slug = "postaffiliatepro"
    name = "Post Affiliate Pro"
    base_url = "https://postaffiliatepro.invalid"  # always the connection's own domain
    auth: ClassVar[AffiliateLogin] = AffiliateLogin()
    paginator = PAGES
    programs_paginator = PAGES
    # Hosted installations: 429 above 500 requests in 30 s, or above one grid a second.
    budgets = (Budget(1, 1), Budget(500, 30))
    concurrency = 1
    _banners: Records | None = None
    links = LinkFormat(
        "template",
        # `data1` comes back as the transaction's `lastclickdata1`, a VARCHAR(255) column;
        # PAP decodes any escaped character, but a plain token survives every installation.
        SubIdRule("data1", 255, r"A-Za-z0-9_\-.", "letters, digits, '-', '_' and '.'"),
        # Hosted installations; a self-hosted one clicks on the connection's own domain.
        hosts=("postaffiliatepro.com",),
    )
    credentials_hint = (
        "Check the affiliate user name and password you sign in with on this merchant's "
        "Post Affiliate Pro affiliate panel, and the installation's domain."
    )

    @property
    def api_base(self) -> str:
        return f"https://{self.credentials['domain']}"

    @property
    def zone(self) -> str:
        return self.credentials.get("timezone") or DEFAULT_ZONE

    async def scopes(self) -> list[Scope]:
        return [Scope(self.credentials["username"], self.credentials["domain"])]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        # A bare date reaches from 00:00:00 (D>=) to 23:59:59 (D<=) of that day.
        filters = [
            ["dateinserted", "D>=", window.start.strftime("%Y-%m-%d")],
            ["dateinserted", "D<=", window.last_second.strftime("%Y-%m-%d")],
        ]
        call = _grid("Pap_Affiliates_Reports_TransactionsGrid", COLUMNS, filters)
        return rpc(self.url("/scripts/server.php"), call)

    def parse(self, response: httpx.Response) -> Any:
        payload = super().parse(response)
        if isinstance(payload, list) and payload and isinstance(payload[0], dict):
            # A page past the end repeats the last one: whether more follow is read from
            # the total the answer gives and where this page started.
            offset = int(sent_call(response.request).get("offset", 0))
            return [{**payload[0], "start": offset}, *payload[1:]]
        return payload

    def check(self, payload: Any) -> None:
        if isinstance(payload, dict) and payload.get("type") == "session":
            raise CredentialsRejected(self.slug, "the session expired")
        if not (isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], dict)):
            raise BadPayload(self.slug, "Post Affiliate Pro sent no answer to the grid request")
        answer = payload[0]
        if "e" in answer:
            said = self.http.scrub(str(answer["e"])[:200])
            if "permission" in said.lower() or "logged" in said.lower():
                raise CredentialsRejected(self.slug, said)
            raise RequestRejected(self.slug, f"Post Affiliate Pro answered: {said}")
        rows, count = answer.get("rows"), answer.get("count", "")
        if not (isinstance(rows, list) and rows and isinstance(rows[0], list)):
            raise BadPayload(self.slug, "Post Affiliate Pro's grid answer has no header row")
        try:
            answer["more"] = answer["start"] + len(rows) - 1 < int(count)
        except (TypeError, ValueError) as exc:
            raise BadPayload(self.slug, f"Post Affiliate Pro's grid count is {count!r}") from exc

    def extract(self, payload: Any) -> list[dict[str, Any]]:
        header, *rows = payload[0]["rows"]
        records = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(header):
                raise BadPayload(self.slug, "Post Affiliate Pro sent a row that fits no header")
            records.append(dict(zip(header, row, strict=True)))
        return records

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m, zone = Mapper(self.slug, record), self.zone
        status, word = m.status("rstatus", STATUSES)
        if status == "approved" and (m.text("payoutstatus") or "").upper() == "P":
            status = "paid"
        sub_ids = {
            key: value
            for key, value in (
                ("data1", m.text("lastclickdata1")),
                ("data2", m.text("lastclickdata2")),
            )
            if value
        }
        return TransactionRecord(
            external_id=m.required_text("id"),
            status=status,
            network_status=word,
            event_at=m.required_time("dateinserted", zone),
            click_at=m.time("lastclicktime", zone),
            validated_at=m.time("dateapproved", zone) if status in ("approved", "paid") else None,
            commission_amount=m.required_money("commission"),
            sale_amount=m.money("totalcost"),
            currency=self.credentials["currency"].upper(),
            order_id=m.text("t_orderid"),
            click_ref=sub_ids.get("data1"),
            sub_ids=sub_ids,
            advertiser_id=m.text("campaignid"),
            advertiser_name=m.text("name"),
            country=m.text("countrycode"),
            product=m.text("productid"),
            source_timezone=zone,
            raw=record,
        )

    def programs_request(self, scope: Scope) -> RequestSpec:
        call = _grid("Pap_Affiliates_Promo_CampaignsGrid", CAMPAIGN_COLUMNS, [])
        return rpc(self.url("/scripts/server.php"), call)

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, campaigns = await super().fetch_programs(spec)
        return payload, with_banners(campaigns, await self.banners())

    async def banners(self) -> Records:
        """The affiliate's banners of every campaign, read once per program listing."""
        if self._banners is None:
            call = _grid("Pap_Affiliates_Promo_BannersGrid", BANNER_COLUMNS, [])
            first = rpc(self.url("/scripts/server.php"), call)
            self._banners = [r async for page in PAGES.pages(first, self._fetch) for r in page]
        return self._banners

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        return campaign_program(self.slug, record, self.credentials["currency"].upper())

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        program = request.program
        assert program is not None
        if not program.link_token:
            raise unlinkable(
                "program_id",
                "Post Affiliate Pro listed no banner with this affiliate's id: list the "
                "connection's programs again once the merchant has a banner or text link",
            )
        return f"https://{request.field('domain')}/scripts/click.php?" + query(
            ("a_aid", program.link_token),
            ("a_cid", program.external_id),
            ("data1", request.sub_id),
            ("desturl", request.destination),
        )

    async def verify(self) -> Verified:
        """A fresh login is the check: it fails in its body for a wrong password."""
        await self.auth.invalidate(self.credentials, self.http)
        try:
            await self.auth.value(self.credentials, self.http)
        except CredentialsRejected as exc:
            raise self.refused(exc) from exc
        domain = self.credentials["domain"]
        return Verified(True, await self.accounts(), f"{domain} accepted the affiliate login")
