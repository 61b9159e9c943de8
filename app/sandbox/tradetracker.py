"""TradeTracker affiliate web service (fact sheet: shared/networks/tradetracker.md; checked
facts: notes/tradetracker.md): SOAP 1.1 rpc/encoded on `POST /soap/affiliate`, the
operation named by the body and by `SOAPAction: "<namespace>/<operation>"`.

`authenticate(customerID, passphrase, sandbox, locale, demo)` starts a session (cookie
`PHPSESSID`) that belongs to that customer ID and passphrase; every other call needs it.
A refused login, a missing or expired session, an unknown operation or a bad argument is
a SOAP Fault at HTTP 500. A credential reaches two affiliate sites (`getAffiliateSites`);
`getConversionTransactions(affiliateSiteID, options)` filters by registration date (text
read in Europe/Amsterdam; `registrationDateTo` is inclusive to the second, so a bare date
ends at its midnight), status and paging (`limit` at most `max_limit`, `offset`), and
renders dates with the Amsterdam offset. `getCampaigns` is in `tradetracker_campaigns`.

Clicks on `https://tc.tradetracker.net/?c=&m=&a=&r=&u=` count for campaign `c` of
affiliate site `a` with reference `r`, and land on `u`: a whole URL, or a path on the
campaign's site.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.connectors.soap import SoapMessage, fault_envelope, parse_envelope, response_envelope
from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, refused
from app.sandbox.data import stable_int
from app.sandbox.kit import Sessions, offset_slice
from app.sandbox.registry import SandboxConnection
from app.sandbox.tradetracker_campaigns import campaigns
from app.sandbox.tradetracker_records import ZONE, expected, rows

__all__ = ["CONNECTIONS", "ID_RANGE", "build_app", "expected"]

NS = "https://ws.tradetracker.com/soap/affiliate"
PATH = "/soap/affiliate"
ID_RANGE = (20_000_000, 20_999_999)
# The `tns:Locale` values this imitation accepts (the WSDL's list is not published).
LOCALES = frozenset(
    {"nl_NL", "nl_BE", "fr_BE", "fr_FR", "en_GB", "de_DE", "de_AT", "de_CH", "es_ES", "it_IT"}
    | {"pl_PL", "sv_SE", "da_DK", "nb_NO", "fi_FI", "pt_BR"}
)
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
AUTH_FAILED = "Authentication failed: the customer ID and passphrase do not match"
NO_SESSION = "Not authenticated: the session is missing or has expired; call authenticate first"


def credential(customer_id: object, passphrase: str) -> str:
    """Who a session belongs to: the customer ID and (a digest of) the passphrase."""
    return f"{customer_id}:{hashlib.sha256(passphrase.encode()).hexdigest()[:10]}"


def site_ids(who: str, count: int = 2) -> list[int]:
    return [100000 + stable_int("tradetracker-site", who, n) % 900000 for n in range(count)]


def _connection(
    nickname: str, customer_id: str, passphrase: str, country: str
) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {"customer_id": customer_id, "passphrase": passphrase, "country": country},
        tuple(str(s) for s in site_ids(credential(customer_id, passphrase))),
        secret_key="passphrase",
        transactions_path=PATH,
        money_field="commission",
        order_field="description",
    )


# One customer ID, a passphrase per country network (as TradeTracker issues them).
CONNECTIONS = (
    _connection("TradeTracker NL", "123456", "3a311fd3d68428c72d22576bb158848f95e1e0b5", "NL"),
    _connection("TradeTracker BE", "123456", "9c4be21f0d7a55e3c86b1f20a4d9e7c3b5a60f18", "BE"),
)


def _moment(options: dict[str, Any], name: str) -> datetime | None:
    raw = options.get(name)
    if raw is None or isinstance(raw, datetime):
        return raw
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(str(raw).strip(), fmt).replace(tzinfo=ZONE)
        except ValueError:
            continue
    raise ParamError(f"Invalid value for {name}: '{raw}'")


def paged(rows: list[Any], options: dict[str, Any], maximum: int) -> list[Any]:
    """`options.offset`/`options.limit` (no limit: everything)."""
    limit, offset = options.get("limit"), options.get("offset") or 0
    if limit is None:
        return rows[offset:]
    if not isinstance(limit, int) or not 1 <= limit <= maximum or not isinstance(offset, int):
        raise ParamError(f"limit must be 1..{maximum} and offset a whole number")
    return list(offset_slice(rows, offset, limit))


class TradeTrackerSandbox(NetworkSandbox):
    slug = "tradetracker"
    extra_knobs = {"max_limit": 1000}

    def __init__(self) -> None:
        super().__init__()
        self.sessions = Sessions(self, cookie="PHPSESSID", expired=self._no_session)

    def fault(self, code: str, message: str, status: int = 500) -> Response:
        return Response(fault_envelope(code, message), status, media_type="text/xml; charset=utf-8")

    def error(self, request: Request, status: int, message: str) -> Response:
        # Faults of the service itself are HTTP 500; a proxy's 429/502/503 keep theirs.
        code = "Client" if status < 500 else "Server"
        return self.fault(code, message, 500 if status in (400, 401, 403) else status)

    def _no_session(self, request: Request) -> Response:
        return self.fault("Client", NO_SESSION)

    async def message(self, request: Request) -> SoapMessage:
        if not hasattr(request.state, "soap"):
            request.state.soap = parse_envelope(await request.body())
        message: SoapMessage = request.state.soap
        return message

    async def authenticate(self, request: Request) -> Identity | Response:
        try:
            message = await self.message(request)
        except ValueError as exc:
            return self.fault("Client", f"Bad Request: {exc}")
        if message.method not in self.operations():
            return self.fault("Client", f"Procedure '{message.method}' not present")
        action = request.headers.get("soapaction", "").strip().strip('"')
        if action != f"{NS}/{message.method}":
            return self.fault("Client", f"SOAPAction '{action}' does not name {message.method}")
        if message.method != "authenticate":
            return await self.sessions.check(request)
        args = message.args
        customer, passphrase = str(args.get("customerID") or ""), args.get("passphrase")
        if not customer.isdigit() or not isinstance(passphrase, str) or refused(passphrase):
            return self.fault("Client", AUTH_FAILED)
        locale = args.get("locale") or "en_GB"
        if locale not in LOCALES:
            return self.fault("Client", f"Invalid locale '{locale}'")
        return Identity(credential(customer, passphrase), details={"locale": str(locale)})

    def operations(self) -> dict[str, Any]:
        return {
            "authenticate": self.login,
            "getAffiliateSites": self.affiliate_sites,
            "getConversionTransactions": self.conversions,
            "getCampaigns": self.campaigns,
        }

    async def dispatch(self, request: Request, who: Identity) -> Response:
        message = await self.message(request)
        calls = self.state.store.setdefault("operations", {})
        calls[message.method] = calls.get(message.method, 0) + 1
        body: bytes = await self.operations()[message.method](message.args, who)
        response = Response(body, media_type="text/xml; charset=utf-8")
        if message.method == "authenticate":
            self.sessions.set_cookie(response, self.sessions.start(who.credential, who.details))
        return response

    async def login(self, args: dict[str, Any], who: Identity) -> bytes:
        return response_envelope(NS, "authenticate", None)

    def site(self, args: dict[str, Any], who: Identity) -> str:
        site = args.get("affiliateSiteID")
        if not isinstance(site, int) or site not in site_ids(who.credential):
            raise ParamError(f"Invalid affiliateSiteID '{site}'")
        return str(site)

    async def affiliate_sites(self, args: dict[str, Any], who: Identity) -> bytes:
        sites = [
            {
                "ID": site,
                "name": f"Example Media {n + 1}",
                "URL": f"https://site{n + 1}.example",
                "info": {
                    "type": {"ID": 1, "name": "Website"},
                    "category": {"ID": 12, "name": "Shopping"},
                    "description": "Reviews and deals",
                    "creationDate": datetime(2019, 4, 1 + n, 10, 0, tzinfo=ZONE),
                    "status": "accepted",
                },
            }
            for n, site in enumerate(site_ids(who.credential))
        ]
        return response_envelope(NS, "getAffiliateSites", sites, name="affiliateSites")

    async def conversions(self, args: dict[str, Any], who: Identity) -> bytes:
        site, options = self.site(args, who), args.get("options") or {}
        start, end = (
            _moment(options, "registrationDateFrom"),
            _moment(options, "registrationDateTo"),
        )
        found = [
            wire
            for wire, t in rows(site, self.epoch, self.spec)
            if (start is None or t.event_at >= start)
            and (end is None or t.event_at < end + timedelta(seconds=1))
            and options.get("transactionStatus") in (None, wire["transactionStatus"])
        ]
        if options.get("sort") == "ID":
            found.sort(key=lambda wire: int(wire["ID"]))
        if options.get("sortDirection") == "descending":
            found.reverse()
        found = paged(found, options, int(self.knob("max_limit")))
        return response_envelope(
            NS, "getConversionTransactions", found, name="conversionTransactions"
        )

    async def campaigns(self, args: dict[str, Any], who: Identity) -> bytes:
        site, options = self.site(args, who), args.get("options") or {}
        listed = campaigns(
            self.account(site).advertisers, int(site), options.get("assignmentStatus")
        )
        listed = paged(listed, options, int(self.knob("max_limit")))
        return response_envelope(NS, "getCampaigns", listed, name="campaigns")

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "tc.tradetracker.net" or path:
            return await super().click(request, host, path)
        q = request.query_params
        site, campaign = q.get("a", ""), q.get("c", "")
        adv = self.account(site).advertiser(int(campaign)) if campaign.isdigit() else None
        destination = q.get("u") or None
        if destination and adv is not None:  # a path lands on the campaign's site
            destination = urljoin(f"https://www.{adv.domain}/", destination)
        return clicks.record(self, site, campaign, q.get("r"), destination)

    async def operations_route(self, request: Request) -> Response:
        """`GET /_sandbox/operations`: calls answered per SOAP operation."""
        return JSONResponse(self.state.store.get("operations", {}))

    def control(self) -> list[BaseRoute]:
        return [Route("/_sandbox/operations", self.operations_route)]

    def routes(self) -> list[BaseRoute]:
        return [self.api(PATH, self.dispatch, ("POST",))]


def build_app() -> Any:
    return TradeTrackerSandbox().app()
