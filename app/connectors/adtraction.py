"""AdTraction partner API v2 (shared/networks/adtraction.md): the account's token in an
`X-Token` header; transactions are `POST /v2/partner/transactions/` with a JSON filter of
`fromDate`/`toDate` (ISO 8601 with an offset; the tracking server keeps Stockholm time),
answered as one bare list per call (no paging) or `{"message": "No transactions found."}`.
Windows are 31 days; 30 calls a minute. One token reaches every channel (site/app) of the
partner account: a sync reads them all at once, or the one `channel_id` names; `market`
narrows to one market. Programs are approved per channel and listed per channel and
market (`GET /v2/affiliate/programs/`); a tracking link names the program's ad id and the
channel: `https://track.adtraction.com/t/t?a={adId}&as={channelId}&t=2&tk=1&epi=..&url=..`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.connectors import adtraction_wire as wire
from app.connectors.auth import HeaderKey
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.connectors.ratelimit import per_minute
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

API = "https://api.adtraction.com"
TRANSACTIONS = "/v2/partner/transactions/"
FORMAT = "%Y-%m-%dT%H:%M:%S%z"
ALL_STATUSES = 0
HEADERS = {"Accept": "application/json"}


class AdTraction(Connector):
    slug = "adtraction"
    name = "AdTraction"
    base_url = API
    auth = HeaderKey("X-Token", "api_token")
    timezone = "Europe/Stockholm"
    budgets = per_minute(30)
    concurrency = 2
    relationships = wire.RELATIONSHIPS
    # EPI ("extra partner information") comes back as `click.epi`; AdTraction takes up to
    # 128 characters (adtraction.com/blog/what-is-epi-and-how-does-it-work).
    links = LinkFormat("template", SubIdRule("epi", 128), hosts=("track.adtraction.com",))
    credentials_hint = (
        "In AdTraction open Account > Settings > API, copy the API token (or create a new "
        "API key there) and paste it into this connection's API token field."
    )

    @property
    def channel_id(self) -> str | None:
        return (self.credentials.get("channel_id") or "").strip() or None

    @property
    def market(self) -> str | None:
        return (self.credentials.get("market") or "").strip().upper() or None

    def get(self, path: str, **params: str) -> RequestSpec:
        return RequestSpec("GET", self.url(path), params, dict(HEADERS))

    def classify(self, response: httpx.Response) -> None:
        wire.raise_rate_limited(response, self.http.scrub)
        super().classify(response)

    async def channels(self) -> list[Scope]:
        return wire.channels(await self.request(self.get("/v2/affiliate/channels/")))

    def chosen(self, channels: list[Scope]) -> list[Scope]:
        """The named channel, which must be one of the token's; else the whole account in
        one scope: a call without `channelId` returns every channel's transactions."""
        if self.channel_id is None:
            return [Scope(None, "every channel")]
        found = [c for c in channels if c.account_id == self.channel_id]
        if not found:
            raise wire.not_a_channel(self.channel_id, channels)
        return found

    async def scopes(self) -> list[Scope]:
        return self.chosen(await self.channels() if self.channel_id else [])

    async def verify(self) -> Verified:
        """The token's channels (the sites it reaches); a set channel must be one of them,
        a set market one of AdTraction's markets."""
        channels = await self.channels()
        reached = channels if self.channel_id is None else self.chosen(channels)
        if self.market is not None and self.market not in await self.markets():
            raise wire.not_a_market(self.market)
        names = ", ".join(c.name or str(c.account_id) for c in reached)
        return Verified(True, reached, f"AdTraction accepted the API token (channels: {names})")

    async def markets(self) -> list[str]:
        found = wire.records(await self.request(self.get("/v2/partner/markets/")), "markets")
        return [Mapper(self.slug, m).required_text("market").upper() for m in found]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        body: dict[str, Any] = {
            "fromDate": window.start.strftime(FORMAT),
            "toDate": window.last_second.strftime(FORMAT),
            "transactionStatus": ALL_STATUSES,
        }
        if scope.account_id is not None:
            body["channelId"] = int(scope.account_id)
        if self.market is not None:
            body["market"] = self.market
        return RequestSpec("POST", self.url(TRANSACTIONS), headers=dict(HEADERS), json=body)

    def extract(self, payload: Any) -> Records:
        found = wire.records(payload, "transactions")
        if self.channel_id is None:
            return found
        # Should the filter be ignored upstream, rows of other channels stay out.
        mine = self.channel_id
        return [r for r in found if str((r.get("click") or {}).get("channelId", mine)) == mine]

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        status, word = wire.transaction_status(m)
        epi = m.text("click.epi")
        return TransactionRecord(
            external_id=m.required_text("uniqueId"),
            status=status,
            network_status=word,
            event_at=m.required_time("transactionDate", self.zone),
            click_at=m.time("click.clickDate", self.zone),
            validated_at=m.time("lastUpdated", self.zone) if status != "pending" else None,
            commission_amount=m.required_money("commission"),
            sale_amount=m.money("orderValue"),
            currency=m.currency("currency", self.credentials["currency"]),
            order_id=m.text("orderId"),
            click_ref=epi,
            sub_ids={"epi": epi} if epi else {},
            advertiser_id=m.text("click.programId"),
            advertiser_name=m.text("click.programName"),
            source_timezone=self.zone,
            raw=record,
            # The channel the sale came through: its programs are that channel's.
            account_id=m.text("click.channelId"),
        )

    async def programs(self) -> AsyncIterator[list[ProgramRecord]]:
        """A program's approval is per channel: each channel's programs (or the named
        channel's), one market at a time (the set market, else every market)."""
        channels = await self.channels()
        if self.channel_id is not None:
            channels = self.chosen(channels)
        markets = [self.market] if self.market else await self.markets()
        for channel in channels:
            for market in markets:
                spec = self.get(
                    "/v2/affiliate/programs/", market=market, channelId=str(channel.account_id)
                )
                found = wire.records(await self.request(spec), "programs")
                if found:
                    yield [self.complete(self.map_program(r), channel) for r in found]

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        return wire.program(record)

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        ad_id, channel = request.program.link_token, request.account_id
        if not ad_id or not channel:
            raise wire.no_ad_or_channel(request.program.label)
        # The destination must come last: AdTraction reads everything after `url=` as it.
        return "https://track.adtraction.com/t/t?" + query(
            ("a", ad_id),
            ("as", channel),
            ("t", "2"),
            ("tk", "1"),
            ("epi", request.sub_id),
            ("url", request.destination),
        )
