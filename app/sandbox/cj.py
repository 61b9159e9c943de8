"""CJ commissions GraphQL (`POST /query`, fact sheet: shared/networks/cj.md) plus the XML
advertiser lookup (`cj_lookup`), all on one app: the real hosts differ
(commissions.api.cj.com, advertiser-lookup.api.cj.com) but the paths do not collide.

A personal access token works for every numeric CID except `foreign_accounts`. Amounts
are strings in the publisher currency (`pub_currency` knob, default USD) and USD;
reversals and restatements are extra records with new ids (`original: false`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.links.domains import host_of, registrable
from app.sandbox import cj_lookup, clicks
from app.sandbox.base import Identity, NetworkSandbox, bounds, refused
from app.sandbox.cj_schema import DATE_PAIRS, SCHEMA, company_of, render, website_id
from app.sandbox.data import DataSpec, Txn, account, state
from app.sandbox.kit.graphql import GraphQLError, graphql_response
from app.sandbox.registry import SandboxConnection

ID_RANGE = (1000000, 9999999)
CLICK_HOSTS = frozenset(
    {"www.anrdoezrs.net", "www.jdoqocy.com", "www.tkqlhce.com", "www.dpbolvw.net", "www.kqzyfj.com"}
)
# A deep link: /links/{PID}/type/dlg[/sid/{SID}]/{destination, unencoded}.
DEEP_LINK = re.compile(r"links/(\d+)/type/dlg/(?:sid/([^/]+)/)?(https?:/+.*)")


def _connection(nickname: str, token: str, cid: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {
            "username": "demo@example.com",
            "password": "demo-password",
            "personal_access_token": token,
            "company_id": cid,
            "website_id": website_id(cid),
        },
        (cid,),
        secret_key="personal_access_token",
        transactions_path="/query",
        status_field="actionStatus",
        money_field="pubCommissionAmountUsd",
        order_field="orderId",
    )


CONNECTIONS = (
    _connection("CJ", "demopat0123456789abcdefghi", "4567890"),
    _connection("CJ (second company)", "demopat9876543210zyxwvutsr", "4567891"),
)


# graphql-core's validation messages in the words of CJ's server (graphql-java).
JAVA_STYLE = (
    (
        r"Cannot query field '(\w+)' on type '(\w+)'.*",
        r"Validation error (FieldUndefined@[\1]) : Field '\1' in type '\2' is undefined",
    ),
    (
        r"Unknown argument '(\w+)' on field '\w+\.(\w+)'.*",
        r"Validation error (UnknownArgument@[\2]) : Unknown field argument '\1'",
    ),
    (
        r"Field '(\w+)' argument '(\w+)' of type .* is required, but it was not provided\.",
        r"Validation error (MissingFieldArgument@[\1]) : Missing field argument '\2'",
    ),
    (  # graphql-core 3.3 words it so
        r"Argument '\w+\.(\w+)\((\w+):\)' of type .* is required, but it was not provided\.",
        r"Validation error (MissingFieldArgument@[\1]) : Missing field argument '\2'",
    ),
    (
        r"Field '(\w+)' of type '\W*(\w+)\W*' must have a selection of subfields.*",
        r"Validation error (SubselectionRequired@[\1]) : Sub selection required for type "
        r"'\2' of field '\1'",
    ),
    (
        r"Field '(\w+)' must not have a selection since type '\w+' has no subfields\.",
        r"Validation error (SubselectionNotAllowed@[\1]) : Sub selection not allowed on leaf "
        r"type of field '\1'",
    ),
    (r"Syntax Error: (.*)", r"Invalid Syntax : \1"),
)


def java_style(message: str) -> str:
    for pattern, words in JAVA_STYLE:
        if re.fullmatch(pattern, message, re.DOTALL):
            return re.sub(pattern, words, message, flags=re.DOTALL)
    return message


class _Root:
    """The Query type's resolvers (nested fields resolve from the record dicts)."""

    def __init__(self, network: CJSandbox) -> None:
        self.network = network

    def publisherCommissions(self, info: Any, **args: Any) -> dict[str, Any]:
        return self.network.publisher_commissions(args)


def _at(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=32)
def _window(
    cid: str,
    epoch: int,
    spec: DataSpec,
    date_type: str,
    lo: datetime,
    hi: datetime,
    pub_currency: str,
) -> tuple[Txn, ...]:
    acct = account("cj", cid, spec)
    field_name = {"event": "eventDate", "posting": "postingDate", "locking": "lockingDate"}
    orders = acct.between(lo, hi) if date_type == "event" else acct.orders
    out = []
    for order in orders:
        for txn in render(state(order, epoch), cid, pub_currency):
            if lo <= _at(txn.record[field_name[date_type]]) < hi:
                out.append(txn)
    return tuple(sorted(out, key=lambda t: int(t.external_id)))


def commissions(
    cid: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    date_type: str = "event",
    pub_currency: str = "USD",
) -> list[Txn]:
    """Every record `publisherCommissions` pages through for one CID and window (dates:
    whole UTC days; datetimes: [start, end)), in commissionId order."""
    lo, hi = bounds(start, end, "UTC")
    return list(_window(cid, epoch, spec, date_type, lo, hi, pub_currency))


