"""The NetAffiliation programs feed, `GET /flux_prog.php?taff=<key>` (notes §3): a
`<listing>` of `<prog id etat="on|off">` with `<title>` (CDATA), `<link>` and
`<startdate date=".."/>`; an `off` campaign has empty children. The root name, the
ISO-8859-1 encoding and the date format are guesses the notes leave open."""

from __future__ import annotations

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


def key_for(login: str) -> str:
    """The publisher's personal feed key (`taff`)."""
    return f"{stable_int('netaffiliation-taff', login):016x}"


def url_for(login: str) -> str:
    return f"{HOST}/flux_prog.php?taff={key_for(login)}"


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
        body = "\n".join([*lines, "</listing>", ""]).encode("iso-8859-1", "xmlcharrefreplace")
        return Response(body, media_type="text/xml; charset=ISO-8859-1")
