"""The NetAffiliation feeds on `flux.netaffiliation.com`.

The programs feed, `GET /flux_prog.php?taff=<key>` (notes §3): a `<listing>` of `<prog id
etat="on|off">` with `<title>` (CDATA), `<link>` and `<startdate date=".."/>`; an `off`
campaign has empty children. The root name, the ISO-8859-1 encoding and the date format are
guesses the notes leave open.

The tracking-links feed, `GET /xmltrack.php?sec=<key>&site=<site id>&supp=liens_generiques`
(as public clients read it): a `<listing>` of the site's joined programs, each
`<tags><liens_generiques><element>` with `<track>` CDATA links
`https://action.metaffiliation.com/trk.php?mclic=<code>`, and one ending
`&redir={XXX}` where the program takes deep links. The link code is ours: `P`, the program
id and `S`, the site id in hex, then a check and `V4`, so a click names both.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.base import Identity
from app.sandbox.data import stable_int

if TYPE_CHECKING:
    from app.sandbox.netaffiliation import NetAffiliationSandbox

HOST = "http://flux.netaffiliation.com"
CLICK = "https://action.metaffiliation.com/trk.php"
CODE = re.compile(r"P([0-9A-F]+)S([0-9A-F]+)U[0-9A-F]{4}V4")


def key_for(login: str) -> str:
    """The publisher's personal feed key (`taff`)."""
    return f"{stable_int('netaffiliation-taff', login):016x}"


def url_for(login: str) -> str:
    return f"{HOST}/flux_prog.php?taff={key_for(login)}"


def site_for(login: str) -> int:
    """The publisher's site id (`idsite`)."""
    return 500000 + stable_int("netaffiliation-site", login) % 100000


def links_key_for(login: str) -> str:
    """The publisher's personal tracking-links feed key (`sec`)."""
    return f"{stable_int('netaffiliation-sec', login):022X}"


def links_url_for(login: str) -> str:
    query = f"sec={links_key_for(login)}&site={site_for(login)}&supp=liens_generiques"
    return f"{HOST}/xmltrack.php?{query}"


def link_code(program_id: int, site: int) -> str:
    return f"P{program_id:X}S{site:X}U{stable_int('mclic', program_id, site) % 0x10000:04X}V4"


def read_link_code(code: str) -> tuple[int, int] | None:
    """The (program id, site id) a link code names, or None for one that is not ours."""
    found = CODE.fullmatch(code)
    if found is None or link_code(int(found[1], 16), int(found[2], 16)) != code:
        return None
    return int(found[1], 16), int(found[2], 16)


class Feed:
    def __init__(self, network: NetAffiliationSandbox) -> None:
        self.n = network

    async def programs(self, request: Request, who: Identity) -> Response:
        lines = ['<?xml version="1.0" encoding="ISO-8859-1"?>', "<listing>"]
        for adv in self.n.account(who.credential).advertisers:
            head = f"  <prog id={quoteattr(str(adv.id))} etat="
            if adv.relationship != "joined":
                lines += [f'{head}"off">', "    <title/>", "    <link/>"]
                lines += ['    <startdate date=""/>', "  </prog>"]
                continue
            since = self.n.spec.today - timedelta(days=400 + stable_int(adv.id) % 2000)
            title = adv.name.replace("]]>", "]]&gt;")
            lines += [f'{head}"on">', f"    <title><![CDATA[{title}]]></title>"]
            lines += [f"    <link>https://www.{adv.domain}/</link>"]
            lines += [f'    <startdate date="{since.isoformat()}"/>', "  </prog>"]
        return _xml(lines)

    async def links(self, request: Request, who: Identity) -> Response:
        """The joined programs' generic links for the site `site`, when `supp` asks for them."""
        q = request.query_params
        site = site_for(who.credential)
        if q.get("site") != str(site):
            return self.n.error(request, 403, f"Site inconnu : {q.get('site') or '(aucun)'}")
        generic = "liens_generiques" in q.get("supp", "").split(",")
        lines = ['<?xml version="1.0" encoding="ISO-8859-1"?>', "<listing>"]
        for adv in self.n.account(who.credential).advertisers:
            if adv.relationship != "joined":
                continue
            lines.append(f"  <prog id={quoteattr(str(adv.id))}>")
            if generic:
                plain = f"{CLICK}?mclic={link_code(adv.id, site)}"
                tracks = [plain, f"{plain}&redir={{XXX}}"] if adv.deeplinks else [plain]
                lines += ["    <tags><liens_generiques><element>"]
                lines += [f"      <track><![CDATA[{t}]]></track>" for t in tracks]
                lines += ["    </element></liens_generiques></tags>"]
            else:
                lines.append("    <tags/>")
            lines.append("  </prog>")
        return _xml(lines)


def _xml(lines: list[str]) -> Response:
    body = "\n".join([*lines, "</listing>", ""]).encode("iso-8859-1", "xmlcharrefreplace")
    return Response(body, media_type="text/xml; charset=ISO-8859-1")
