"""Skimlinks' authentication API in the sandbox: the kit's OAuth2 client check, with
Skimlinks' own answer (`access_token` = `<publisher id>:<issued>:<32 hex>`, `timestamp`,
`expiry_timestamp` a week later) and the token read from the `access_token` query
parameter, never a header. A client id belongs to one publisher."""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.sandbox.base import Identity
from app.sandbox.data import stable_int
from app.sandbox.kit import OAuth2, oauth_error
from app.sandbox.kit.oauth import Grant
from app.sandbox.kit.params import request_fields

WEEK = 7 * 24 * 3600


def publisher_of(client_id: str) -> int:
    return 100000 + stable_int("skimlinks-publisher", client_id) % 900000


class SkimlinksTokens(OAuth2):
    """The kit's client check; Skimlinks' own token shape, in the query string."""

    async def token(self, request: Request, who: Identity) -> Response:
        if (await request_fields(request)).get("grant_type") != "client_credentials":
            return oauth_error(
                400, "unsupported_grant_type", "grant_type must be client_credentials"
            )
        now, ttl = int(time.time()), int(self.network.knob("token_ttl_seconds"))
        pid = str(publisher_of(who.credential))
        token = f"{pid}:{now}:{secrets.token_hex(16)}"
        self.tokens[token] = Grant(pid, who.credential, now + ttl, {"publisher": pid})
        return JSONResponse(
            {"access_token": token, "timestamp": now, "expiry_timestamp": now + ttl}
        )

    def grant(self, request: Request) -> Grant | None:
        grant = self.tokens.get(request.query_params.get("access_token", ""))
        return grant if grant is not None and grant.expires > time.time() else None
