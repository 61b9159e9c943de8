"""Tune (HasOffers) Partner API (shared/networks/tune.md, notes/tune.md): one endpoint,
`GET /Apiv3/json?Target=...&Method=...&api_key=...`, on `<network_id>.api.hasoffers.com`.

`Affiliate_Report::getConversions` takes `fields[]`, a `Stat.datetime` (or `Stat.date`)
BETWEEN filter in the network's timezone, `sort[...]`, `limit` (none: every row) and a
1-based `page`; rows sit in a paging block whose `current` is always 0, as an object keyed
by id (knob `rows`: "keyed", or "list"), every value a string, times naive in the network's
zone, money with five decimals, `Stat.currency` empty where the network's own currency
applies. `Affiliate_Affiliate::findById` is the key's affiliate, `Affiliate_AffiliateUser::
getContext` carries `BrandPreferences.network_currency` (shape assumed: not recorded).
`Affiliate_Offer::findAll` / `findMyApprovedOffers` list offers (`tune_offers`), with
`contain[]=TrackingLink`; `generateTrackingLink` answers an approved offer's link on
`<network>.go2cloud.org`, whose `aff_c` clicks the sandbox records.
Failures answer HTTP 200 with `status: -1` (`tune_wire`); 50 calls per 10 s per key; the
knob `migrated` turns the network into one that moved to the new TUNE Network.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox import tune_offers as offers
from app.sandbox import tune_wire as wire
from app.sandbox.base import Identity, NetworkSandbox, bounds, refused
from app.sandbox.data import DataSpec, OrderState, Txn, account, convert, stable_int, state
from app.sandbox.kit import params
from app.sandbox.registry import SandboxConnection

ID_RANGE = (100, 999)  # offer ids: small numbers, as HasOffers numbers them
FORMAT = "%Y-%m-%d %H:%M:%S"
WORDS = {"pending": "pending", "approved": "approved", "paid": "approved", "declined": "rejected"}
PATH = "/Apiv3/json"


def affiliate_id(api_key: str) -> str:
    return str(1000 + stable_int("tune-affiliate", api_key) % 9000)


def _connection(nickname: str, key: str, network_id: str, currency: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {"api_key": key, "network_id": network_id},
        (affiliate_id(key),),
        secret_key="api_key",
        transactions_path=PATH,
        options={"network_currency": currency},
        status_field="conversion_status",
        money_field="payout",
        order_field="ad_id",
    )


CONNECTIONS = (
    _connection("Tune demo network", "demo-tune-key-5c1e77", "demo", "USD"),
    _connection("Tune (second network)", "demo-tune-key-a9d204", "arabclicks", "EUR"),
)
# Each key belongs to one network, with its currency (unknown keys: USD).
NETWORKS = {c.credentials["api_key"]: c.options for c in CONNECTIONS}


def _row(s: OrderState, aff: str, zone: ZoneInfo, network_currency: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    own = o.key % 5 == 0  # no currency on the row: amounts are in the network's currency
    cur = network_currency if own else adv.currency
    sale, payout = (
        convert(s.sale_amount, adv.currency, cur),
        convert(s.commission_amount, adv.currency, cur),
    )
    local = o.event_at.astimezone(zone).replace(tzinfo=None)
    subs = [*o.click_refs, "", ""][:5]
    event = stable_int("tune-event", aff, o.seq)
    record: dict[str, Any] = {
        "id": str(40000 + o.seq),
        "tune_event_id": f"{event:016x}{o.key:08x}{o.seq:08x}",
        "datetime": local.strftime(FORMAT),
        "conversion_status": WORDS[s.status],
        "payout": f"{payout:.5f}",
        "sale_amount": f"{sale:.5f}",
        "currency": "" if own else cur,
        "offer_id": str(adv.id),
        "ad_id": f"{stable_int('tune-ad', aff, o.seq):016x}{event:016x}"[:30],
        **{f"affiliate_info{n + 1}": v or (None if n == 4 else "") for n, v in enumerate(subs)},
        "Offer": {"name": f"{adv.name} - CPS"},
    }
    read_as = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    no_order: Any = None  # affiliates see no order id (adv_sub) in the Partner API
    ref = o.click_refs[0] if o.click_refs else None
    status = "approved" if s.status == "paid" else s.status  # Tune shows no payment
    word = record["conversion_status"]
    return Txn(
        record["id"], status, word, read_as, no_order, str(adv.id), cur, sale, payout, ref, record
    )


@lru_cache(maxsize=16)
def _all(aff: str, epoch: int, spec: DataSpec, zone: str, currency: str) -> tuple[Txn, ...]:
    tz = ZoneInfo(zone)
    orders = account("tune", aff, spec).orders
    return tuple(_row(state(o, epoch), aff, tz, currency) for o in orders)


def conversions(
    affiliate: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    timezone: str = "UTC",
    network_currency: str = "USD",
) -> list[Txn]:
    """The affiliate's conversions with a time in [start, end) (dates: whole days in the
    network's `timezone`; naive datetimes read there), oldest first."""
    lo, hi = bounds(start, end, timezone)
    rows = _all(affiliate, epoch, spec, timezone, network_currency)
    return [t for t in rows if lo <= t.event_at < hi]


expected = conversions


