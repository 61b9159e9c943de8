"""Post Affiliate Pro's RPC envelope and affiliate login (notes: /work/notes/postaffiliatepro.md).

Every call is `POST https://<domain>/scripts/server.php` with one form field, `D`, holding
`{"C": "Gpf_Rpc_Server", "M": "run", "requests": [...], "S": <session>}`. The login is
`Gpf_Api_AuthService.authenticate` as an affiliate; its answer echoes the password in
plain text, so nothing here ever puts a login body into a message or a log line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import httpx

from app.connectors.auth import Custom, LoginSession
from app.connectors.errors import BadPayload, CredentialsRejected, RateLimited, classify_status
from app.connectors.http import NetworkHttp, RequestSpec, retry_after_seconds

SERVER = "/scripts/server.php"


def server_url(credentials: Mapping[str, str]) -> str:
    return f"https://{credentials['domain']}{SERVER}"


def rpc(url: str, call: dict[str, Any]) -> RequestSpec:
    """One sub-request in the dispatcher's envelope, as the form field `D`."""
    envelope = {"C": "Gpf_Rpc_Server", "M": "run", "requests": [call]}
    return RequestSpec("POST", url, data={"D": json.dumps(envelope)}, user_host=True)


def edit(spec: RequestSpec, change: Callable[[dict[str, Any]], None]) -> RequestSpec:
    """`spec` with its `D` envelope changed in place by `change`."""
    envelope = json.loads((spec.data or {})["D"])
    change(envelope)
    return replace(spec, data={**(spec.data or {}), "D": json.dumps(envelope)})


def call_field(name: str) -> Callable[[RequestSpec, Any], RequestSpec]:
    """A paging slot: a parameter of the (only) sub-request, e.g. `offset`, `limit`."""
    return lambda spec, value: edit(spec, lambda env: env["requests"][0].__setitem__(name, value))


def sent_call(request: httpx.Request) -> dict[str, Any]:
    """The sub-request a response answers, read back from the form it was sent with."""
    envelope = json.loads(parse_qs(request.content.decode())["D"][0])
    call: dict[str, Any] = envelope["requests"][0]
    return call


def form_fields(table: Any) -> dict[str, Any]:
    """A form answer's `fields` table (row 0 is the header) as name -> value."""
    if not isinstance(table, list):
        return {}
    return {row[0]: row[1] for row in table[1:] if isinstance(row, list) and len(row) >= 2}


def _with_session(spec: RequestSpec, session: str) -> RequestSpec:
    return edit(spec, lambda env: env.__setitem__("S", session))


class AffiliateLogin(LoginSession):
    """`Gpf_Api_AuthService.authenticate` with roleType A; the session id `S` from the
    answer travels inside every later envelope (no cookie)."""

    place = Custom(_with_session)
    # PHP drops an idle session after 1440 s by default; renew before that.
    session_seconds = 1200

    def login_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        fields: list[list[str | None]] = [["name", "value", "values", "error"]]
        fields += [
            [name, value, None, ""]
            for name, value in (
                ("username", credentials["username"]),
                ("password", credentials["password"]),
                ("roleType", "A"),
                ("isFromApi", "Y"),
            )
        ]
        call = {"C": "Gpf_Api_AuthService", "M": "authenticate", "fields": fields}
        return rpc(server_url(credentials), call)

    def _answer(self, http: NetworkHttp, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = json.loads(response.content)
        except ValueError:
            answer = None
        if not (isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict)):
            # No snippet: a login body carries the password.
            raise BadPayload(
                http.network,
                f"{response.request.url.host}{SERVER} did not answer the login as Post "
                "Affiliate Pro does; check the domain",
            )
        element: dict[str, Any] = answer[0]
        return element

    def checked_login(self, http: NetworkHttp, response: httpx.Response) -> httpx.Response:
        error = classify_status(response.status_code)
        if error is RateLimited:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            raise RateLimited(http.network, "the login answered HTTP 429", wait)
        if error is not None:
            raise error(http.network, f"the login answered HTTP {response.status_code}")
        element = self._answer(http, response)
        said = http.scrub(str(element.get("message") or element.get("e") or "")[:200])
        if element.get("success") != "Y":
            raise CredentialsRejected(http.network, said or "the login was refused")
        if not form_fields(element.get("fields")).get("S"):
            raise CredentialsRejected(
                http.network,
                f"the login was accepted but no session was handed out ({said or 'no reason'}"
                "): a second factor or a choice between several accounts is pending; use a "
                "login without two-factor authentication that belongs to one account",
            )
        return response

    def read_session(self, response: httpx.Response) -> str:
        return str(form_fields(json.loads(response.content)[0].get("fields"))["S"])

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return f"{credentials['username']}@{credentials['domain']}"
