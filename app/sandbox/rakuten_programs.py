"""Rakuten partnerships (`/v1/partnerships`, JSON), advertisers (`getMerchByAppStatus`,
`advertisersearch`, XML) and the Deep Links API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox.base import Identity, ParamError
from app.sandbox.data import Advertiser

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
# Our relationship -> the partnership status `/v1/partnerships` reports (every advertiser
# of a sandbox site has applied; the not-joined one has since left).
PARTNERSHIP = {
    "joined": "active",
    "pending": "pending",
    "rejected": "permanent-decline",
    "suspended": "temp-remove",
    "notjoined": "self-removed",
}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*/"
MASK = 0x2F6B_93D1_0A4C_E857


def encrypted_id(sid: str) -> str:
    """The publisher's 11-character id used in click links (the sandbox can read the site
    back from it, as Rakuten's click server does)."""
    n = int(sid) ^ MASK
    return "".join(ALPHABET[(n >> (6 * i)) % 64] for i in range(11))


def site_of(encrypted: str) -> str | None:
    """The SID behind an encrypted id, or None for one the sandbox did not issue."""
    if len(encrypted) != 11 or any(c not in ALPHABET for c in encrypted):
        return None
    n = sum(ALPHABET.index(c) << (6 * i) for i, c in enumerate(encrypted)) ^ MASK
    return str(n) if 0 < n < 10**12 else None


def _xml(root: ET.Element) -> Response:
    return Response(
        ET.tostring(root, xml_declaration=True, encoding="utf-8"), media_type="application/xml"
    )


def _invalid(message: str) -> Response:
    return JSONResponse({"message": message, "error": "REQUEST_PARAM_INVALID"}, status_code=400)


def _partnership(adv: Advertiser, status: str) -> dict[str, Any]:
    day = f"2024-{1 + adv.index % 12:02d}-{1 + adv.id % 28:02d}T09:30:00Z"
    return {
        "advertiser": {
            "id": adv.id,
            "network": 3 if adv.country == "GB" else 1,
            "name": adv.name,
            "status": "active",
            "categories": ["Apparel", "Home Goods"][: 1 + adv.index % 2],
            "details": f"/v2/advertisers/{adv.id}",
        },
        "status": status,
        "status_update_datetime": day,
        "approve_datetime": day if status == "active" else None,
        "apply_datetime": day,
        "offers": f"/v1/offers/offer_status=active&advertiser={adv.id}",
    }


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

    async def partnerships(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        status = q.get("partner_status")
        if status is not None and status not in set(PARTNERSHIP.values()) | {"extended"}:
            raise ParamError(f"invalid partner_status '{status}'")
        try:
            limit, page = int(q.get("limit", "10")), int(q.get("page", "1"))
        except ValueError:
            raise ParamError("limit and page must be integers") from None
        if not 1 <= limit <= 200:
            return _invalid("limit must be between 1 and 200")
        if not 1 <= page <= 1000:
            return _invalid("page must be between 1 and 1000")
        rows = [
            _partnership(adv, PARTNERSHIP[adv.relationship])
            for adv in self._advertisers(who)
            if status in (None, PARTNERSHIP[adv.relationship])
        ]
        links = {
            "self": f"/v1/partnerships?page={page}&limit={limit}",
            "prev": f"/v1/partnerships?page={page - 1}&limit={limit}" if page > 1 else None,
            "next": f"/v1/partnerships?page={page + 1}&limit={limit}"
            if page * limit < len(rows)
            else None,
        }
        return JSONResponse(
            {
                "_metadata": {
                    "api_name_version": "partnerships-v1.0.0",
                    "page": page,
                    "limit": limit,
                    "total": len(rows),
                    "_links": {k: v for k, v in links.items() if v},
                },
                "partnerships": rows[(page - 1) * limit : page * limit],
            }
        )

    async def advertiser(self, request: Request, who: Identity) -> Response:
        raw = request.path_params["advertiser_id"]
        adv = next((a for a in self._advertisers(who) if str(a.id) == raw), None)
        if adv is None:
            return JSONResponse(
                {"message": f"advertiser {raw} not found", "error": "NOT_FOUND"}, status_code=404
            )
        return JSONResponse(
            {
                "_metadata": {
                    "api_name_version": "advertisers-v2.0.0",
                    "_links": {"self": f"/v2/advertisers/{adv.id}"},
                },
                "advertiser": {
                    "id": adv.id,
                    "can_partner": adv.relationship == "notjoined",
                    "name": adv.name,
                    "url": f"https://www.{adv.domain}",
                    "description": f"{adv.name}: shop online.",
                    "policies": {"international_capabilities": {"ships_to": [adv.country]}},
                    "features": {
                        "premium_advertiser": False,
                        "product_feed": True,
                        "media_opt_report": False,
                        "cross_device_tracking": True,
                        "deep_links": adv.deeplinks,
                        "itp_compliant": True,
                    },
                },
            }
        )

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
            self.n.api("/v1/partnerships", self.partnerships),
            self.n.api("/v2/advertisers/{advertiser_id}", self.advertiser),
            self.n.api("/linklocator/1.0/getMerchByAppStatus/{status}", self.by_status),
            self.n.api("/advertisersearch/1.0", self.search),
            self.n.api("/v1/links/deep_links", self.deep_link, ("POST",)),
        ]