expected = commissions


class CJSandbox(NetworkSandbox):
    slug = "cj"
    rate_limit_per_minute = 25
    retry_after = None
    page_size = 10000
    extra_knobs = {"pub_currency": "USD", "max_window_days": 31}

    def error(self, request: Request, status: int, message: str) -> Response:
        if request.url.path == "/query":
            return JSONResponse(
                {"errors": [{"message": message}], "data": None}, status_code=status
            )
        return cj_lookup.xml_error(status, message)

    async def authenticate(self, request: Request) -> Identity | Response:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            return self.error(
                request,
                401,
                "Not authorized: a personal access token is "
                "required (Authorization: Bearer <token>)",
            )
        token = header[7:].strip()
        if refused(token):
            return self.error(request, 401, "Not authorized: invalid personal access token")
        return Identity(token)

    async def query(self, request: Request, who: Identity) -> Response:
        return await graphql_response(SCHEMA, request, _Root(self), rename=java_style)

    def publisher_commissions(self, args: dict[str, Any]) -> dict[str, Any]:
        cids = args["forPublishers"]
        if not cids:
            raise GraphQLError("forPublishers must name at least one publisher CID")
        denied = [str(c) for c in cids if not str(c).isdigit() or self.foreign(str(c))]
        if denied:
            raise GraphQLError(
                "Not authorized to access the publisher(s) "
                f"{', '.join(denied)} with this personal access token"
            )
        records = self.select([str(c) for c in cids], args)
        since = args.get("sinceCommissionId")
        if since is not None:
            if not str(since).isdigit():
                raise GraphQLError(f"Invalid sinceCommissionId '{since}'")
            records = [r for r in records if int(r["commissionId"]) > int(since)]
        limit = self.knob("page_size")
        page = records[:limit]
        return {
            "count": len(page),
            "limit": limit,
            "payloadComplete": len(records) <= limit,
            "maxCommissionId": page[-1]["commissionId"] if page else None,
            "records": page,
        }

    def select(self, cids: list[str], args: dict[str, Any]) -> list[dict[str, Any]]:
        windows = {}
        for kind, (since_arg, before_arg) in DATE_PAIRS.items():
            since, before = args.get(since_arg), args.get(before_arg)
            if since is None and before is None:
                continue
            if since is None or before is None:
                raise GraphQLError(f"{since_arg} and {before_arg} must be given together")
            try:
                lo, hi = _at(str(since)), _at(str(before))
            except ValueError as exc:
                raise GraphQLError(
                    f"Invalid date '{since}' or '{before}': use ISO 8601, e.g. 2024-03-01T00:00:00Z"
                ) from exc
            max_days = self.knob("max_window_days")
            if max_days is not None and hi - lo > timedelta(days=max_days):
                raise GraphQLError(
                    f"The date range between {since_arg} and {before_arg} "
                    f"must not exceed {max_days} days"
                )
            windows[kind] = (lo, hi)
        if not windows:
            raise GraphQLError(
                "A date range is required: sinceEventDate/beforeEventDate, "
                "sincePostingDate/beforePostingDate or "
                "sinceLockingDate/beforeLockingDate"
            )
        kind, (lo, hi) = next(iter(windows.items()))
        records = [
            t.record
            for cid in cids
            for t in _window(cid, self.epoch, self.spec, kind, lo, hi, self.knob("pub_currency"))
        ]
        for other, (olo, ohi) in list(windows.items())[1:]:
            key = {"event": "eventDate", "posting": "postingDate", "locking": "lockingDate"}
            records = [r for r in records if olo <= _at(r[key[other]]) < ohi]
        filters = {
            "commissionIds": "commissionId",
            "advertiserIds": "advertiserId",
            "adIds": "aid",
            "websiteIds": "websiteId",
            "actionStatuses": "actionStatus",
            "actionTypes": "actionType",
            "lockingMethods": "lockingMethod",
            "validationStatuses": "validationStatus",
        }
        for arg, name in filters.items():
            if args.get(arg) is not None:
                wanted = {str(v) for v in args[arg]}
                records = [r for r in records if str(r[name]) in wanted]
        return sorted(records, key=lambda r: int(r["commissionId"]))

    async def click(self, request: Request, host: str, path: str) -> Response:
        found = DEEP_LINK.fullmatch(path) if host in CLICK_HOSTS else None
        if found is None:
            return await super().click(request, host, path)
        pid, sid, rest = found.groups()
        # The destination ends the path; its own query is the link's query.
        destination = re.sub(r"^(https?):/+", r"\1://", rest)
        if request.url.query:
            destination += "?" + request.url.query
        cid = company_of(pid) or ""
        # CJ names no advertiser in a deep link: it is the one whose site the link opens.
        brand = registrable(host_of(destination))
        advertiser = next(
            (a.id for a in self.account(cid).advertisers if registrable(a.domain) == brand), None
        )
        return clicks.record(self, cid, advertiser, sid, destination)

    def routes(self) -> list[BaseRoute]:
        return [self.api("/query", self.query, ("POST",)), *cj_lookup.Lookup(self).routes()]


def build_app() -> Any:
    return CJSandbox().app()
