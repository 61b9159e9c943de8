"""Tradedoubler's token server (`POST /uaa/oauth/token`, a Spring UAA) on the kit's OAuth2:
the client as HTTP Basic, the `password` and `refresh_token` grants.

Answers carry `access_token`, `token_type` "bearer", `refresh_token`, `expires_in` (899),
`scope` "read", `tduser`, `created` and `jti`. A refresh token is single-use (the answer
carries its successor) and lives `refresh_ttl_seconds`; `POST /_sandbox/expire_tokens`
kills access tokens only, `POST /_sandbox/revoke_refresh_tokens` the refresh tokens.
`GET /_sandbox/grants` lists the grant types issued, oldest first. Refusals: a bad client
401 `unauthorized`, a bad login 400 `invalid_grant` "Bad credentials", a dead refresh token
400 `invalid_grant`; a dead access token on the API 401 `invalid_token`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.base import Identity, refused
from app.sandbox.kit import OAuth2, basic_credentials, oauth_error
from app.sandbox.kit.oauth import Grant
from app.sandbox.kit.params import request_fields

if TYPE_CHECKING:
    from app.sandbox.base import NetworkSandbox

TOKEN_PATH = "/uaa/oauth/token"


class TradedoublerOAuth(OAuth2):
    def __init__(self, network: NetworkSandbox) -> None:
        super().__init__(
            network,
            path=TOKEN_PATH,
            grants=("password", "refresh_token"),
            ttl_seconds=899,
            invalid_token="Access token expired",
        )
        network.state.declare("refresh_ttl_seconds", 7 * 86400)
        network.kit_control += [
            Route("/_sandbox/revoke_refresh_tokens", self._revoke_route, methods=["POST"]),
            Route("/_sandbox/grants", self._grants_route, methods=["GET"]),
        ]

    @property
    def refresh_tokens(self) -> dict[str, Grant]:
        found: dict[str, Grant] = self.network.state.store.setdefault("refresh_tokens", {})
        return found

    @property
    def issued(self) -> list[str]:
        found: list[str] = self.network.state.store.setdefault("grants", [])
        return found

    async def _revoke_route(self, request: Request) -> Response:
        count = len(self.refresh_tokens)
        self.refresh_tokens.clear()
        return JSONResponse({"revoked": count})

    async def _grants_route(self, request: Request) -> Response:
        return JSONResponse({"grants": self.issued})

    async def client(self, request: Request) -> Identity | Response:
        creds = basic_credentials(request.headers.get("authorization", ""))
        if creds is None or refused(creds[0]) or refused(creds[1]):
            return oauth_error(401, "unauthorized", "Bad credentials")
        return Identity(creds[0], details={"client_id": creds[0]})

    async def token(self, request: Request, who: Identity) -> Response:
        form = await request_fields(request)
        grant_type = form.get("grant_type", "")
        if grant_type == "password":
            username, password = form.get("username", ""), form.get("password", "")
            if not username or refused(username) or refused(password):
                return oauth_error(400, "invalid_grant", "Bad credentials")
        elif grant_type == "refresh_token":
            old = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if old is None or old.client_id != who.credential or old.expires <= time.time():
                return oauth_error(400, "invalid_grant", "Invalid refresh token")
            username = old.credential
        else:
            return oauth_error(
                400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}"
            )
        self.issued.append(grant_type)
        return self.issue(who.credential, username)

    def issue(self, client_id: str, username: str) -> Response:
        now = time.time()
        ttl = int(self.network.knob("token_ttl_seconds"))
        details = {"client_id": client_id, "username": username}
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.tokens[access] = Grant(username, client_id, now + ttl, details)
        lives = int(self.network.knob("refresh_ttl_seconds"))
        self.refresh_tokens[refresh] = Grant(username, client_id, now + lives, details)
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "refresh_token": refresh,
                "expires_in": ttl,
                "scope": "read",
                "tduser": hashlib.sha256(username.encode()).hexdigest(),
                "created": int(now),
                "jti": str(uuid.uuid4()),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        grant = self.grant(request)
        if grant is None:
            return network.error(request, 401, self.invalid_token)
        # Tradedoubler counts its 60 calls a minute per API client.
        return Identity(grant.credential, rate_key=grant.client_id, details=grant.details)
