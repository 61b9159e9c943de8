"""CJ commissions GraphQL (`POST /query`, fact sheet: shared/networks/cj.md) plus the XML
advertiser lookup (`cj_lookup`), all on one app: the real hosts differ
(commissions.api.cj.com, advertiser-lookup.api.cj.com) but the paths do not collide.

A personal access token works for every numeric CID except `foreign_accounts`. Amounts
are strings in the publisher currency (`pub_currency` knob, default USD) and USD;
reversals and restatements are extra records with new ids (`original: false`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import cj_lookup
from app.sandbox.base import Identity, NetworkSandbox, bounds, refused
from app.sandbox.cj_schema import ARGS, DATE_PAIRS, ENVELOPE, render
from app.sandbox.data import DataSpec, Txn, account, state
from app.sandbox.graphql import Field, GraphQLError, parse, project, validate


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

    async def _query_text(self, request: Request) -> tuple[str, dict[str, Any]]:
        raw = (await request.body()).decode("utf-8", "replace")
        if "json" in request.headers.get("content-type", "") or raw.lstrip().startswith('{"'):
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise GraphQLError("Invalid JSON body") from exc
            if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                raise GraphQLError("The body has no 'query' string")
            return body["query"], body.get("variables") or {}
        return raw, {}

    async def query(self, request: Request, who: Identity) -> Response:
        try:
            text, variables = await self._query_text(request)
            if not text.strip():
                raise GraphQLError("No query was provided")
            data: dict[str, Any] = {}
            for top in parse(text, variables):
                data[top.key] = "Query" if top.name == "__typename" else self.resolve(top)
        except GraphQLError as exc:
            return JSONResponse({"errors": [{"message": str(exc)}], "data": None})
        return JSONResponse({"data": data})

    def resolve(self, top: Field) -> dict[str, Any]:
        if top.name != "publisherCommissions":
            raise GraphQLError(
                f"Validation error (FieldUndefined@[{top.name}]) : Field "
                f"'{top.name}' in type 'Query' is undefined"
            )
        for arg in top.args:
            if arg not in ARGS:
                raise GraphQLError(
                    f"Validation error (UnknownArgument@[publisherCommissions]) "
                    f": Unknown field argument '{arg}'"
                )
        cids = top.args.get("forPublishers")
        if not cids or not isinstance(cids, list):
            raise GraphQLError(
                "Validation error (MissingFieldArgument@[publisherCommissions])"
                " : Missing field argument 'forPublishers'"
            )
        validate(top.selections, ENVELOPE, "PublisherCommissions", "publisherCommissions")
        denied = [str(c) for c in cids if not str(c).isdigit() or self.foreign(str(c))]
        if denied:
            raise GraphQLError(
                "Not authorized to access the publisher(s) "
                f"{', '.join(denied)} with this personal access token"
            )
        records = self.select([str(c) for c in cids], top.args)
        since = top.args.get("sinceCommissionId")
        if since is not None:
            records = [r for r in records if int(r["commissionId"]) > int(since)]
        limit = self.knob("page_size")
        page = records[:limit]
        envelope = {
            "count": len(page),
            "limit": limit,
            "payloadComplete": len(records) <= limit,
            "maxCommissionId": page[-1]["commissionId"] if page else None,
            "records": page,
        }
        return dict(project(envelope, top.selections, ENVELOPE, "PublisherCommissions"))

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

    def routes(self) -> list[BaseRoute]:
        return [self.api("/query", self.query, ("POST",)), *cj_lookup.Lookup(self).routes()]


def build_app() -> Any:
    return CJSandbox().app()
