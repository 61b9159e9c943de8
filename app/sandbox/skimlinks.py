"""Skimlinks publisher APIs (fact sheet: shared/networks/skimlinks.md; recorded commission:
shared/networks/fixtures/skimlinks/), three hosts on one app:

- `POST /access_token` (authentication.skimapis.com; `skimlinks_auth`);
- `GET /publisher/{id}/commission-report` (reporting.skimapis.com): `start_date` and an
  optional `end_date` (date-time, inclusive, not in the future), or `updated_since`,
  `limit` (default 30, at most 5000), `offset`, `domain_id`, `status`, `sort_by`,
  `sort_dir` -> `{"pagination": {has_next, total_count, offset, limit}, "commissions"}`;
- `GET /v4/publisher/{id}/merchants` (merchants.skimapis.com): `publisher_domain_id` (the
  first site when absent; another publisher's site is refused), `limit` (200), `offset`
  -> HTTP 201 `{user_currency, merchants, has_more, next_val, last_val, num_returned}`.

The merchants answer names its site in `publisher_domain_stats`; each merchant carries its
`minimum_rate`/`maximum_rate`. `https://go.skimresources.com/?id=<publisher>X<site>&url=
<destination>&xcust=<sub-id>` is a click: the merchant is the one selling on the
destination's domain (one joined merchant also sells on example.com, the shop tests link to
when they name none); a destination no merchant sells on is passed through untracked.

The token goes in the `access_token` query parameter; a path naming another publisher is
403. Budgets per key: 40 calls a minute, 300 an hour; 429s carry no `Retry-After`. Error
bodies are not documented: `{"error": message}` here. A client id belongs to one publisher
with two sites and one reporting currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from app.links.domains import registrable
from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds
from app.sandbox.data import Advertiser, DataSpec, Txn, account, stable_int, state
from app.sandbox.kit import json_body, offset_slice, params
from app.sandbox.registry import SandboxConnection
from app.sandbox.skimlinks_auth import WEEK, SkimlinksTokens, publisher_of
from app.sandbox.skimlinks_records import FORMAT, domains_of, lines, merchant

ID_RANGE = (10_000_000, 10_999_999)
REPORT = "/commission-report"
CURRENCIES = ("EUR", "GBP", "USD")


def sites_of(publisher: int) -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        1_000_000 + stable_int("skimlinks-site", publisher, n) % 900_000 for n in (0, 1)
    )


def currency_of(publisher: int) -> str:
    """The publisher's preferred currency: every amount is converted to it."""
    return CURRENCIES[stable_int("skimlinks-currency", publisher) % len(CURRENCIES)]


def _connection(nickname: str, client_id: str, secret: str, site: int | None) -> SandboxConnection:
    pid = publisher_of(client_id)
    domain = {"domain_id": str(sites_of(pid)[site])} if site is not None else {}
    return SandboxConnection(
        nickname,
        {"publisher_id": str(pid), "client_id": client_id, "client_secret": secret, **domain},
        (str(pid),),
        secret_key="client_secret",
        transactions_path=REPORT,
        options=domain,
        # Records nest their status; breaking the block breaks it.
        status_field="transaction_details",
        order_field="commission_id",
    )


CONNECTIONS = (
    _connection(
        "Skimlinks (all sites)",
        "5d1c0e9a2b7d4c1e8f3a6b5d9c2e7f10",
        "0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
        None,
    ),
    _connection(
        "Skimlinks (gift guide site)",
        "a7e3f19c0b2d48e6a1f5c3b9d7e2f804",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        1,
    ),
)


def _house(listed: list[Advertiser]) -> Advertiser | None:
    """The merchant that also sells on example.com: the first joined one by name."""
    return next((a for a in listed if a.relationship == "joined"), None)


@lru_cache(maxsize=16)
def _all(publisher: str, epoch: int, spec: DataSpec) -> tuple[Txn, ...]:
    pid = int(publisher)
    sites, currency = sites_of(pid), currency_of(pid)
    out = [
        row
        for o in account("skimlinks", publisher, spec).orders
        for row in lines(state(o, epoch), epoch, pid, sites[o.key % 2], currency)
    ]
    return tuple(sorted(out, key=lambda t: int(t.external_id)))


def _at(t: Txn, field: str) -> datetime:
    return datetime.strptime(t.record["transaction_details"][field], FORMAT).replace(tzinfo=UTC)


def select(
    publisher: str, epoch: int, spec: DataSpec, lo: datetime, hi: datetime, by: str, site: Any
) -> list[Txn]:
    """Commissions with `lo <= <by> < hi` (by: transaction_date | last_updated), of one site
    when given."""
    return [
        t
        for t in _all(publisher, epoch, spec)
        if lo <= _at(t, by) < hi and (site is None or t.record["publisher_domain_id"] == int(site))
    ]


def expected(
    publisher: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    domain_id: Any = None,
    date_type: str = "transaction",
) -> list[Txn]:
    """The report over [start, end] by transaction date (or `date_type="updated"`)."""
    by = "last_updated" if date_type == "updated" else "transaction_date"
    return select(publisher, epoch, spec, *bounds(start, end), by, domain_id)


