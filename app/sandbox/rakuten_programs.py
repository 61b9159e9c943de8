"""Rakuten advertisers (`getMerchByAppStatus`, `advertisersearch`, XML) and deep links."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox.base import Identity
from app.sandbox.data import Advertiser, stable_int

if TYPE_CHECKING:
    from app.sandbox.rakuten import RakutenSandbox

NS = "http://endpoint.linkservice.linkshare.com/"
# Our relationship -> Rakuten application status (notjoined advertisers are not listed).
STATUS = {
    "joined": "approved",
    "pending": "pending",
    "rejected": "declined",
    "suspended": "temp removed",
}
KNOWN = (
    "approved",
    "pending",
    "declined",
    "approval extended",
    "wait",
    "temp removed",
    "temp rejected",
    "perm removed",
    "perm rejected",
    "self removed",
)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*/"


def encrypted_id(sid: str) -> str:
    """The publisher's 11-character id used in click links."""
    n = stable_int("rakuten-encid", sid)
    return "".join(ALPHABET[(n >> (6 * i)) % 64] for i in range(11))


def _xml(root: ET.Element) -> Response:
    return Response(
        ET.tostring(root, xml_declaration=True, encoding="utf-8"), media_type="application/xml"
    )


class Programs:
    def __init__(self, network: RakutenSandbox) -> None:
        self.n = network

    def _advertisers(self, who: Identity) -> tuple[Advertiser, ...]:
        return self.n.account(who.details["sid"]).advertisers

    async def by_status(self, request: Request, who: Identity) -> Response:
        wanted = request.path_params["status"].lower()
        if wanted not in KNOWN:
            return self.n.error(request, 400, f"Unknown application status '{wanted}'")
        # Literal "ns1:" tags: ElementTree reserves generated ns<N> prefixes for itself.
        root = ET.Element("ns1:getMerchByAppStatusResponse", {"xmlns:ns1": NS})
        for adv in self._advertisers(who):
            if STATUS.get(adv.relationship) != wanted:
                continue
            node = ET.SubElement(root, "ns1:return")
            values = {
                "applicationStatus": wanted.title(),
                "categories": "105 213",
                "mid": str(adv.id),
                "name": adv.name,
            }
            for tag, text in values.items():
                ET.SubElement(node, f"ns1:{tag}").text = text
            offer = ET.SubElement(node, "ns1:offer")
            terms = {
                "alsoName": adv.domain,
                "commissionTerms": f"sale : {adv.rate * 100:.0f}%",
                "offerId": str(600000 + adv.id % 100000),
                "offerName": "Default Offer",
            }
            for tag, text in terms.items():
                ET.SubElement(offer, f"ns1:{tag}").text = text
        return _xml(root)

    async def search(self, request: Request, who: Identity) -> Response:
        name = request.query_params.get("merchantname", "").lower()
        root = ET.Element("result")
        midlist = ET.SubElement(root, "midlist")
        for adv in self._advertisers(who):
            if name in adv.name.lower():
                merchant = ET.SubElement(midlist, "merchant")
                ET.SubElement(merchant, "mid").text = str(adv.id)
                ET.SubElement(merchant, "merchantname").text = adv.name
        return _xml(root)

    async def deep_link(self, request: Request, who: Identity) -> Response:
        try:
            body = json.loads(await request.body())
            url, mid = str(body["url"]), int(body["advertiser_id"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"errors": ["url and advertiser_id are required"]}, status_code=400)
        adv = next((a for a in self._advertisers(who) if a.id == mid), None)
        if adv is None or adv.relationship != "joined":
            return JSONResponse(
                {"errors": [f"You are not approved for advertiser {mid}"]}, status_code=400
            )
        if not adv.deeplinks:
            return JSONResponse(
                {"errors": [f"Advertiser {mid} does not allow deep links"]}, status_code=400
            )
        params = {"id": encrypted_id(who.details["sid"]), "mid": mid, "murl": url}
        if body.get("u1"):
            params["u1"] = body["u1"]
        link = "https://click.linksynergy.com/deeplink?" + urlencode(params)
        return JSONResponse(
            {
                "advertiser": {
                    "id": mid,
                    "name": adv.name,
                    "deep_link": {"url": url, "u1": body.get("u1"), "deep_link_url": link},
                }
            }
        )

    def routes(self) -> list[BaseRoute]:
        return [
            self.n.api("/linklocator/1.0/getMerchByAppStatus/{status}", self.by_status),
            self.n.api("/advertisersearch/1.0", self.search),
            self.n.api("/v1/links/deep_links", self.deep_link, ("POST",)),
        ]
