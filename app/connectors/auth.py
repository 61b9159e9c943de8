"""Authentication strategies: how a connector's requests carry its credentials.

A strategy is two parts: how a credential value is obtained (a static key from the form,
an OAuth2 token, a login session) and where it goes on each request (a header with a
prefix, a query parameter, a form or JSON body field, a cookie, a SOAP argument). Both
read credential values by the catalog's form keys.

Tokens and sessions are cached in Redis under the connection's own key, shared by every
worker syncing that connection and by no other connection, and obtained again when they
expire or the network says they did (`invalidate`, called by the connector after a
credentials failure).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx

from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp, RequestSpec, raise_for_status

Credentials = Mapping[str, str]


# ---- where a value goes ---------------------------------------------------------------
class Place:
    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        raise NotImplementedError


@dataclass(frozen=True)
class InHeader(Place):
    """`name: <prefix><value>`, e.g. `Authorization: Bearer ...`, `Authorization: secret ...`."""

    name: str
    prefix: str = ""

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return spec.with_headers(**{self.name: f"{self.prefix}{value}"})


@dataclass(frozen=True)
class InQuery(Place):
    param: str

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return spec.with_params(**{self.param: value})


@dataclass(frozen=True)
class InForm(Place):
    field: str

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return spec.with_form(**{self.field: value})


@dataclass(frozen=True)
class InJson(Place):
    """A field of the JSON body, by dotted path (`session.id`)."""

    path: str

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return replace(spec, json=set_path(spec.json or {}, self.path, value))


@dataclass(frozen=True)
class AsCookie(Place):
    """The value is a `Cookie` header line (`a=1; b=2`), as a login handed it back."""

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return spec.with_headers(Cookie=value)


@dataclass(frozen=True)
class Custom(Place):
    """A network's own placement (e.g. a SOAP argument): `put(spec, value)`."""

    fn: Callable[[RequestSpec, str], RequestSpec]

    def put(self, spec: RequestSpec, value: str) -> RequestSpec:
        return self.fn(spec, value)


def set_path(body: Any, path: str, value: Any) -> Any:
    """A copy of JSON `body` with `value` at dotted `path` (objects created on the way)."""
    head, _, rest = path.partition(".")
    out = dict(body) if isinstance(body, dict) else {}
    out[head] = set_path(out.get(head), rest, value) if rest else value
    return out


# ---- how a value is obtained ----------------------------------------------------------
class AuthStrategy:
    """Base: credentials go on the request; `invalidate` drops any cached token."""

    async def apply(
        self, spec: RequestSpec, credentials: Credentials, http: NetworkHttp
    ) -> RequestSpec:
        raise NotImplementedError

    async def invalidate(self, credentials: Credentials, http: NetworkHttp) -> bool:
        """Forget a cached token; True when a fresh one may succeed where this one failed."""
        return False

    def budget_credential(self, credentials: Credentials) -> str:
        """The credential a network counts its rate limit against."""
        return "|".join(f"{k}={v}" for k, v in sorted(credentials.items()))


@dataclass(frozen=True)
class Key(AuthStrategy):
    """A static credential from the form, placed on every request."""

    key: str
    place: Place

    async def apply(
        self, spec: RequestSpec, credentials: Credentials, http: NetworkHttp
    ) -> RequestSpec:
        return self.place.put(spec, credentials[self.key])

    def budget_credential(self, credentials: Credentials) -> str:
        return credentials[self.key]


def Bearer(key: str) -> Key:
    """`Authorization: Bearer <credentials[key]>`."""
    return Key(key, InHeader("Authorization", "Bearer "))


def HeaderKey(header: str, key: str, prefix: str = "") -> Key:
    """A key in a named header, e.g. `x-api-key: <credentials[key]>`."""
    return Key(key, InHeader(header, prefix))


def QueryKey(param: str, key: str) -> Key:
    """A key in a query parameter, e.g. `?api_key=<credentials[key]>`."""
    return Key(key, InQuery(param))


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Basic(AuthStrategy):
    """HTTP basic auth from two credential fields."""

    user_key: str
    password_key: str

    async def apply(
        self, spec: RequestSpec, credentials: Credentials, http: NetworkHttp
    ) -> RequestSpec:
        header = basic_header(credentials[self.user_key], credentials[self.password_key])
        return spec.with_headers(Authorization=header)

    def budget_credential(self, credentials: Credentials) -> str:
        return credentials[self.user_key]