class TuneSandbox(NetworkSandbox):
    slug = "tune"
    rate_limits = {10: 50}
    retry_after = None  # Tune sends no Retry-After (and no 429 of its own)
    # `timezone`: the network's default zone its times are rendered in (the connector
    # reads UTC: the API does not name the zone).
    extra_knobs = {"migrated": False, "rows": "keyed", "timezone": "UTC"}

    def error(self, request: Request, status: int, message: str) -> Response:
        if status == 429 and getattr(request.state, "api_key", None):
            # The budget: Tune's rate-limit error at HTTP 200. An injected 429 (before
            # auth) keeps its status so a test can count it.
            return wire.failure(request, wire.RATE_LIMIT.format(n=self.rate_limits[10] + 1))
        return wire.failure(request, message, status if status >= 429 else 200)

    async def authenticate(self, request: Request) -> Identity | Response:
        host = request.headers.get("host", "").split(":")[0]
        network = request.query_params.get("NetworkId") or (
            host.split(".")[0] if host.endswith(".api.hasoffers.com") else "demo"
        )
        if refused(network):
            return wire.bad_network()
        if self.knob("migrated"):
            return wire.failure(request, wire.DISABLED)
        key = request.query_params.get("api_key", "").strip()
        if refused(key):
            return wire.failure(request, f"api_key {key} is not authenticated".replace("  ", " "))
        request.state.api_key = key
        details = {"affiliate": affiliate_id(key), "network": network, **NETWORKS.get(key, {})}
        return Identity(key, details=details)

    async def call(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        aff = who.details["affiliate"]
        page = params.integer(q, "page", 1, minimum=1)
        limit = params.integer(q, "limit", 0, minimum=0) or None
        match q.get("Target"), q.get("Method"):
            case ("Affiliate_Report", "getConversions"):
                return self.conversions(request, who, page, limit)
            case ("Affiliate_Affiliate", "findById"):
                me = {"id": aff, "company": f"Example Media {aff}", "status": "active"}
                return wire.ok(request, {"Affiliate": me})
            case ("Affiliate_AffiliateUser", "getContext"):
                currency = who.details.get("network_currency", "USD")
                user = {"id": str(int(aff) + 7), "affiliate_id": aff, "status": "active"}
                brand = {"network_currency": currency}
                return wire.ok(request, {"AffiliateUser": user, "BrandPreferences": brand})
            case ("Affiliate_Offer", ("findAll" | "findMyApprovedOffers") as method):
                links = "TrackingLink" in q.getlist("contain[]")
                rows = offers.offers(
                    self.account(aff), who.details["network"], aff, method != "findAll", links
                )
                return wire.ok(request, wire.listing(rows, page, limit))
            case ("Affiliate_Offer", "generateTrackingLink"):
                return self.tracking_link(request, who)
        return wire.failure(request, f"Invalid Target/Method: {q.get('Target')}::{q.get('Method')}")

    def conversions(
        self, request: Request, who: Identity, page: int, limit: int | None
    ) -> Response:
        q = request.query_params
        fields = q.getlist("fields[]")
        if not fields:
            return wire.failure(request, "fields is required")
        start: Any = None
        end: Any = None
        for name, fmt in (("Stat.datetime", FORMAT), ("Stat.date", "%Y-%m-%d")):
            values = q.getlist(f"filters[{name}][values][]")
            if not values:
                continue
            if q.get(f"filters[{name}][conditional]") != "BETWEEN" or len(values) != 2:
                return wire.failure(request, f"filters[{name}] takes BETWEEN and two values")
            try:
                start, end = (datetime.strptime(v, fmt) for v in values)
            except ValueError:
                return wire.failure(request, f"Invalid value for {name}: {values[0]!r}")
            end += timedelta(seconds=1) if name == "Stat.datetime" else timedelta(days=1)
        currency = who.details.get("network_currency", "USD")
        aff, zone = who.details["affiliate"], self.knob("timezone")
        rows = conversions(
            aff, self.epoch, self.spec, start, end, timezone=zone, network_currency=currency
        )
        if q.get("sort[Stat.datetime]") == "desc":
            rows = rows[::-1]
        keyed = [(t.external_id, self.render(t.record, fields)) for t in rows]
        return wire.ok(request, wire.paged(keyed, page, limit, self.knob("rows") == "keyed"))

    def tracking_link(self, request: Request, who: Identity) -> Response:
        """`offer_id` and `params[...]`: the link of an offer the affiliate may run."""
        q, aff = request.query_params, who.details["affiliate"]
        raw = q.get("offer_id", "")
        adv = self.account(aff).advertiser(int(raw)) if raw.isdigit() else None
        if adv is None:
            return wire.failure(request, f"Offer {raw!r} not found")
        if not offers.runnable(adv):
            return wire.failure(request, f"Affiliate {aff} is not approved for offer {raw}")
        extra = {k[7:-1]: v for k, v in q.multi_items() if k.startswith("params[") and k[-1] == "]"}
        return wire.ok(request, offers.tracking_link(who.details["network"], adv, aff, extra))

    async def click(self, request: Request, host: str, path: str) -> Response:
        if not host.endswith(".go2cloud.org") or path != "aff_c":
            return await super().click(request, host, path)
        q = request.query_params
        return clicks.record(
            self, q.get("aff_id", ""), q.get("offer_id"), q.get("aff_sub"), q.get("url")
        )

    @staticmethod
    def render(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """A row of the requested fields only, grouped by model (`Stat`, `Offer`)."""
        row: dict[str, dict[str, Any]] = {}
        for field in fields:
            model, _, name = field.partition(".")
            source = record if model == "Stat" else record.get(model) or {}
            if name in source:
                row.setdefault(model, {})[name] = source[name]
        return row

    def routes(self) -> list[BaseRoute]:
        return [self.api(PATH, self.call)]


def build_app() -> Any:
    return TuneSandbox().app()
