"""NetAffiliation (Kwanko) publisher web services (notes/netaffiliation.md).

`GET /requete.php?authl=&authv=&debut=&fin=&etat=&champs=` answers `OK n` then one `;`
line per transaction in the order `champs` names (a default set without it), and HTTP
200 `KO <code> <text>` for a refused login or a bad parameter (codes and wording are
ours: no real list is known). `debut`/`fin` are whole Paris days, `fin` inclusive, at most
`max_days` apart; with neither, the call is a bare credential check (`OK 0`). A
transaction `id` counts per campaign, so ids repeat across campaigns. Dates are
`YYYY-MM-DD HH:MM:SS UTC`, or naive Paris time (`date_style`: mixed | utc | paris |
legacy `dd/mm/YYYY`); `argsite` carries HTML entities. No paid state: paid is `v`.
The programs feed `GET /flux_prog.php?taff=<key>` and the tracking-links feed
`GET /xmltrack.php?sec=<key>&site=<id>&supp=liens_generiques` are in `netaffiliation_feed`;
a click on `https://action.metaffiliation.com/trk.php?mclic=&argsite=&redir=` is a sale of
the program its link code names, `argsite` its sub-id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox import netaffiliation_feed as feed
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, reason, refused
from app.sandbox.data import DataSpec, OrderState, Txn, account, stable_int, state
from app.sandbox.kit import params, status_text_body
from app.sandbox.registry import SandboxConnection

ID_RANGE = (51_000_000, 51_999_999)
PARIS = ZoneInfo("Europe/Paris")
COLUMNS = (
    *("idcampagne", "idprogramme", "id", "date", "etat", "argsite", "argann"),
    *("montant", "gains", "taux", "monnaie", "idsite"),
)
# Without `champs` (as an old cron client reads it: id, ?, date, ?, etat, gains, monnaie,
# argsite); columns 1 and 3 are our guess.
DEFAULT_CHAMPS = ("id", "idcampagne", "date", "montant", "etat", "gains", "monnaie", "argsite")
LETTERS = {"pending": "a", "approved": "v", "paid": "v", "declined": "r"}
BAD_LOGIN = "1 Authentification incorrecte : identifiant ou mot de passe invalide"


@lru_cache(maxsize=16)
def _campaign_ids(login: str, spec: DataSpec) -> tuple[int, ...]:
    """Each order's transaction id: a counter per campaign from one base per account."""
    base = 1_000_000 + stable_int("netaffiliation-id", login) % 8_000_000
    counters: dict[int, int] = {}
    out = []
    for order in account("netaffiliation", login, spec).orders:
        counters[order.advertiser.id] = counters.get(order.advertiser.id, -1) + 1
        out.append(base + counters[order.advertiser.id])
    return tuple(out)


def _moment(s: OrderState, style: str) -> tuple[str, datetime]:
    """The `date` cell and the instant a client reads from it."""
    at = s.order.event_at
    if style == "utc" or (style == "mixed" and s.order.key % 3):
        return at.strftime("%Y-%m-%d %H:%M:%S UTC"), at
    local = at.astimezone(PARIS).replace(tzinfo=None, fold=0)
    text = local.strftime("%d/%m/%Y %H:%M:%S" if style == "legacy" else "%Y-%m-%d %H:%M:%S")
    return text, local.replace(tzinfo=PARIS).astimezone(UTC)


def transactions(
    login: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    etat: str = "vra",
    date_style: str = "mixed",
) -> list[Txn]:
    """The rows `requete.php` serves `login` for [start, end] (dates: Paris days)."""
    acct, ids = account("netaffiliation", login, spec), _campaign_ids(login, spec)
    site = str(feed.site_for(login))
    out = []
    for order in acct.between(*bounds(start, end, "Europe/Paris")):
        s = state(order, epoch)
        adv, letter = order.advertiser, LETTERS[s.status]
        if letter not in etat:
            continue
        text, moment = _moment(s, date_style)
        argsite = "&".join(order.click_refs) or None
        record = {
            "idcampagne": str(adv.id),
            "idprogramme": str(adv.id % 100000 + 3),
            "id": str(ids[order.seq]),
            "date": text,
            "etat": letter,
            "argsite": argsite or "",
            "argann": order.order_id,
            "montant": f"{s.sale_amount:.2f}",
            "gains": f"{s.commission_amount:.2f}",
            "taux": f"{adv.rate * 100:.2f}",
            "monnaie": adv.currency,
            "idsite": site,
        }
        status = "approved" if s.status == "paid" else s.status
        out.append(
            Txn(
                f"{adv.id}-{record['id']}",
                *(status, letter, moment, order.order_id, str(adv.id), adv.currency),
                *(s.sale_amount, s.commission_amount, argsite, record),
            )
        )
    return out


