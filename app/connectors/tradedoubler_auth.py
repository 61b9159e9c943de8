"""Tradedoubler's token: the framework's OAuth2 password grant at `/uaa/oauth/token` (client
id and secret as HTTP Basic), renewed with the refresh token it hands out.

The access token lives 899 s; the framework keeps it until shortly before that. The refresh
token (the blueprint's example lives seven days) is kept beside it for this connection
only, and renewal tries it first, as Tradedoubler asks ("only use the password when you
don't already have a refresh token"); a refused or missing one falls back to the password
grant. The token server answers a bad client with 401 and a bad login with 400
`invalid_grant`: each becomes a refusal that says which pair of fields to fix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from app.connectors.auth import Credentials, OAuth2, basic_header, read_json_object
from app.connectors.errors import CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp, RequestSpec, raise_for_status

TOKEN_URL = "https://connect.tradedoubler.com/uaa/oauth/token"
# Kept a day less than the example refresh token's seven days; a refused one costs a grant.
REFRESH_SECONDS = 6 * 86400

CLIENT_REFUSED = (
    "the client ID or client secret was not accepted: compare them with the client under "
    "Account > Clients"
)
LOGIN_REFUSED = (
    "the username or password was not accepted: they are the ones you sign in to "
    "publishers.tradedoubler.com with"
)


def _error_word(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


@dataclass(frozen=True)
class TradedoublerToken(OAuth2):
    token_url: str = TOKEN_URL
    grant: str = "password"

    def _refresh_key(self, http: NetworkHttp, credentials: Credentials) -> str:
        # Bound to the credentials too: after an edit of the form, an old login's refresh
        # token is never used.
        fields = ("username", "password", "client_id", "client_secret")
        digest = hashlib.sha256("|".join(credentials[k] for k in fields).encode()).hexdigest()
        return f"{self._cache_key(http)}:refresh:{digest[:16]}"

    def refresh_request(self, credentials: Credentials, refresh_token: str) -> RequestSpec:
        header = basic_header(credentials["client_id"], credentials["client_secret"])
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return RequestSpec("POST", self.token_url, headers={"Authorization": header}, data=form)

    def checked(self, http: NetworkHttp, response: httpx.Response) -> httpx.Response:
        """The token answer, or which credentials it refused."""
        status = response.status_code
        if status == 401 or (status == 400 and _error_word(response) == "invalid_client"):
            raise CredentialsRejected(http.network, CLIENT_REFUSED)
        if status == 400 and _error_word(response) == "invalid_grant":
            raise CredentialsRejected(http.network, LOGIN_REFUSED)
        raise_for_status(http.network, response, http.scrub)
        return response

    async def _grant(self, http: NetworkHttp, spec: RequestSpec) -> dict[str, Any]:
        response = await http.send(spec, lambda answer: self.checked(http, answer))
        return read_json_object(http, response, "token")

    async def obtain(self, credentials: Credentials, http: NetworkHttp) -> tuple[str, int]:
        key = self._refresh_key(http, credentials)
        stored = await http.redis.get(key) if http.redis is not None else None
        payload = None
        if stored:
            refresh = stored.decode() if isinstance(stored, bytes) else str(stored)
            try:
                payload = await self._grant(http, self.refresh_request(credentials, refresh))
            except (CredentialsRejected, RequestRejected):
                payload = None  # expired or revoked: a new password grant
        if payload is None:
            payload = await self._grant(http, self.token_request(credentials))
        refresh_token = payload.get("refresh_token")
        if http.redis is not None and isinstance(refresh_token, str) and refresh_token:
            await http.redis.set(key, refresh_token, ex=REFRESH_SECONDS)
        token, expires_in = self.read_token(payload)
        return token, expires_in - self.margin_seconds

    async def forget(self, credentials: Credentials, http: NetworkHttp) -> None:
        """Drop both tokens, so the next call proves the login itself."""
        await self.invalidate(credentials, http)
        if http.redis is not None:
            await http.redis.delete(self._refresh_key(http, credentials))

    def budget_credential(self, credentials: Credentials) -> str:
        # Tradedoubler counts its 60 calls a minute per API client.
        return credentials["client_id"]