def _moment(query: Any, name: str) -> datetime | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ParamError(f"Invalid {name} '{raw}': expected a date-time") from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class SkimlinksSandbox(NetworkSandbox):
    slug = "skimlinks"
    rate_limits = {60: 40, 3600: 300}
    retry_after = None  # no rate-limit headers are documented

    def __init__(self) -> None:
        super().__init__()
        self.oauth = SkimlinksTokens(
            self,
            path="/access_token",
            grants=("client_credentials",),
            ttl_seconds=WEEK,
            invalid_token="Invalid or expired access_token",
        )
        self.auth = self.oauth

    def error(self, request: Request, status: int, message: str) -> Response:
        return json_body({"error": message}, status)

    def quota_exceeded(self, request: Request, window: int, wait: int) -> Response:
        return self.error(request, 429, "Too Many Requests")

    def publisher(self, request: Request, who: Identity) -> int:
        path = request.path_params["publisher_id"]
        if path != who.details.get("publisher"):
            raise ParamError(f"access_token is not valid for publisher {path}", 403)
        return int(path)

    async def commissions(self, request: Request, who: Identity) -> Response:
        pid, q = self.publisher(request, who), request.query_params
        limit = params.page_size(q, "limit", 30, 5000)
        offset = params.integer(q, "offset", 0, minimum=0)
        start, end, since = (_moment(q, n) for n in ("start_date", "end_date", "updated_since"))
        if since is not None:
            lo, hi, by = since, datetime.max.replace(tzinfo=UTC), "last_updated"
        elif start is None:
            raise ParamError("start_date (or updated_since) is required")
        elif end is None:
            lo, hi, by = start, datetime.max.replace(tzinfo=UTC), "transaction_date"
        elif end > datetime.now(UTC) + timedelta(minutes=5):
            raise ParamError("end_date must not be in the future")
        else:
            lo, hi, by = start, end + timedelta(seconds=1), "transaction_date"  # end inclusive
        site = params.integer(q, "domain_id", 0, minimum=0) or None
        status = q.get("status") and params.choice(q, "status", ("active", "cancelled"))
        sort_by = params.choice(q, "sort_by", ("id", "transaction_date"), "transaction_date")
        descending = params.choice(q, "sort_dir", ("ASC", "DESC"), "DESC") == "DESC"
        rows = [
            t.record
            for t in select(str(pid), self.epoch, self.spec, lo, hi, by, site)
            if not status or t.record["transaction_details"]["status"] == status
        ]
        if sort_by == "id":
            rows.sort(key=lambda r: int(r["commission_id"]), reverse=descending)
        else:
            rows.sort(
                key=lambda r: str(r["transaction_details"]["transaction_date"]), reverse=descending
            )
        page = list(offset_slice(rows, offset, limit))
        paging = {"has_next": offset + limit < len(rows), "total_count": len(rows)}
        return json_body(
            {"pagination": paging | {"offset": offset, "limit": limit}, "commissions": page}
        )

    async def merchants(self, request: Request, who: Identity) -> Response:
        pid, q = self.publisher(request, who), request.query_params
        sites = sites_of(pid)
        site = params.integer(q, "publisher_domain_id", sites[0])
        if site not in sites:
            raise ParamError(f"publisher_domain_id {site} is not a domain of publisher {pid}")
        limit = params.page_size(q, "limit", 200, 1000)
        offset = params.integer(q, "offset", 0, minimum=0)
        currency = currency_of(pid)
        listed = sorted(self.account(str(pid)).advertisers, key=lambda a: a.name)
        house = _house(listed)
        page = [merchant(a, currency, a == house) for a in offset_slice(listed, offset, limit)]
        body = {
            "user_currency": currency,
            "merchants": page,
            "has_more": offset + limit < len(listed),
            "next_val": listed[offset + limit].name if offset + limit < len(listed) else None,
            "last_val": page[-1]["name"] if page else None,
            "num_returned": len(page),
            "publisher_domain_stats": [{"publisher_domain_id": site}],
        }
        return json_body(body, 201)  # the Merchant API's documented success status

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "go.skimresources.com" or path not in ("", "/"):
            return await super().click(request, host, path)
        q = request.query_params
        publisher, _, site = q.get("id", "").partition("X")
        if (
            not publisher.isdigit()
            or not site.isdigit()
            or int(site) not in sites_of(int(publisher))
        ):
            return self.error(request, 404, f"unknown site id {q.get('id')!r}")
        destination = q.get("url", "")
        wanted = registrable(urlsplit(destination).hostname)
        listed = self.account(publisher).advertisers
        house = _house(sorted(listed, key=lambda a: a.name))
        seller = next(
            (a for a in listed if wanted in (registrable(d) for d in domains_of(a, a == house))),
            None,
        )
        if seller is None:  # not monetisable: Skimlinks passes the reader on untracked
            return RedirectResponse(destination, 302)
        return clicks.record(self, publisher, seller.id, q.get("xcust"), destination)

    def routes(self) -> list[BaseRoute]:
        return [
            self.oauth.route(),
            self.api("/publisher/{publisher_id}" + REPORT, self.commissions),
            self.api("/v4/publisher/{publisher_id}/merchants", self.merchants),
        ]


def build_app() -> Any:
    return SkimlinksSandbox().app()