expected = transactions


def _connection(nickname: str, login: str, password: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {
            "login": login,
            "webservices_password": password,
            "xml_feed_url": feed.url_for(login),
            "tracking_feed_url": feed.links_url_for(login),
        },
        (login,),
        secret_key="webservices_password",
        transactions_path="/requete.php",
        status_field="etat",
        money_field="gains",
        order_field="argann",
    )


CONNECTIONS = (
    _connection("NetAffiliation", "editeur@example.fr", "Wb7kQ2xN4pLs"),
    _connection("NetAffiliation (second site)", "blog@example.org", "Hm3vT8cR1zYe"),
)


class NetAffiliationSandbox(NetworkSandbox):
    slug = "netaffiliation"
    retry_after = None  # no documented limit, no Retry-After
    extra_knobs = {"max_days": 92, "date_style": "mixed"}

    def __init__(self) -> None:
        super().__init__()
        self.logins: dict[str, str] = {}
        for login in (c.accounts[0] for c in CONNECTIONS):
            self.known(login)

    def known(self, login: str) -> None:
        """Remember a login's feed keys and site, which name it in feeds and link codes."""
        self.logins.setdefault(feed.key_for(login), login)
        self.logins.setdefault(feed.links_key_for(login), login)
        self.logins.setdefault(str(feed.site_for(login)), login)

    def error(self, request: Request, status: int, message: str) -> Response:
        if request.url.path in ("/flux_prog.php", "/xmltrack.php"):
            return Response(message, status, media_type="text/plain; charset=utf-8")
        if status in (400, 401, 403):  # what the service says in a body, at HTTP 200
            return status_text_body(ok=False, message=message)
        page = f"<html><body><h1>{status} {reason(status)}</h1></body></html>"
        return Response(page, status, media_type="text/html")

    async def authenticate(self, request: Request) -> Identity | Response:
        login = request.query_params.get("authl", "").strip()
        if not login or refused(request.query_params.get("authv")):
            return self.error(request, 401, BAD_LOGIN)
        self.known(login)
        return Identity(login)

    async def requete(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        if not {"debut", "fin", "etat", "champs"} & set(q):
            return status_text_body([])
        debut = params.day(q, "debut", message="2 Paramètre manquant ou invalide : debut")
        fin = params.day(q, "fin", message="2 Paramètre manquant ou invalide : fin")
        if fin < debut:
            raise ParamError("3 La date de fin précède la date de début")
        days = self.knob("max_days")
        params.window(debut, fin, days, message=f"3 Période trop longue : {days} jours maximum")
        etat = q.get("etat") or "vra"
        if set(etat) - set("vra"):
            raise ParamError(f"5 Etat inconnu : {etat}")
        champs = tuple(c.strip() for c in q["champs"].split(",")) if q.get("champs") else None
        for name in champs or ():
            if name not in COLUMNS:
                raise ParamError(f"4 Champ inconnu : {name}")
        rows = transactions(
            who.credential,
            self.epoch,
            self.spec,
            debut,
            fin,
            etat=etat,
            date_style=self.knob("date_style"),
        )
        # Text cells go out with HTML entities (`&amp;`); `Txn.record` holds them as read.
        lines = [{k: escape(v, quote=False) for k, v in t.record.items()} for t in rows]
        return status_text_body(lines, champs or DEFAULT_CHAMPS)

    def routes(self) -> list[BaseRoute]:
        feeds = feed.Feed(self)
        return [
            self.api("/requete.php", self.requete),
            self.api("/flux_prog.php", feeds.programs, authenticate=self.feed_key("taff")),
            self.api("/xmltrack.php", feeds.links, authenticate=self.feed_key("sec")),
        ]

    def feed_key(self, name: str) -> Callable[[Request], Awaitable[Identity | Response]]:
        """A feed's key (`taff`, `sec`) in the query names its publisher."""

        async def authenticate(request: Request) -> Identity | Response:
            key = request.query_params.get(name, "").strip()
            if refused(key):
                return self.error(request, 403, "Clé de flux invalide")
            return Identity(self.logins.get(key, key), details={name: key})

        return authenticate

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "action.metaffiliation.com" or path != "trk.php":
            return await super().click(request, host, path)
        q = request.query_params
        named = feed.read_link_code(q.get("mclic", ""))
        login = self.logins.get(str(named[1])) if named else None
        if named is None or login is None:
            return PlainTextResponse(f"unknown link code {q.get('mclic')!r}", status_code=404)
        return clicks.record(self, login, named[0], q.get("argsite"), q.get("redir"))


def build_app() -> Any:
    return NetAffiliationSandbox().app()