class Obtained(AuthStrategy):
    """A value the network hands out (a token, a session), cached in Redis under the
    connection's key for `ttl` seconds, obtained again after `invalidate`.

    Subclasses implement `obtain` -> (value, seconds it lives) and set `place`."""

    place: Place = InHeader("Authorization", "Bearer ")
    kind = "token"

    async def obtain(self, credentials: Credentials, http: NetworkHttp) -> tuple[str, int]:
        raise NotImplementedError

    def _cache_key(self, http: NetworkHttp) -> str:
        return f"netledger:auth:{http.network}:{http.connection_key}:{self.kind}"

    async def value(self, credentials: Credentials, http: NetworkHttp) -> str:
        key = self._cache_key(http)
        cached = await http.redis.get(key) if http.redis is not None else None
        if cached:
            return cached.decode() if isinstance(cached, bytes) else str(cached)
        try:
            value, ttl = await self.obtain(credentials, http)
        except RequestRejected as exc:
            # OAuth servers answer a bad grant with 400 `invalid_grant`: a credentials problem.
            raise CredentialsRejected(http.network, exc.message) from exc
        if http.redis is not None:
            await http.redis.set(key, value, ex=max(1, ttl))
        return value

    async def apply(
        self, spec: RequestSpec, credentials: Credentials, http: NetworkHttp
    ) -> RequestSpec:
        return self.place.put(spec, await self.value(credentials, http))

    async def invalidate(self, credentials: Credentials, http: NetworkHttp) -> bool:
        if http.redis is None:
            return False
        return bool(await http.redis.delete(self._cache_key(http)))


def read_json_object(http: NetworkHttp, response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        payload = json.loads(response.text)
    except ValueError as exc:
        raise BadPayload(http.network, f"the {what} response is not JSON") from exc
    if not isinstance(payload, dict):
        raise BadPayload(http.network, f"the {what} response is not a JSON object")
    return payload


class TokenExchange(Obtained):
    """OAuth2-style: trade credentials for a bearer token, kept until shortly before it
    expires. Subclasses say how to ask for a token (`token_request`) and may override
    `read_token`."""

    # Renew this long before the network's expiry so a token never dies mid-sync.
    margin_seconds = 120

    def token_request(self, credentials: Credentials) -> RequestSpec:
        raise NotImplementedError

    def read_token(self, payload: Mapping[str, object]) -> tuple[str, int]:
        token = payload.get("access_token")
        expires_in = payload.get("expires_in", 3600)
        if not isinstance(token, str) or not token:
            raise BadPayload("token", "the token response has no access_token")
        return token, int(str(expires_in))

    async def obtain(self, credentials: Credentials, http: NetworkHttp) -> tuple[str, int]:
        response = await http.send(self.token_request(credentials))
        token, expires_in = self.read_token(read_json_object(http, response, "token"))
        return token, expires_in - self.margin_seconds


@dataclass(frozen=True)
class OAuth2(TokenExchange):
    """The standard grants at a token URL: `client_credentials`, or `password` with the
    user's login; the client id and secret go as HTTP Basic (or in the form, `basic=False`).
    Keys name the credential form fields."""

    token_url: str
    grant: str = "client_credentials"
    client_id_key: str = "client_id"
    client_secret_key: str = "client_secret"
    username_key: str = "username"
    password_key: str = "password"
    scope: str | None = None
    basic: bool = True

    def token_request(self, credentials: Credentials) -> RequestSpec:
        form = {"grant_type": self.grant}
        if self.grant == "password":
            form |= {
                "username": credentials[self.username_key],
                "password": credentials[self.password_key],
            }
        if self.scope:
            form["scope"] = self.scope
        client_id, secret = credentials[self.client_id_key], credentials[self.client_secret_key]
        if self.basic:
            return RequestSpec(
                "POST",
                self.token_url,
                headers={"Authorization": basic_header(client_id, secret)},
                data=form,
            )
        return RequestSpec(
            "POST", self.token_url, data=form | {"client_id": client_id, "client_secret": secret}
        )

    def budget_credential(self, credentials: Credentials) -> str:
        return credentials.get(self.username_key) or credentials[self.client_id_key]


class LoginSession(Obtained):
    """Log in like a browser or an API client (a form, JSON or SOAP call), keep the session
    the network hands back (cookies, or a session id in the body) for this connection only,
    and log in again when the network says the session is gone.

    Subclasses say how to log in (`login_request`) and how to read the session out of the
    answer (`read_session`; by default the `Set-Cookie` cookies, sent back as `Cookie`)."""

    place: Place = AsCookie()
    kind = "session"
    # Networks rarely say how long a session lives; renew well before a typical hour.
    session_seconds = 1800

    def login_request(self, credentials: Credentials) -> RequestSpec:
        raise NotImplementedError

    def read_session(self, response: httpx.Response) -> str:
        cookies = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
        if not cookies:
            raise CredentialsRejected("login", "the login answer set no session cookie")
        return cookies

    async def obtain(self, credentials: Credentials, http: NetworkHttp) -> tuple[str, int]:
        response = await http.send(
            self.login_request(credentials), lambda answer: self.checked_login(http, answer)
        )
        return self.read_session(response), self.session_seconds

    def checked_login(self, http: NetworkHttp, response: httpx.Response) -> httpx.Response:
        """The login answer, or the failure it reports (override for failures in a body)."""
        raise_for_status(http.network, response, http.scrub)
        return response
