"""Rakuten's token exchange (`POST /token`) and the API gateway's bearer check.

Client authentication: `Authorization: Basic base64(client_id:client_secret)`, or the
portal's pre-encoded "token key" as `Bearer base64(client_id:client_secret)`. Grants:
`password` (`username`, `password`, `scope=<SID>`) and `refresh_token` (`refresh_token`,
`scope`). Tokens are opaque, live in this process, and expire after `token_ttl_seconds`
(3600) or when `POST /_sandbox/expire_tokens` is called (refresh tokens survive that).
Refused: secrets starting `bad`/`invalid`, a non-numeric SID or one in `foreign_accounts`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.sandbox.base import Identity, refused

if TYPE_CHECKING:
    from app.sandbox.rakuten import RakutenSandbox


@dataclass(frozen=True)
class Grant:
    client_id: str
    username: str
    sid: str
    expires: float
    generation: int


def oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def client_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("basic", "bearer") or not value:
        return None
    try:
        client_id, sep, client_secret = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, client_secret) if sep and client_id else None


class Tokens:
    def __init__(self, network: RakutenSandbox) -> None:
        self.n = network
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.generation = 0

    def expire_all(self) -> None:
        self.generation += 1

    def bearer(self, request: Request) -> Grant | str:
        """The grant behind a request's access token, or why there is none."""
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            return "missing"
        grant = self.access.get(header[7:].strip())
        if grant is None or grant.generation != self.generation or grant.expires < time.time():
            return "invalid"
        return grant

    async def authenticate_client(self, request: Request) -> Identity | Response:
        creds = client_credentials(request.headers.get("authorization", ""))
        if creds is None or refused(creds[1]) or refused(creds[0]):
            return oauth_error(
                401,
                "invalid_client",
                "Client authentication failed: check the consumer key and secret",
            )
        return Identity(creds[0], details={"client_id": creds[0]})

    def _issue(self, client_id: str, username: str, sid: str) -> Response:
        ttl = int(self.n.knob("token_ttl_seconds"))
        grant = Grant(client_id, username, sid, time.time() + ttl, self.generation)
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access[access] = grant
        self.refresh[refresh] = grant
        return JSONResponse(
            {
                "token_type": "bearer",
                "expires_in": ttl,
                "refresh_token": refresh,
                "access_token": access,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def token(self, request: Request, who: Identity) -> Response:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return oauth_error(
                400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
            )
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        grant_type, sid = form.get("grant_type"), form.get("scope", "")
        if not sid.isdigit() or self.n.foreign(sid):
            return oauth_error(400, "invalid_scope", f"Invalid scope '{sid}': use your SID")
        if grant_type == "password":
            username, password = form.get("username", ""), form.get("password", "")
            if not username or refused(username) or refused(password):
                return oauth_error(
                    400, "invalid_grant", "Authentication failed: wrong username or password"
                )
            return self._issue(who.credential, username, sid)
        if grant_type == "refresh_token":
            old = self.refresh.pop(form.get("refresh_token", ""), None)
            if old is None or old.client_id != who.credential or old.sid != sid:
                return oauth_error(400, "invalid_grant", "Invalid or expired refresh token")
            return self._issue(who.credential, old.username, sid)
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type '{grant_type}'")
