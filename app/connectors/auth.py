"""Authentication strategies: how a connector's requests carry its credentials.

A strategy reads credential values by form key (the catalog's field keys) and turns a
`RequestSpec` into an authenticated one. Token exchanges cache their token in Redis so
every worker shares it, and refresh it when the network says it expired.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp, RequestSpec
from app.connectors.ratelimit import budget_key


class AuthStrategy:
    """Base: credentials go on the request; `invalidate` drops any cached token."""

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        raise NotImplementedError

    async def invalidate(self, credentials: Mapping[str, str], http: NetworkHttp) -> bool:
        """Forget a cached token; True when a fresh one may succeed where this one failed."""
        return False

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        """The credential a network counts its rate limit against."""
        return "|".join(f"{k}={v}" for k, v in sorted(credentials.items()))


@dataclass(frozen=True)
class Bearer(AuthStrategy):
    """`Authorization: Bearer <credentials[key]>`."""

    key: str

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        return spec.with_headers(Authorization=f"Bearer {credentials[self.key]}")

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials[self.key]


@dataclass(frozen=True)
class HeaderKey(AuthStrategy):
    """A key in a named header, e.g. `x-api-key: <credentials[key]>`."""

    header: str
    key: str

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        return spec.with_headers(**{self.header: credentials[self.key]})

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials[self.key]


@dataclass(frozen=True)
class QueryKey(AuthStrategy):
    """A key in a query parameter, e.g. `?api_key=<credentials[key]>`."""

    param: str
    key: str

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        return spec.with_params(**{self.param: credentials[self.key]})

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials[self.key]


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Basic(AuthStrategy):
    """HTTP basic auth from two credential fields."""

    user_key: str
    password_key: str

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        header = basic_header(credentials[self.user_key], credentials[self.password_key])
        return spec.with_headers(Authorization=header)

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials[self.user_key]


class TokenExchange(AuthStrategy):
    """OAuth2-style: trade credentials for a bearer token, cache it in Redis (shared by
    every worker, through `http.redis`) until shortly before it expires, and fetch a fresh
    one after a 401.

    Subclasses say how to ask for a token (`token_request`) and may override `read_token`."""

    # Renew this long before the network's expiry so a token never dies mid-sync.
    margin_seconds = 120

    def token_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        raise NotImplementedError

    def read_token(self, payload: Mapping[str, object]) -> tuple[str, int]:
        token = payload.get("access_token")
        expires_in = payload.get("expires_in", 3600)
        if not isinstance(token, str) or not token:
            raise BadPayload("token", "the token response has no access_token")
        return token, int(str(expires_in))

    def _cache_key(self, http: NetworkHttp, credentials: Mapping[str, str]) -> str:
        return budget_key(http.network, self.budget_credential(credentials)) + ":token"

    async def token(self, credentials: Mapping[str, str], http: NetworkHttp) -> str:
        key = self._cache_key(http, credentials)
        cached = await http.redis.get(key) if http.redis is not None else None
        if cached:
            return cached.decode() if isinstance(cached, bytes) else str(cached)
        try:
            response = await http.send(self.token_request(credentials))
        except RequestRejected as exc:
            # OAuth servers answer a bad grant with 400 `invalid_grant`: a credentials problem.
            raise CredentialsRejected(http.network, exc.message) from exc
        try:
            payload = json.loads(response.text)
        except ValueError as exc:
            raise BadPayload(http.network, "the token response is not JSON") from exc
        if not isinstance(payload, dict):
            raise BadPayload(http.network, "the token response is not a JSON object")
        token, expires_in = self.read_token(payload)
        ttl = max(1, expires_in - self.margin_seconds)
        if http.redis is not None:
            await http.redis.set(key, token, ex=ttl)
        return token

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        token = await self.token(credentials, http)
        return spec.with_headers(Authorization=f"Bearer {token}")

    async def invalidate(self, credentials: Mapping[str, str], http: NetworkHttp) -> bool:
        if http.redis is None:
            return False
        return bool(await http.redis.delete(self._cache_key(http, credentials)))


class LoginSession(AuthStrategy):
    """Log in like a browser (a form or JSON post), keep the session the network hands back
    (a cookie or a session token) in Redis for every worker, and log in again after a 401.

    Subclasses say how to log in (`login_request`) and how to read the session out of the
    answer (`read_session`: the header name and value to send on later requests)."""

    # Networks rarely say how long a session lives; renew well before a typical hour.
    session_seconds = 1800

    def login_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        raise NotImplementedError

    def read_session(self, response: httpx.Response) -> tuple[str, str]:
        """By default the `Set-Cookie` cookies, sent back as one `Cookie` header."""
        cookies = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
        if not cookies:
            raise BadPayload("login", "the login answer set no session cookie")
        return "Cookie", cookies

    def _cache_key(self, http: NetworkHttp, credentials: Mapping[str, str]) -> str:
        return budget_key(http.network, self.budget_credential(credentials)) + ":session"

    async def apply(
        self, spec: RequestSpec, credentials: Mapping[str, str], http: NetworkHttp
    ) -> RequestSpec:
        key = self._cache_key(http, credentials)
        cached = await http.redis.get(key) if http.redis is not None else None
        if cached:
            text = cached.decode() if isinstance(cached, bytes) else str(cached)
            name, _, value = text.partition("\n")
        else:
            try:
                response = await http.send(self.login_request(credentials))
            except RequestRejected as exc:
                raise CredentialsRejected(http.network, exc.message) from exc
            name, value = self.read_session(response)
            if http.redis is not None:
                await http.redis.set(key, f"{name}\n{value}", ex=self.session_seconds)
        return spec.with_headers(**{name: value})

    async def invalidate(self, credentials: Mapping[str, str], http: NetworkHttp) -> bool:
        if http.redis is None:
            return False
        return bool(await http.redis.delete(self._cache_key(http, credentials)))
