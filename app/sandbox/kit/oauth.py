"""An OAuth2 token endpoint (RFC 6749 `client_credentials` and `password` grants) and the
bearer check of the API it guards.

The client authenticates with HTTP Basic or `client_id`/`client_secret` form fields.
Tokens are opaque, live in the network's state (cleared by `/_sandbox/reset`) and expire
after the `token_ttl_seconds` knob at issue time, or at `POST /_sandbox/expire_tokens`.
Token-endpoint errors are RFC 6749 JSON (`invalid_client` 401, `invalid_grant`,
`invalid_request`, `unsupported_grant_type` 400); a missing or dead bearer token answers
the network's own `error(401, ...)`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.base import Identity, refused
from app.sandbox.kit.auth import basic_credentials
from app.sandbox.kit.params import request_fields

if TYPE_CHECKING:
    from app.sandbox.base import NetworkSandbox

# A password-grant check: the form -> None if accepted, else the error description.
GrantCheck = Callable[[Mapping[str, str]], str | None]


@dataclass(frozen=True)
class Grant:
    credential: str
    client_id: str
    expires: float
    details: Mapping[str, str] = field(default_factory=dict)


def oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


class OAuth2:
    """Token endpoint plus bearer check; use it as the network's `auth` and add `route()`."""

    def __init__(
        self,
        network: NetworkSandbox,
        *,
        path: str = "/oauth/token",
        grants: tuple[str, ...] = ("client_credentials", "password"),
        ttl_seconds: int = 3600,
        check_password: GrantCheck | None = None,
        invalid_token: str = "Invalid or expired access token",
    ) -> None:
        self.network, self.path, self.grants = network, path, grants
        self.check_password = check_password
        self.invalid_token = invalid_token
        network.state.declare("token_ttl_seconds", ttl_seconds)
        network.kit_control.append(
            Route("/_sandbox/expire_tokens", self._expire_route, methods=["POST"])
        )

    @property
    def tokens(self) -> dict[str, Grant]:
        tokens: dict[str, Grant] = self.network.state.store.setdefault("tokens", {})
        return tokens

    def expire_all(self) -> None:
        self.tokens.clear()

    async def _expire_route(self, request: Request) -> Response:
        count = len(self.tokens)
        self.expire_all()
        return JSONResponse({"expired": count})

    def route(self) -> Route:
        """`POST <path>`: the token endpoint, through the gate (counted, not budgeted)."""
        return self.network.api(
            self.path, self.token, ("POST",), authenticate=self.client, rate_limited=False
        )

    async def client(self, request: Request) -> Identity | Response:
        """The token request's client, from HTTP Basic or the form."""
        creds = basic_credentials(request.headers.get("authorization", ""))
        if creds is None:
            form = await request_fields(request)
            creds = (form.get("client_id", ""), form.get("client_secret", ""))
        if not creds[0] or refused(creds[1]) or refused(creds[0]):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        return Identity(creds[0], details={"client_id": creds[0]})

    async def token(self, request: Request, who: Identity) -> Response:
        form = await request_fields(request)
        grant_type = form.get("grant_type", "")
        if grant_type not in self.grants:
            return oauth_error(
                400, "unsupported_grant_type", f"Unsupported grant type '{grant_type}'"
            )
        credential, details = who.credential, {"client_id": who.credential}
        if grant_type == "password":
            username, password = form.get("username", ""), form.get("password", "")
            if not username or not password:
                return oauth_error(400, "invalid_request", "username and password are required")
            problem = "wrong username or password" if refused(password) else None
            if problem is None and self.check_password is not None:
                problem = self.check_password(form)
            if problem:
                return oauth_error(400, "invalid_grant", f"Authentication failed: {problem}")
            credential, details = username, {**details, "username": username}
        if scope := form.get("scope"):
            details["scope"] = scope
        ttl = int(self.network.knob("token_ttl_seconds"))
        access = secrets.token_urlsafe(24)
        self.tokens[access] = Grant(credential, who.credential, time.time() + ttl, details)
        return JSONResponse(
            {"access_token": access, "token_type": "bearer", "expires_in": ttl},
            headers={"Cache-Control": "no-store"},
        )

    def grant(self, request: Request) -> Grant | None:
        """The live grant behind the request's bearer token, if any."""
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        grant = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or grant.expires <= time.time():
            return None
        return grant

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        grant = self.grant(request)
        if grant is None:
            return network.error(request, 401, self.invalid_token)
        return Identity(grant.credential, details=grant.details)
