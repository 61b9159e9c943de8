"""NetAffiliation (Kwanko): the legacy publisher web services. Transactions come from the stat
service's `requete.php` as `OK n` then `;` lines in the order `champs` asks for, failures as
`KO <code> <text>`; programs from the user's own XML feed URL (notes/netaffiliation.md),
with the link codes of the tracking-links feed where the form has one (see
`netaffiliation_links`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.connectors import netaffiliation_links as links
from app.connectors.auth import AuthStrategy
from app.connectors.base import Connector, Scope, Verified, Window
from app.connectors.decoders import StatusBody, StatusText, Xml, as_list
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected, TransientError
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.mapping import Mapper
from app.connectors.paging import Records
from app.connectors.values import parse_time
from app.ledger.records import ProgramRecord, TransactionRecord
from app.links.domains import host_of, registrable
from app.links.format import LinkFormat, LinkRequest, SubIdRule, query

STAT = "https://stat.netaffiliation.com"
# Always asked for explicitly: without `champs` the service picks its own columns.
CHAMPS = "idcampagne,id,date,etat,montant,gains,monnaie,argsite,argann,idsite"
COLUMNS = tuple(CHAMPS.split(","))
# The letters `etat` carries; the words, in case a field ever spells them out.
STATUSES = dict.fromkeys(("v", "valide", "validé"), "approved")
STATUSES |= dict.fromkeys(("a", "attente", "en attente"), "pending")
STATUSES |= dict.fromkeys(("r", "refuse", "refusé"), "declined")
PARIS = "Europe/Paris"
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")  # the second: clients before 2017
BAD_LOGIN = re.compile(r"(?i)authentif|identifiant|mot de passe|password|\bauth[lv]?\b")
TEMPORARY = re.compile(r"(?i)temporair|temporar|maintenance|surcharg|overload|try again|réessay")
ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
FEED = Xml()
# The programs feed's `etat`: `on` while the site is on the program, `off` otherwise (not
# yet accepted, refused or left: the feed does not say which).
RELATIONSHIPS = {"on": "joined", "off": "not_joined"}


class WebServiceKeys(AuthStrategy):
    """`authl` (the login) and `authv` (the web-services password) in the stat service's
    query; never on the feed, whose host the user typed."""

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        if spec.user_host:
            return spec
        return spec.with_params(
            authl=credentials["login"], authv=credentials["webservices_password"]
        )

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials["login"]


class NetAffiliation(Connector):
    slug = "netaffiliation"
    name = "NetAffiliation (Kwanko)"
    base_url = STAT
    auth = WebServiceKeys()
    decoder = StatusText(delimiter=";", columns=COLUMNS)
    timezone = PARIS
    concurrency = 1  # no documented limit: one request at a time
    relationships = RELATIONSHIPS
    links = LinkFormat(
        "template",
        # Kwanko takes 8,000 characters in `argsite`, but advises keeping a click URL under
        # 2,048 for browsers, and the destination rides in the same URL: 255 leaves room.
        SubIdRule("argsite", 255),
        hosts=("action.metaffiliation.com",),
    )
    credentials_hint = (
        "Check the web-services login (usually your account e-mail) and the web-services "
        "password created in your NetAffiliation (Kwanko) account under Tools, then "
        "Deduplication, then Web Services (it is not the password you sign in with)."
    )

    def __init__(self, credentials: Mapping[str, str], http: NetworkHttp) -> None:
        super().__init__(credentials, http)
        self._generic: dict[str, list[str]] | None = None

    async def scopes(self) -> list[Scope]:
        return [Scope(self.credentials["login"])]

    def transactions_request(self, scope: Scope, window: Window) -> RequestSpec:
        return RequestSpec(
            "GET",
            self.url("/requete.php"),
            {
                "debut": window.start.strftime("%Y-%m-%d"),
                "fin": window.last_second.strftime("%Y-%m-%d"),  # `fin` is inclusive
                "etat": "vra",
                "champs": CHAMPS,
            },
        )

    def parse(self, response: httpx.Response) -> Any:
        stat = response.request.url.path.endswith("/requete.php")
        content = response.content
        if stat:  # entities end in `;`, the separator: decode them before the lines are split
            text = _unescape(content.decode("utf-8", "surrogateescape"), keep=";\r\n")
            content = text.encode("utf-8", "surrogateescape")
        try:
            return (self.decoder if stat else FEED).decode(
                content, response.headers.get("content-type", "")
            )
        except ValueError as exc:
            snippet = self.http.scrub(response.text[:200])
            kind = "status text" if stat else "XML"
            raise BadPayload(
                self.slug, f"{self.name} sent a body that is not valid {kind} ({exc}): {snippet!r}"
            ) from exc

    def check(self, payload: Any) -> None:
        if not isinstance(payload, StatusBody):
            return
        if not payload.ok:
            said = self.http.scrub(f"KO {payload.message}")
            if BAD_LOGIN.search(payload.message):
                raise CredentialsRejected(self.slug, said)
            if TEMPORARY.search(payload.message):
                raise TransientError(self.slug, said)
            raise RequestRejected(self.slug, f"{self.name} refused the request: {said}")
        if payload.count is not None and payload.count != len(payload.rows):
            raise BadPayload(
                self.slug,
                f"{self.name} announced {payload.count} lines and sent {len(payload.rows)}",
            )

    def extract(self, payload: Any) -> list[dict[str, Any]]:
        return list(payload.rows) if isinstance(payload, StatusBody) else []  # type: ignore[arg-type]

    def map_transaction(self, record: dict[str, Any], scope: Scope) -> TransactionRecord:
        m = Mapper(self.slug, record)
        campaign = m.required_text("idcampagne")
        status, word = m.status("etat", STATUSES)
        event_at, zone = _event_time(m)
        argsite = m.text("argsite")
        return TransactionRecord(
            external_id=f"{campaign}-{m.required_text('id')}",  # ids repeat across campaigns
            status=status,
            network_status=word,
            event_at=event_at,
            commission_amount=_commission(m),
            sale_amount=_money(m, "montant"),
            currency=m.currency("monnaie", "EUR"),
            order_id=m.text("argann"),
            click_ref=argsite,
            sub_ids={"argsite": argsite} if argsite else {},
            advertiser_id=campaign,
            source_timezone=zone,
            raw=record,
        )

    async def verify(self) -> Verified:
        today = datetime.now(ZoneInfo(self.zone)).strftime("%Y-%m-%d")
        spec = RequestSpec("GET", self.url("/requete.php"), {"debut": today, "fin": today})
        await self.request(spec.with_params(etat="vra", champs=CHAMPS))
        return Verified(True, await self.accounts(), f"{self.name} accepted the web-services login")

    def programs_request(self, scope: Scope) -> RequestSpec | None:
        feed = (self.credentials.get("xml_feed_url") or "").strip()
        return RequestSpec("GET", feed, user_host=True) if feed else None

    def extract_programs(self, payload: Any) -> list[dict[str, Any]]:
        if payload is None:
            return []
        if not isinstance(payload, dict):
            raise BadPayload(self.slug, f"{self.name} feed has no <prog> elements")
        return [p for p in as_list(payload.get("prog")) if isinstance(p, dict)]

    async def fetch_programs(self, spec: RequestSpec) -> tuple[Any, Records]:
        payload, records = await super().fetch_programs(spec)
        # The programs feed has no link codes: carry over each program's generic links.
        found = await self.generic_links()
        return payload, [{**r, "generic_links": found.get(str(r.get("@id")), [])} for r in records]

    async def generic_links(self) -> dict[str, list[str]]:
        """The tracking-links feed's generic links by program id, read once per connector
        (none when the form has no tracking-links feed)."""
        if self._generic is None:
            feed = (self.credentials.get("tracking_feed_url") or "").strip()
            payload = await self.request(RequestSpec("GET", feed, user_host=True)) if feed else None
            programs = self.extract_programs(payload)
            self._generic = {
                Mapper(self.slug, p).required_text("@id"): links.tracks(p) for p in programs
            }
        return self._generic

    def map_program(self, record: dict[str, Any]) -> ProgramRecord:
        m = Mapper(self.slug, record)
        generic = links.GenericLinks(tuple(map(str, record.get("generic_links") or ())))
        site = host_of(m.text("link"))
        return ProgramRecord(
            external_id=m.required_text("@id"),
            name=m.text("title"),
            # `<link>` is the merchant's site, unless a feed ever gives a tracking link there.
            domains=(site,) if site and registrable(site) != "metaffiliation.com" else (),
            network_relationship=(m.text("@etat") or "").lower() or None,
            deeplinks=generic.deeplinks,
            link_token=generic.code,
            tracking_url=generic.home,
        )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        assert request.program is not None
        code = request.program.link_token
        if not code:
            raise links.no_code(request.program)
        return f"{links.CLICK}?" + query(
            ("mclic", code), ("argsite", request.sub_id), ("redir", request.destination)
        )


def _unescape(text: str, keep: str) -> str:
    """`&amp;`, `&#233;`… decoded (only with their `;`), except those giving a `keep` char
    (an encoded `;` or line end would split what it belongs to)."""

    def one(entity: re.Match[str]) -> str:
        char = unescape(entity[0])
        return entity[0] if set(char) & set(keep) else char

    return ENTITY.sub(one, text)


def _money(m: Mapper, path: str, *, required: bool = False) -> Decimal | None:
    """`.` is the decimal point; a lone `,` is one too (never a thousands separator here)."""
    raw = m.text(path) or ""
    comma = "," in raw and "." not in raw
    return m.money(path, required=required, decimal_comma=True if comma else None)


def _commission(m: Mapper) -> Decimal:
    value = _money(m, "gains", required=True)
    assert value is not None  # required
    return value


def _event_time(m: Mapper) -> tuple[datetime, str]:
    """`YYYY-MM-DD HH:MM:SS UTC` is UTC; without the suffix the time is Paris time."""
    raw = m.required_text("date").strip()
    utc = raw.upper().endswith(" UTC")
    zone = "UTC" if utc else PARIS
    try:
        return parse_time(raw[:-4] if utc else raw, zone, formats=TIME_FORMATS), zone
    except ValueError as exc:
        raise m.fail("date", f"is not a date/time: {raw[:40]!r}") from exc
