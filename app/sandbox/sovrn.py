"""Sovrn Commerce (VigLink) publisher APIs (fact sheet: shared/networks/sovrn.md; research
notes: notes/sovrn.md): `GET /v1/reports/transactions` (host viglink.io) and `GET
/api/account/campaigns/{search}` (host rest.viglink.com), one app for both hosts.

A secret key belongs to one site (campaign). The report takes `clickDate`, `commissionDate`
and/or `updateDate`, each a single `yyyy-mm-dd` day (at least one; several filter
together), sends `{"transactions": [...]}` with no paging, and answers 404 for a day without
rows. Rows carry no status and every amount is in US dollars; a reversal or an amended
order is a further line with a negative amount on the day Sovrn learns of it. One report
call a minute per key; 429s carry no `Retry-After`. The error envelope is the one the
campaigns spec documents; the 404 message is our own (no body is documented). Knob `shape`:
`flat` (the spec's model, default) or `nested` (the docs page's example).

Links go through the redirect API (`redirect.viglink.com?key=&u=&cuid=`): the site is the
one whose public API key the link carries, the merchant the site's merchant on the
destination's domain; a click on one becomes a sale reporting the link's `cuid`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from app.links.domains import host_of, registrable
from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, reason
from app.sandbox.data import DataSpec, Txn, account, stable_int, state
from app.sandbox.kit import HeaderKey, json_body
from app.sandbox.registry import SandboxConnection
from app.sandbox.sovrn_records import FORMAT, lines, nest

TRANSACTIONS = "/v1/reports/transactions"
DATES = {"click": "clickDate", "commission": "commissionDate", "update": "updateDate"}
SECRET_HELP = "This can be found at https://publishers.viglink.com/account"
ID_RANGE = (510000, 589999)
REASONS = {400: "badRequest", 401: "invalidCredentials", 404: "notFound", 429: "rateLimitExceeded"}
# Domains reserved for examples (RFC 2606): the sandbox's stand-in for the merchants Sovrn
# monetises beyond a site's own data, credited to the site's first merchant.
EXAMPLE_DOMAINS = frozenset({"example.com", "example.net", "example.org"})


def campaign_id(secret: str, site: int = 0) -> int:
    """The site (campaign) a secret key belongs to; `site=1` is another site of the account."""
    return 9000000 + stable_int("sovrn-campaign", secret, site) % 1000000


def api_key(secret: str, site: int = 0) -> str:
    """The public API key of a secret's site (what the campaigns list shows)."""
    return f"{stable_int('sovrn-api-key', secret, site):016x}{stable_int('k', secret, site):016x}"


def _connection(nickname: str, secret: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {"api_key": api_key(secret), "secret_key": secret, "currency": "USD"},
        (str(campaign_id(secret)),),
        secret_key="secret_key",
        transactions_path=TRANSACTIONS,
        money_field="publisherRevenue",
        order_field="commissionId",
    )


CONNECTIONS = (
    _connection("Sovrn Commerce (trail blog)", "demo-sovrn-secret-4c1d9a"),
    _connection("Sovrn Commerce (kitchen site)", "demo-sovrn-secret-7e20b5"),
)


def _day(text: str) -> date:
    return datetime.strptime(text, FORMAT).date()


@lru_cache(maxsize=16)
def _all(campaign: str, epoch: int, spec: DataSpec) -> tuple[Txn, ...]:
    """Every line of a site, flat, as `Txn`s (the event time is the commission date)."""
    out = []
    for o in account("sovrn", campaign, spec).orders:
        for r in lines(state(o, epoch), int(campaign)):
            when = datetime.strptime(r["commissionDate"], FORMAT).replace(tzinfo=UTC)
            sale, commission = (Decimal(str(r[k])) for k in ("orderValue", "publisherRevenue"))
            # No status: every line is approved, a correction's negative line too (README).
            out.append(
                Txn(
                    str(r["revenueId"]),
                    "approved",
                    "actualized",
                    when,
                    r["commissionId"],
                    str(r["merchantGroupId"]),
                    "USD",
                    sale,
                    commission,
                    r["cuid"],
                    r,
                )
            )
    return tuple(out)


def report(
    campaign: str, epoch: int, spec: DataSpec, days: dict[str, date], shape: str
) -> list[Txn]:
    """What the report serves for its date filters ({"commissionDate": day, ...}, ANDed)."""
    return [
        replace(t, record=nest(t.record)) if shape == "nested" else t
        for t in _all(campaign, epoch, spec)
        if all(_day(t.record[name]) == day for name, day in days.items())
    ]


