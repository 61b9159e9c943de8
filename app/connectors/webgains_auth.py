"""How a Webgains connection gets its bearer token (shared/networks/webgains.md, sections 1-2).

First choice: the publisher's personal API token from the form, sent as it is. Without
one: the OAuth2 password grant at `POST /oauth/token` (form-encoded: `grant_type=password`,
`client_id`, `client_secret`, `username`, `password`, `scope=*`) with the OAuth client
Webgains issued to this server's operator (`NETLEDGER_WEBGAINS_CLIENT_ID` / `_SECRET`). With
neither, the connection fails before any call, naming what is missing.

The grant's answer also carries a refresh token; a new password grant does the same job
once the access token is near its end, so no refresh token is kept."""

from __future__ import annotations

from collections.abc import Mapping

from app.connectors.auth import AuthStrategy, TokenExchange
from app.connectors.errors import CredentialsRejected
from app.connectors.http import NetworkHttp, RequestSpec
from app.settings import get_settings

API = "https://platform-api.webgains.com"


class NotConfigured(CredentialsRejected):
    """No way in: neither a personal API token nor an operator OAuth client."""


def missing_message(client_id: str | None, client_secret: str | None) -> str:
    absent = [
        name
        for name, value in (
            ("NETLEDGER_WEBGAINS_CLIENT_ID", client_id),
            ("NETLEDGER_WEBGAINS_CLIENT_SECRET", client_secret),
        )
        if not value
    ]
    return (
        "This Webgains connection has no API token, and the password sign-in needs an OAuth "
        f"client that this server does not have ({' and '.join(absent)} not set). Create a "
        "personal API token in the Webgains platform (your user settings) and add it to the "
        "connection as api_token, or ask the operator to set "
        "NETLEDGER_WEBGAINS_CLIENT_ID and NETLEDGER_WEBGAINS_CLIENT_SECRET."
    )


class PasswordGrant(TokenExchange):
    """The password grant with the operator's OAuth client in the form body."""

    def token_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        settings = get_settings()
        client_id, secret = settings.webgains_client_id, settings.webgains_client_secret
        if not client_id or not secret:
            raise NotConfigured("webgains", missing_message(client_id, secret))
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": credentials["username"],
            "password": credentials["password"],
            "scope": "*",
        }
        return RequestSpec("POST", f"{API}/oauth/token", data=form)


class WebgainsAuth(AuthStrategy):
    """`Authorization: Bearer <api_token>` when the form has one, else the password grant's
    access token (cached per connection in Redis, fetched again after a refusal)."""

    grant = PasswordGrant()

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        token = (credentials.get("api_token") or "").strip()
        if not token:
            token = await self.grant.value(credentials, http)
        return spec.with_headers(Authorization=f"Bearer {token}", Accept="application/json")

    async def invalidate(self, credentials: Mapping[str, str], http: NetworkHttp) -> bool:
        if (credentials.get("api_token") or "").strip():
            return False  # a personal token cannot be renewed: the user must replace it
        return await self.grant.invalidate(credentials, http)

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials.get("api_token") or credentials.get("username") or ""
