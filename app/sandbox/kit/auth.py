"""Stateless auth strategies: a key in a header (with an optional scheme word), a key in a
query parameter, HTTP Basic. Set one as a network's `auth`; each answers an `Identity`
(the credential logged in `/_sandbox/stats` and keying the call budgets) or the network's
own `error(request, status, message)`. Secrets follow `refused()` ("bad..."/"invalid...").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.base import Identity, refused

if TYPE_CHECKING:
    from app.sandbox.base import NetworkSandbox


@dataclass(frozen=True)
class HeaderKey:
    """`<header>: [<prefix> ]<key>`, e.g. `HeaderKey("Authorization", "secret")` for
    `Authorization: secret <key>` (the prefix is matched case-insensitively)."""

    header: str = "Authorization"
    prefix: str = ""
    status: int = 401
    missing: str = "Authentication required: no API key was sent"
    invalid: str = "Invalid API key"

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        value = request.headers.get(self.header, "").strip()
        if self.prefix:
            word, _, value = value.partition(" ")
            if word.lower() != self.prefix.lower():
                value = ""
        key = value.strip()
        if not key:
            return network.error(request, self.status, self.missing)
        if refused(key):
            return network.error(request, self.status, self.invalid)
        return Identity(key)


@dataclass(frozen=True)
class QueryKey:
    """`?<param>=<key>` (Tune's `api_key`)."""

    param: str = "api_key"
    status: int = 401
    missing: str = "Authentication required: no API key was sent"
    invalid: str = "Invalid API key"

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        key = request.query_params.get(self.param, "").strip()
        if not key:
            return network.error(request, self.status, self.missing)
        if refused(key):
            return network.error(request, self.status, self.invalid)
        return Identity(key)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """`(user, password)` of an `Authorization: Basic ...` value, or None."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        user, sep, password = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep and user else None


@dataclass(frozen=True)
class Basic:
    """HTTP Basic: the identity is the user name, the password the secret."""

    status: int = 401
    missing: str = "Authentication required"
    invalid: str = "Invalid user name or password"
    realm: str = "api"

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        creds = basic_credentials(request.headers.get("authorization", ""))
        if creds is None:
            response = network.error(request, self.status, self.missing)
            response.headers["WWW-Authenticate"] = f'Basic realm="{self.realm}"'
            return response
        user, password = creds
        if refused(user) or refused(password):
            return network.error(request, self.status, self.invalid)
        return Identity(user, details={"username": user})
