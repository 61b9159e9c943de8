"""CJ advertiser lookup (REST, XML): `GET /v2/advertiser-lookup` (and `/v3/`, which some
clients call), as served by advertiser-lookup.api.cj.com: each action's commission as
CJ words it ("8.00%", "USD 0.50"), and the link types the advertiser allows ("DeepLink"
where it takes deep links)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox.base import Identity, refused
from app.sandbox.data import Advertiser, stable_int

if TYPE_CHECKING:
    from app.sandbox.cj import CJSandbox

XML = "application/xml"
CATEGORIES = {"GB": ("Clothing/Apparel", "Outdoors"), "US": ("Computer & Electronics", "Gadgets")}


def xml_error(status: int, message: str) -> Response:
    root = ET.Element("cj-api")
    ET.SubElement(root, "error-message").text = message
    return Response(
        ET.tostring(root, xml_declaration=True, encoding="utf-8"), status, media_type=XML
    )


def _advertiser(parent: ET.Element, adv: Advertiser) -> None:
    node = ET.SubElement(parent, "advertiser")
    parent_cat, child_cat = CATEGORIES.get(adv.country, ("Department Stores/Malls", "Online"))
    values = {
        "advertiser-id": str(adv.id),
        "account-status": "Active",
        "seven-day-epc": f"{adv.rate * 20:.2f}",
        "three-month-epc": f"{adv.rate * 30:.2f}",
        "language": "en",
        "advertiser-name": adv.name,
        "program-url": f"https://www.{adv.domain}",
        "relationship-status": "joined" if adv.relationship == "joined" else "notjoined",
        "mobile-tracking-certified": "true",
        "network-rank": str(1 + adv.index % 5),
    }
    for tag, text in values.items():
        ET.SubElement(node, tag).text = text
    category = ET.SubElement(node, "primary-category")
    ET.SubElement(category, "parent").text = parent_cat
    ET.SubElement(category, "child").text = child_cat
    ET.SubElement(node, "performance-incentives").text = "false"
    actions = ET.SubElement(node, "actions")
    sale = 300000 + adv.id % 100000
    _action(actions, "Online Sale", sale, f"{adv.rate * 100:.2f}%", f"{adv.rate * 50:.2f}%")
    if adv.index % 3 == 0:  # some programs also pay a flat amount per lead
        _action(actions, "Newsletter Signup", 400000 + adv.id % 100000, f"{adv.currency} 0.50")
    kinds = ET.SubElement(node, "link-types")
    for kind in ("Text Link", "Banner", *(("DeepLink", "OtherDeepLink") if adv.deeplinks else ())):
        ET.SubElement(kinds, "link-type").text = kind


def _action(
    parent: ET.Element, name: str, action_id: int, rate: str, clearance: str | None = None
) -> None:
    action = ET.SubElement(parent, "action")
    ET.SubElement(action, "name").text = name
    ET.SubElement(action, "type").text = "advanced sale" if rate.endswith("%") else "lead"
    ET.SubElement(action, "id").text = str(action_id)
    commission = ET.SubElement(action, "commission")
    if clearance:  # an item list: products paid at their own rate
        ET.SubElement(commission, "itemlist", name="CLEARANCE", id=str(action_id)).text = clearance
    ET.SubElement(commission, "default").text = rate


class Lookup:
    def __init__(self, network: CJSandbox) -> None:
        self.n = network

    async def authenticate(self, request: Request) -> Identity | Response:
        header = request.headers.get("authorization", "").strip()
        if not header:
            return xml_error(401, "You must provide an Authorization header.")
        bearer = header.lower().startswith("bearer ")
        key = header[7:].strip() if bearer else header
        if refused(key):
            return xml_error(401, "The Authorization header is not valid.")
        # A legacy developer key ("Authorization: <key>", no Bearer) needs no requestor-cid.
        return Identity(key, details={"kind": "pat" if bearer else "developer-key"})

    async def lookup(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        cid = q.get("requestor-cid")
        if cid is None and who.details["kind"] == "pat":
            return xml_error(
                400,
                "You must specify the company making this request using "
                "the 'requestor-cid' parameter.",
            )
        cid = cid or str(1_000_000 + stable_int("cj-devkey", who.credential) % 9_000_000)
        if not cid.isdigit() or self.n.foreign(cid):
            return xml_error(403, f"Not authorized to make requests for company {cid}.")
        try:
            per_page = min(100, max(1, int(q.get("records-per-page", "25"))))
            page = max(1, int(q.get("page-number", "1")))
        except ValueError:
            return xml_error(400, "records-per-page and page-number must be numbers.")
        wanted = q.get("advertiser-ids", "joined")
        advertisers = self.n.account(cid).advertisers
        if wanted in ("joined", "notjoined"):
            matched = [
                a for a in advertisers if (a.relationship == "joined") == (wanted == "joined")
            ]
        else:
            ids = {i.strip() for i in wanted.split(",")}
            matched = [a for a in advertisers if str(a.id) in ids]
        if name := q.get("advertiser-name"):
            matched = [a for a in matched if name.lower() in a.name.lower()]
        chunk = matched[(page - 1) * per_page : page * per_page]
        root = ET.Element("cj-api")
        node = ET.SubElement(
            root,
            "advertisers",
            {
                "total-matched": str(len(matched)),
                "records-returned": str(len(chunk)),
                "page-number": str(page),
            },
        )
        for adv in chunk:
            _advertiser(node, adv)
        return Response(ET.tostring(root, xml_declaration=True, encoding="utf-8"), media_type=XML)

    def routes(self) -> list[BaseRoute]:
        return [
            self.n.api(f"/{version}/advertiser-lookup", self.lookup, authenticate=self.authenticate)
            for version in ("v2", "v3")
        ]
