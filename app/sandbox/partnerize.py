"""Partnerize (formerly Performance Horizon) v1 publisher API (shared/networks/partnerize.md).

HTTP Basic: the application key as user name, the user API key as password; a refused pair
answers 401 with the v3-style `unauthorised` body (section 0). `GET /user/account.json` lists
the user's accounts (`accounts_per_user` publishers, and one brand account the connector must
skip); any other publisher id answers 403. The conversion report takes `start_date` (required)
and `end_date` in `timezone` (default: the publisher's own reporting timezone), `date_type`
(`last_updated`/`last_modified`, `approved_at`), `statuses[]`, at most 300 rows (`limit`)
and cursor paging: every answer carries `cursor_id`, and `hypermedia.pagination.next_page`
until the last page. Campaign lists (`campaign/{a|p|r}.json`, by the publisher's status on
them) page by offset; `/v3/partner/{id}/participations` lists the publisher's campaigns of
the `status[]` asked (approved by default), with `camref` when `fields[]` names it. A click
on `https://prf.hn/click/camref:{camref}/pubref:{sub-id}/destination:{url}` is a sale of the
campaign and publisher the camref names, its pubref the conversion's `publisher_reference`.
Partnerize publishes no call limits; a 429 (v1 body) says how long to wait in
`X-RateLimit-Retry-After`, never `Retry-After`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox import partnerize_records as records
from app.sandbox.base import Identity, NetworkSandbox, ParamError, refused
from app.sandbox.data import stable_int
from app.sandbox.kit import basic_credentials, json_body, next_link, offset_slice, params
from app.sandbox.partnerize_records import FORMAT, publisher_ids
from app.sandbox.registry import SandboxConnection

ID_RANGE = (40_000_000, 40_999_999)
MAX_LIMIT = 300
UNAUTHORISED = "Your 'User application key' and 'User API key' combination is invalid."
MISSING = (
    "Your API credentials can be found in Account settings. 'Username' will be your "
    "'User application key' and 'Password' will be your 'User API key'."
)
expected = records.conversions


def _connection(nickname: str, app_key: str, user_key: str, pin: int | None) -> SandboxConnection:
    reached = publisher_ids(user_key)
    pinned = {"publisher_id": reached[pin]} if pin is not None else {}
    return SandboxConnection(
        nickname,
        {"application_key": app_key, "user_api_key": user_key, **pinned},
        tuple(reached if pin is None else [reached[pin]]),
        secret_key="user_api_key",
        transactions_path="/conversion.json",
        status_field="conversion_value",
        money_field="conversion_value",
        order_field="conversion_reference",
    )


CONNECTIONS = (
    _connection("Partnerize (every publisher account)", "demoPzApp01", "demo-pz-user-8c2d71", None),
    _connection("Partnerize (one publisher)", "demoPzApp01", "demo-pz-user-3f90aa", 1),
)


def _moment(raw: str, zone: str) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` (or `HH:MM`, or a date) in the report's zone, or ISO 8601 with
    an offset or `Z`."""
    text = raw.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ParamError(f"Invalid date '{raw}'") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


