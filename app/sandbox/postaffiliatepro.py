"""Post Affiliate Pro, one merchant's installation (notes: /work/notes/postaffiliatepro.md).

Everything is `POST /scripts/server.php` with `D=<json>` (`postaffiliatepro_rpc`). The
affiliate logs in with `Gpf_Api_AuthService.authenticate` (a wrong password is HTTP 200
`success: "N"`; the answer echoes the password) and sends the session id `S` inside each
later envelope; an unknown or expired session answers `{"type": "session"}`. Other
failures are HTTP 200 `[{"e": message}]`; over the hosted limits (500 requests in 30 s,
one grid a second per user) HTTP 429 without `Retry-After`.

One transaction per order (`rtype` S) in the installation's currency (knob `currency`),
`rstatus` A/P/D and `payoutstatus` P once paid; a partly returned order adds a refund
(`rtype` R) with negative amounts on its own date and the sale's status. Dates are naive
in the installation's timezone (knob `timezone`, default America/Los_Angeles).

The campaigns grid gives the affiliate's standing (`affstatus` A/P/D, empty for a campaign
never applied to) and PAP's `commissionsdetails` text; the banners grid one text link per
campaign with the merchant's page and the affiliate's click URL (`a_aid` = referral id).
`/scripts/click.php?a_aid=&a_cid=&data1=&desturl=` on any host is a click: `data1` comes
back as the sale's `lastclickdata1`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, refused
from app.sandbox.kit import Sessions, json_body
from app.sandbox.postaffiliatepro_records import (
    ZONE,
    affiliate_ids,
    all_rows,
    banners,
    campaigns,
    transactions,
)
from app.sandbox.postaffiliatepro_rpc import calls, envelope, form_answer, form_fields, grid
from app.sandbox.registry import SandboxConnection

SERVER = "/scripts/server.php"
CLICK = "scripts/click.php"
INSTALLATION = "demo.postaffiliatepro.com"
ID_RANGE = (30000000, 39999999)  # 8-character campaign ids, as PAP's
# The affiliate panels' default views (what a grid request without `columns` gets).
# fmt: off
VIEW = [
    "commission", "totalcost", "t_orderid", "productid", "dateinserted", "name", "rtype", "rstatus",
]
# fmt: on
CAMPAIGN_VIEW = ["name", "description", "rstatus", "affstatus", "commissionsdetails"]
BANNER_VIEW = ["name", "rtype", "destinationurl", "bannerclickurl"]

expected = transactions


def _connection(nickname: str, username: str, **extra: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {
            "username": username,
            "password": "demo-pap-password",
            "domain": INSTALLATION,
            "currency": "USD",
            **extra,
        },
        (username,),
        secret_key="password",
        transactions_path=SERVER,
        status_field="rstatus",
        money_field="commission",
        order_field="t_orderid",
    )


CONNECTIONS = (
    _connection("Post Affiliate Pro", "affiliate@demo-publisher.example"),
    _connection("Post Affiliate Pro (second login)", "blog@demo-publisher.example", timezone=ZONE),
)


class PostAffiliateProSandbox(NetworkSandbox):
    slug = "postaffiliatepro"
    rate_limits = {30: 500, 1: 1}  # per user; every call after the login is a grid
    retry_after = None
    extra_knobs = {"timezone": ZONE, "currency": "USD", "max_rows": 500, "login_pending": ""}

    def __init__(self) -> None:
        super().__init__()
        self.sessions = Sessions(
            self,
            cookie=None,
            ttl_seconds=1440,
            expired=lambda request: json_body({"type": "session"}),
            locate=self._session_id,
        )

    async def _session_id(self, request: Request) -> str | None:
        return str((await envelope(request)).get("S") or "") or None

    def error(self, request: Request, status: int, message: str) -> Response:
        if status == 429:
            return Response("Too Many Requests", 429, media_type="text/plain")
        if status >= 500:
            return Response(f"<html><body>{message}</body></html>", status, media_type="text/html")
        return json_body([{"e": message}])

    async def authenticate(self, request: Request) -> Identity | Response:
        try:
            env = await envelope(request)
        except ParamError as exc:
            return self.error(request, 400, exc.message)
        first = calls(env)[0]
        if first.get("C") == "Gpf_Api_AuthService":
            user = form_fields(first).get("username", "")
            return Identity(f"login:{user}")  # logged apart; not a grid call
        return await self.sessions.check(request)

    def login(self, call: dict[str, Any]) -> dict[str, Any]:
        fields = form_fields(call)
        user, password = fields.get("username", ""), fields.get("password", "")
        echo = [("correspondsApi", "N"), ("username", user), ("password", password)]
        echo += [("accountid", "default1"), ("rememberMe", "N"), ("language", "en-US")]
        if not user or refused(user) or refused(password) or fields.get("roleType") != "A":
            return form_answer(echo, False, "Wrong username/password")
        if pending := self.knob("login_pending"):
            return form_answer(echo, True, str(pending))
        session = self.sessions.start(user)
        self.state.store.setdefault("affiliates", set()).add(user)
        return form_answer([*echo, ("S", session.id)], True, "User authenticated. Logging in.")

    async def server(self, request: Request, who: Identity) -> Response:
        answers = []
        for call in calls(await envelope(request)):
            method = f"{call.get('C')}.{call.get('M')}"
            if method == "Gpf_Api_AuthService.authenticate":
                answers.append(self.login(call))
            elif method == "Pap_Affiliates_Reports_TransactionsGrid.getRows":
                tz, cur = self.knob("timezone"), self.knob("currency")
                rows = [t.record for t in all_rows(who.credential, self.epoch, self.spec, tz, cur)]
                answers.append(grid(call, rows, VIEW, self.knob("max_rows")))
            elif method == "Pap_Affiliates_Promo_CampaignsGrid.getRows":
                rows = campaigns(who.credential, self.spec, self.knob("currency"))
                answers.append(grid(call, rows, CAMPAIGN_VIEW, self.knob("max_rows")))
            elif method == "Pap_Affiliates_Promo_BannersGrid.getRows":
                rows = banners(who.credential, self.spec, INSTALLATION)
                answers.append(grid(call, rows, BANNER_VIEW, self.knob("max_rows")))
            else:
                answers.append({"e": f"Method {method} does not exist"})
        return json_body(answers)

    async def click(self, request: Request, host: str, path: str) -> Response:
        # Every installation serves its own click.php, whatever its domain.
        if path != CLICK:
            return await super().click(request, host, path)
        q = request.query_params
        wanted = q.get("a_aid", "")
        seen: set[str] = self.state.store.get("affiliates", set())
        user = next((u for u in sorted(seen) if wanted in affiliate_ids(u)), None)
        if user is None:
            return Response(f"unknown affiliate {wanted!r}", 404, media_type="text/plain")
        return clicks.record(self, user, q.get("a_cid"), q.get("data1"), q.get("desturl"))

    def routes(self) -> list[BaseRoute]:
        return [self.api(SERVER, self.server, ("POST",))]


def build_app() -> Any:
    return PostAffiliateProSandbox().app()
