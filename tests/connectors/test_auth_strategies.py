"""Auth strategies against a small local server over real HTTP: a login session that is
kept in Redis, shared, and renewed after the network forgets it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.connectors.auth import Basic, HeaderKey, LoginSession, QueryKey
from app.connectors.errors import CredentialsRejected
from app.connectors.http import NetworkHttp, RequestSpec


@dataclass
class Portal:
    sessions: set[str] = field(default_factory=set)
    logins: int = 0

    def app(self) -> Starlette:
        async def login(request: Request) -> Response:
            form = await request.form()
            if form.get("password") != "right":
                return JSONResponse({"error": "wrong password"}, status_code=401)
            self.logins += 1
            token = f"s{self.logins}"
            self.sessions.add(token)
            response = JSONResponse({"ok": True})
            response.set_cookie("PHPSESSID", token)
            return response

        async def data(request: Request) -> Response:
            if request.cookies.get("PHPSESSID") not in self.sessions:
                return JSONResponse({"error": "log in first"}, status_code=401)
            return JSONResponse(
                {"echo": dict(request.query_params), "h": request.headers.get("x-key")}
            )

        return Starlette(routes=[Route("/login", login, methods=["POST"]), Route("/data", data)])


class PortalLogin(LoginSession):
    def login_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        return RequestSpec(
            "POST",
            "https://portal.example/login",
            data={"username": credentials["username"], "password": credentials["password"]},
        )


@pytest.fixture
def portal() -> Iterator[tuple[Portal, str]]:
    """The portal on a real local socket, served from a thread."""
    state = Portal()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(state.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield state, f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(5)


async def test_login_session_is_shared_and_renewed(runtime, portal) -> None:  # type: ignore[no-untyped-def]
    state, base_url = portal
    credentials = {"username": "u", "password": "right"}
    strategy = PortalLogin()
    spec = RequestSpec("GET", "https://portal.example/data")

    async def call() -> int:
        http = NetworkHttp(runtime.http, "portal", base_url=base_url, redis=runtime.redis)
        authed = await strategy.apply(spec, credentials, http)
        response = await http.send(authed)
        return response.status_code

    assert [await call(), await call()] == [200, 200]
    assert state.logins == 1  # the second "worker" reused the session from Redis
    state.sessions.clear()  # the portal forgets every session
    http = NetworkHttp(runtime.http, "portal", base_url=base_url, redis=runtime.redis)
    with pytest.raises(CredentialsRejected):
        await http.send(await strategy.apply(spec, credentials, http))
    assert await strategy.invalidate(credentials, http)
    assert await call() == 200
    assert state.logins == 2


async def test_a_wrong_password_is_a_credentials_error(runtime, portal) -> None:  # type: ignore[no-untyped-def]
    _, base_url = portal
    http = NetworkHttp(runtime.http, "portal", base_url=base_url, redis=runtime.redis)
    with pytest.raises(CredentialsRejected):
        await PortalLogin().apply(
            RequestSpec("GET", "https://portal.example/data"),
            {"username": "u", "password": "no"},
            http,
        )


async def test_key_strategies_put_the_key_where_the_network_wants_it(runtime, portal) -> None:  # type: ignore[no-untyped-def]
    http = NetworkHttp(runtime.http, "portal", redis=runtime.redis)
    spec = RequestSpec("GET", "https://x/")
    creds = {"key": "k1", "user": "u", "pw": "p"}
    assert (await QueryKey("api_key", "key").apply(spec, creds, http)).params == {"api_key": "k1"}
    assert (await HeaderKey("x-key", "key").apply(spec, creds, http)).headers == {"x-key": "k1"}
    assert (await Basic("user", "pw").apply(spec, creds, http)).headers[
        "Authorization"
    ] == "Basic dTpw"