class PartnerizeSandbox(NetworkSandbox):
    slug = "partnerize"
    retry_after = 1  # sent as X-RateLimit-Retry-After (see `throttled`)
    extra_knobs = {"accounts_per_user": 2}

    def error(self, request: Request, status: int, message: str) -> Response:
        if status == 401:
            detail = {"property": "", "message": message, "type": "unauthorised"}
            detail["code"] = "39b4b7c2-e5b9-41b1-83d4-db3b23b5ebfa"
            body = {"error": {"errors": [detail], "message": "Unauthorized", "code": "401"}}
            return json_body(body, 401)
        text = "Too Many Requests" if status == 429 else message
        return json_body({"error": {"message": text, "type": str(status)}}, status)

    def throttled(self, request: Request) -> Response:
        response = self.error(request, 429, "Too Many Requests")
        if (wait := self.state.knobs["retry_after"]) is not None:
            response.headers["X-RateLimit-Retry-After"] = str(wait)
            response.headers["X-RateLimit-Remaining"] = "0"
        return response

    async def authenticate(self, request: Request) -> Identity | Response:
        pair = basic_credentials(request.headers.get("authorization", ""))
        if pair is None:
            return self.error(request, 401, MISSING)
        if refused(pair[0]) or refused(pair[1]):
            return self.error(request, 401, UNAUTHORISED)
        return Identity(pair[1], details={"application_key": pair[0]})

    def publisher(self, request: Request, who: Identity) -> str:
        pid = request.path_params["publisher_id"]
        if pid not in publisher_ids(who.credential, self.knob("accounts_per_user")):
            raise ParamError(f"You do not have access to publisher {pid}", 403)
        return str(pid)

    async def accounts(self, request: Request, who: Identity) -> Response:
        rows: list[dict[str, Any]] = [
            {
                "publisher": {
                    "publisher_id": pid,
                    "account_name": f"Example Media {pid}",
                    "default_currency": "GBP",
                    "reporting_timezone": records.reporting_timezone(pid),
                    "status": "a",
                }
            }
            for pid in publisher_ids(who.credential, self.knob("accounts_per_user"))
        ]
        brand = f"1011l{stable_int('partnerize-brand', who.credential) % 100000}"
        rows.append({"advertiser": {"advertiser_id": brand, "account_name": "Example Shop"}})
        return json_body({"count": len(rows), "execution_time": "0.01 s", "user_accounts": rows})

    async def conversions(self, request: Request, who: Identity) -> Response:
        pid, q = self.publisher(request, who), request.query_params
        zone = q.get("timezone") or records.reporting_timezone(pid)
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ParamError(f"Invalid timezone '{zone}'") from exc
        start = _moment(params.required(q, "start_date"), zone)
        end = _moment(q["end_date"], zone) if q.get("end_date") else self.spec.now
        params.window(start, end)
        date_type = q.get("date_type") or None
        if date_type not in records.DATE_TYPES:
            raise ParamError(f"Invalid date_type '{date_type}'")
        statuses = q.getlist("statuses[]")
        if any(s not in ("approved", "pending", "rejected") for s in statuses):
            raise ParamError("statuses[] takes approved, pending or rejected")
        limit = min(params.integer(q, "limit", MAX_LIMIT, minimum=1), MAX_LIMIT)
        base = 10_000_000_000 + stable_int("partnerize-cursor", pid) % 10**9
        offset = params.integer(q, "cursor_id", base, minimum=base) - base
        rows = expected(pid, self.epoch, self.spec, start, end, timezone=zone, date_type=date_type)
        if statuses:
            items = ({i["item_status"] for i in t.record["conversion_items"]} for t in rows)
            rows = [t for t, words in zip(rows, items, strict=True) if words & set(statuses)]
        if offset > len(rows):
            raise ParamError("Invalid cursor_id")
        page = rows[offset : offset + limit]
        after = offset + len(page)
        more = after < len(rows)
        nxt = next_link(request, limit=limit, cursor_id=base + after) if more else None
        body = {
            **self._totals(page),
            "start_date_time_utc": start.astimezone(ZoneInfo("UTC")).strftime(FORMAT),
            "end_date_time_utc": end.astimezone(ZoneInfo("UTC")).strftime(FORMAT),
            "start_date_time": start.astimezone(ZoneInfo(zone)).strftime(FORMAT),
            "end_date_time": end.astimezone(ZoneInfo(zone)).strftime(FORMAT),
            "limit": limit,
            "count": len(page),
            "cursor_id": base + after,
            "execution_time": "0.04123 seconds",
            "meta_data": [],
            "conversions": [{"conversion_data": t.record} for t in page],
            "hypermedia": {"pagination": {"next_page": _relative(nxt)}},
        }
        return json_body(body)

    @staticmethod
    def _totals(page: list[Any]) -> dict[str, dict[str, Any]]:
        count: dict[str, Any] = {}
        commission: dict[str, Any] = {}
        value: dict[str, Any] = {}
        for t in page:
            amounts = t.record["conversion_value"]
            count[t.currency] = count.get(t.currency, 0) + 1
            commission[t.currency] = commission.get(t.currency, 0) + amounts["publisher_commission"]
            value[t.currency] = value.get(t.currency, 0) + amounts["value"]
        return {
            "total_conversion_count": count,
            "total_publisher_commission": {k: round(v, 2) for k, v in commission.items()},
            "total_value": {k: round(v, 2) for k, v in value.items()},
        }

    async def campaigns(self, request: Request, who: Identity) -> Response:
        pid, q = self.publisher(request, who), request.query_params
        status = request.path_params["status"]
        if status not in ("a", "p", "r"):
            raise ParamError(f"Invalid campaign status '{status}': use a, p or r")
        acct = self.account(pid)
        found = [a for a in acct.advertisers if records.STANDINGS.get(a.relationship) == status]
        offset = params.integer(q, "offset", 0, minimum=0)
        limit = min(params.integer(q, "limit", 100, minimum=1), MAX_LIMIT)
        page = offset_slice(found, offset, limit)
        more = offset + limit < len(found)
        pagination = {
            "total_item_count": len(found),
            "next_page": _relative(next_link(request, offset=offset + limit)) if more else None,
        }
        return json_body(
            {
                "count": len(found),
                "offset": offset,
                "limit": limit,
                "execution_time": "0.02 seconds",
                "campaigns": [{"campaign": records.campaign(a, pid)} for a in page],
                "hypermedia": {"pagination": pagination},
            }
        )

    async def participations(self, request: Request, who: Identity) -> Response:
        pid, q = self.publisher(request, who), request.query_params
        statuses = set(q.getlist("status[]")) or {"a"}
        if statuses - {"a", "p", "r", "t"}:
            raise ParamError("status[] takes a, p, r or t")
        fields = set(q.getlist("fields[]"))
        rows = [
            records.participation(a, pid, fields)
            for a in self.account(pid).advertisers
            if records.STANDINGS.get(a.relationship) in statuses
        ]
        return json_body({"data": rows})

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "prf.hn" or not path.startswith("click/"):
            return await super().click(request, host, path)
        # The raw path: the destination after `destination:` is percent-encoded, and may be
        # a URL with its own `/`, `?` and `&`.
        raw = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1")
        head, _, destination = raw.partition("/destination:")
        pairs = dict(p.split(":", 1) for p in head.split("/") if ":" in p)
        named = records.read_camref(unquote(pairs.get("camref", "")))
        if named is None:
            return PlainTextResponse(f"unknown camref {pairs.get('camref')!r}", status_code=404)
        pubref = unquote(pairs["pubref"]) if "pubref" in pairs else None
        return clicks.record(self, named[1], named[0], pubref, unquote(destination) or None)

    def routes(self) -> list[BaseRoute]:
        report = "/reporting/report_publisher/publisher/{publisher_id}/conversion.json"
        return [
            self.api("/user/account.json", self.accounts),
            self.api(report, self.conversions),
            self.api("/user/publisher/{publisher_id}/campaign/{status}.json", self.campaigns),
            self.api("/v3/partner/{publisher_id}/participations", self.participations),
        ]


def _relative(url: str | None) -> str | None:
    """A next-page link as Partnerize writes it: path and query, no host."""
    if url is None:
        return None
    path = url.split("://", 1)[-1]
    return path[path.find("/") :]


def build_app() -> Any:
    return PartnerizeSandbox().app()
