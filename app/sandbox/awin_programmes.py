"""Awin programmes, programme details, commission groups and the link builder."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox.awin_records import GROUP_NAMES, group_id
from app.sandbox.base import Identity
from app.sandbox.data import Advertiser, stable_int

if TYPE_CHECKING:
    from app.sandbox.awin import AwinSandbox

RELATIONSHIPS = ("joined", "pending", "suspended", "rejected", "notjoined")
COUNTRIES = {
    "GB": "United Kingdom",
    "FR": "France",
    "US": "United States",
    "DE": "Germany",
    "SE": "Sweden",
    "CA": "Canada",
    "AU": "Australia",
    "CH": "Switzerland",
    "PL": "Poland",
    "ES": "Spain",
    "NL": "Netherlands",
    "IE": "Ireland",
}
CLICKREFS = ("clickref", "clickref2", "clickref3", "clickref4", "clickref5", "clickref6")


def programme(adv: Advertiser, publisher_id: int) -> dict[str, Any]:
    return {
        "id": adv.id,
        "name": adv.name,
        "description": f"{adv.name}: shop online.",
        "displayUrl": f"https://www.{adv.domain}",
        "clickThroughUrl": f"https://www.awin1.com/awclick.php?mid={adv.id}&id={publisher_id}",
        "logoUrl": f"https://ui.awin.com/images/upload/merchant/profile/{adv.id}.png",
        "primaryRegion": {"countryCode": adv.country, "name": COUNTRIES[adv.country]},
        "currencyCode": adv.currency,
        "primarySector": "Retail",
        "status": "Active",
        "validDomains": [{"domain": f"www.{adv.domain}"}, {"domain": adv.domain}],
    }


def tracking_url(adv_id: int, publisher_id: int, body: dict[str, Any]) -> str:
    params: dict[str, Any] = {"awinmid": adv_id, "awinaffid": publisher_id}
    extra = body.get("parameters") or {}
    for key in ("campaign", *CLICKREFS):
        if extra.get(key):
            params[key] = extra[key]
    if body.get("destinationUrl"):
        params["ued"] = body["destinationUrl"]
    return "https://www.awin1.com/cread.php?" + urlencode(params)


class Programmes:
    def __init__(self, network: AwinSandbox) -> None:
        self.n = network

    def _advertiser(self, request: Request, pid: int, raw: Any) -> Advertiser | Response:
        if raw is None or not str(raw).isdigit():
            return self.n.error(request, 400, "advertiserId is required and must be numeric")
        adv = self.n.account(str(pid)).advertiser(int(raw))
        if adv is None:
            return self.n.error(request, 404, f"Advertiser {raw} not found")
        return adv

    def _requested(self, request: Request, who: Identity) -> tuple[int, Advertiser] | Response:
        """The publisher and the `advertiserId` a per-advertiser call names, or the error."""
        pid = self.n.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        adv = self._advertiser(request, pid, request.query_params.get("advertiserId"))
        if isinstance(adv, Response):
            return adv
        return pid, adv

    async def programmes(self, request: Request, who: Identity) -> Response:
        pid = self.n.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        relationship = request.query_params.get("relationship")
        country = request.query_params.get("countryCode")
        if relationship is not None and relationship not in RELATIONSHIPS:
            return self.n.error(request, 400, f"Invalid relationship '{relationship}'")
        return JSONResponse(
            [
                programme(a, pid)
                for a in self.n.account(str(pid)).advertisers
                if relationship in (None, a.relationship) and country in (None, a.country)
            ]
        )

    async def details(self, request: Request, who: Identity) -> Response:
        found = self._requested(request, who)
        if isinstance(found, Response):
            return found
        pid, adv = found
        rate = float(adv.rate * 100)
        return JSONResponse(
            {
                "programmeInfo": programme(adv, pid),
                "kpi": {
                    "averagePaymentTime": "30 days",
                    "approvalPercentage": 85.0,
                    "epc": 0.12,
                    "conversionRate": 3.1,
                    "validationDays": 30,
                    "awinIndex": 1.2,
                },
                "commissionRange": [{"min": rate, "max": rate * 1.5, "type": "percentage"}],
            }
        )

    async def groups(self, request: Request, who: Identity) -> Response:
        found = self._requested(request, who)
        if isinstance(found, Response):
            return found
        pid, adv = found
        rates = {"DEFAULT": adv.rate * 100, "NEWCUSTOMER": adv.rate * 150, "ZERO": Decimal(0)}
        return JSONResponse(
            {
                "advertiser": adv.id,
                "publisher": pid,
                "commissionGroups": [
                    {
                        "groupId": group_id(adv.id, code),
                        "groupCode": code,
                        "groupName": name,
                        "type": "percentage",
                        "percentage": float(rates[code]),
                    }
                    for code, name in GROUP_NAMES.items()
                ],
            }
        )

    def _link(self, pid: int, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not str(body.get("advertiserId", "")).isdigit():
            return 400, {"advertiserId": "required"}
        adv = self.n.account(str(pid)).advertiser(int(body["advertiserId"]))
        if adv is None or adv.relationship != "joined":
            return 400, {"advertiserId": "notJoined"}
        if body.get("destinationUrl") and not adv.deeplinks:
            return 400, {"destinationUrl": "deeplinkNotPermitted"}
        out = {"url": tracking_url(adv.id, pid, body)}
        if body.get("shorten"):
            out["shortUrl"] = f"https://tidd.ly/{stable_int(out['url']) % 36**6:x}"
        return 200, out

    async def generate(self, request: Request, who: Identity) -> Response:
        pid = self.n.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        try:
            body = await request.json()
        except ValueError:
            return self.n.error(request, 400, "The body must be JSON")
        status, out = self._link(pid, body)
        return JSONResponse(out, status_code=status)

    async def generate_batch(self, request: Request, who: Identity) -> Response:
        pid = self.n.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        try:
            requests = (await request.json())["requests"]
        except (ValueError, KeyError, TypeError):
            return self.n.error(request, 400, 'The body must be {"requests": [...]}')
        if not isinstance(requests, list) or len(requests) > 100:
            return self.n.error(request, 400, "requests must be a list of at most 100")
        responses = []
        for item in requests:
            plain = (
                {k: v for k, v in item.items() if k != "shorten"}
                if isinstance(item, dict)
                else item
            )
            status, out = self._link(pid, plain)
            responses.append({"status": status, "body": out, "request": item})
        return JSONResponse({"responses": responses})

    def routes(self) -> list[BaseRoute]:
        base = "/publishers/{publisher_id}"
        return [
            self.n.api(f"{base}/programmes", self.programmes),
            self.n.api(f"{base}/programmedetails", self.details),
            self.n.api(f"{base}/commissiongroups", self.groups),
            self.n.api(f"{base}/linkbuilder/generate", self.generate, ("POST",)),
            self.n.api(f"{base}/linkbuilder/generate-batch", self.generate_batch, ("POST",)),
        ]