def expected(
    campaign: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    date_type: str = "commission",
    shape: str = "flat",
) -> list[Txn]:
    """The report's rows over [start, end] by `date_type` (click | commission | update)."""
    lo, hi = bounds(start, end)
    name = DATES[date_type]
    return [
        replace(t, record=nest(t.record)) if shape == "nested" else t
        for t in _all(campaign, epoch, spec)
        if lo <= datetime.strptime(t.record[name], FORMAT).replace(tzinfo=UTC) < hi
    ]


class SovrnSandbox(NetworkSandbox):
    slug = "sovrn"
    auth = HeaderKey(
        "Authorization",
        prefix="secret",
        missing=f"Authorization secret is missing or invalid. {SECRET_HELP}",
        invalid=f"Authorization secret is missing or invalid. {SECRET_HELP}",
    )
    rate_limits = {60: 1}
    retry_after = None
    extra_knobs = {"shape": "flat"}

    def error(self, request: Request, status: int, message: str) -> Response:
        why = REASONS.get(status, reason(status))
        item: dict[str, Any] = {
            "reason": why if status < 500 else "internalServerError",
            "message": message,
        }
        if status == 401:
            item.update(locationType="parameter", location="secret")
        return json_body({"error": {"errors": [item]}, "code": status, "message": message}, status)

    async def transactions(self, request: Request, who: Identity) -> Response:
        self.remember(who)
        days: dict[str, date] = {}
        for name in DATES.values():
            values = request.query_params.getlist(name)
            if len(values) > 1:
                raise ParamError(f"{name} takes one day: each request is limited to one day")
            if values:
                try:
                    days[name] = datetime.strptime(values[0], "%Y-%m-%d").date()
                except ValueError:
                    raise ParamError(f"Invalid {name} '{values[0]}': use yyyy-mm-dd") from None
        if not days:
            raise ParamError(
                "At least one date (clickDate, commissionDate or updateDate) is required for "
                "each API call"
            )
        cid = str(campaign_id(who.credential))
        rows = report(cid, self.epoch, self.spec, days, self.knob("shape"))
        if not rows:
            return self.error(request, 404, "Transactions data not found")
        return json_body({"transactions": [t.record for t in rows]})

    def remember(self, who: Identity) -> None:
        """Note a secret the sandbox has seen, so a link on its sites' API keys resolves."""
        self.state.store.setdefault("secrets", set()).add(who.credential)

    def site_of(self, key: str) -> str | None:
        """The site (campaign) whose public API key `key` is, or None."""
        known = {c.credentials["secret_key"] for c in CONNECTIONS}
        for secret in known | self.state.store.get("secrets", set()):
            for site in (0, 1):
                if api_key(secret, site) == key:
                    return str(campaign_id(secret, site))
        return None

    def merchant(self, campaign: str, destination: str) -> int | None:
        """The merchant Sovrn finds for a destination: one of the site's joined merchants
        by domain (an example domain stands for one); None leaves the link unmonetised."""
        brand = registrable(host_of(destination))
        joined = [a for a in self.account(campaign).advertisers if a.relationship == "joined"]
        if brand in EXAMPLE_DOMAINS:
            return joined[0].id if joined else None
        return next((a.id for a in joined if registrable(a.domain) == brand), None)

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "redirect.viglink.com" or path:
            return await super().click(request, host, path)
        q = request.query_params
        key, destination = q.get("key", ""), q.get("u", "")
        if not key or not destination.startswith(("http://", "https://")):
            return PlainTextResponse("key and u are required", status_code=400)
        campaign = self.site_of(key)
        if campaign is None:
            return PlainTextResponse(f"unknown API key {key!r}", status_code=400)
        merchant = self.merchant(campaign, destination)
        if merchant is None:  # not monetisable: sent on unmodified, nothing earned
            return RedirectResponse(destination, status_code=302)
        return clicks.record(self, campaign, merchant, q.get("cuid"), destination)

    async def campaigns(self, request: Request, who: Identity) -> Response:
        self.remember(who)
        sites = [
            {
                "campaignId": campaign_id(who.credential, n),
                "apiKey": api_key(who.credential, n),
                "name": name,
                "approvalStatus": "Approved",
                "category": "Sports & Fitness",
                "platform": "WordPress",
                "applicationType": "Blog",
            }
            for n, name in enumerate(("PRIMARY", "Second site"))
        ]
        return json_body({"campaigns": sites})

    def routes(self) -> list[BaseRoute]:
        return [
            self.api(TRANSACTIONS, self.transactions),
            self.api("/api/account/campaigns/{search}", self.campaigns, rate_limited=False),
        ]


def build_app() -> Any:
    return SovrnSandbox().app()
