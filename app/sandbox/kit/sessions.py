"""Login sessions: a login call checks credentials and issues a random session id (a
cookie `Set-Cookie: NAME=<id>; Path=/; HttpOnly`, or in the body); later calls carry it.

Sessions live in the network's state (cleared by `/_sandbox/reset`) and remember the
credential that logged in: a request on a session is logged under that credential in
`/_sandbox/stats`, so a test sees which connection's session each call carried. A session
expires `session_ttl_seconds` (a knob, read at each check: 0 expires every session now)
after login, or when `POST /_sandbox/expire_sessions` is called; a missing, unknown or
expired session answers the network's "session expired" error.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.base import Identity, refused
from app.sandbox.kit.params import request_fields

if TYPE_CHECKING:
    from app.sandbox.base import NetworkSandbox


@dataclass(frozen=True)
class Session:
    id: str
    credential: str
    issued: float
    details: Mapping[str, str] = field(default_factory=dict)


class Sessions:
    """Login sessions of one network (see the module docstring).

    `cookie` names the session cookie (None: the id travels in the body); `param` a query
    or form field that may carry it instead; `locate` reads it from anywhere else (PAP's
    `D=<json>`). `expired` renders the refusal (default: `error(401, expired_message)`).
    """

    def __init__(
        self,
        network: NetworkSandbox,
        *,
        cookie: str | None = "PHPSESSID",
        param: str | None = None,
        ttl_seconds: int = 1800,
        expired_message: str = "Session expired: log in again",
        expired: Callable[[Request], Response] | None = None,
        locate: Callable[[Request], Awaitable[str | None]] | None = None,
    ) -> None:
        self.network = network
        self.cookie, self.param, self.locate = cookie, param, locate
        self.expired_message = expired_message
        self._expired = expired
        network.state.declare("session_ttl_seconds", ttl_seconds)
        network.kit_control.append(
            Route("/_sandbox/expire_sessions", self._expire_route, methods=["POST"])
        )

    @property
    def live(self) -> dict[str, Session]:
        sessions: dict[str, Session] = self.network.state.store.setdefault("sessions", {})
        return sessions

    def start(self, credential: str, details: Mapping[str, str] | None = None) -> Session:
        session = Session(secrets.token_hex(16), credential, time.time(), dict(details or {}))
        self.live[session.id] = session
        return session

    def set_cookie(self, response: Response, session: Session) -> Response:
        if self.cookie:
            response.headers.append("Set-Cookie", f"{self.cookie}={session.id}; Path=/; HttpOnly")
        return response

    def expire_all(self) -> None:
        self.live.clear()

    async def _expire_route(self, request: Request) -> Response:
        count = len(self.live)
        self.expire_all()
        return JSONResponse({"expired": count})

    # ---- login --------------------------------------------------------------------------
    def credentials(
        self, user_field: str = "username", secret_field: str = "password", status: int = 401
    ) -> Callable[[Request], Awaitable[Identity | Response]]:
        """The login route's `authenticate=`: the user and secret from the query, a form or
        a JSON body; a missing user or a refused secret answers `error(status, ...)`."""

        async def check(request: Request) -> Identity | Response:
            fields = await request_fields(request)
            user, secret = fields.get(user_field, ""), fields.get(secret_field, "")
            if not user or refused(user) or refused(secret):
                return self.network.error(request, status, "Login failed: wrong credentials")
            details = {k: v for k, v in fields.items() if k != secret_field}
            return Identity(user, details=details)

        return check

    async def login(self, request: Request, who: Identity) -> Response:
        """A login handler: a new session for the authenticated user, as the cookie and as
        `{"session_id": ...}` in the body."""
        session = self.start(who.credential, who.details)
        return self.set_cookie(JSONResponse({"session_id": session.id}), session)

    # ---- later calls --------------------------------------------------------------------
    async def session_id(self, request: Request) -> str | None:
        if self.locate is not None and (found := await self.locate(request)):
            return found
        if self.cookie and (found := request.cookies.get(self.cookie)):
            return found
        if self.param:
            return (await request_fields(request)).get(self.param) or None
        return None

    def find(self, session_id: str | None) -> Session | None:
        """The live session `session_id` names, or None (unknown or expired)."""
        session = self.live.get(session_id or "")
        if session is None:
            return None
        if time.time() - session.issued >= int(self.network.knob("session_ttl_seconds")):
            del self.live[session.id]
            return None
        return session

    def refuse(self, request: Request) -> Response:
        if self._expired is not None:
            return self._expired(request)
        return self.network.error(request, 401, self.expired_message)

    async def check(self, request: Request, session_id: str | None = None) -> Identity | Response:
        """The request's session as an `Identity` (credential: the user who logged in), or
        the network's "session expired" answer. Also usable as a route's `authenticate=`."""
        session = self.find(session_id or await self.session_id(request))
        if session is None:
            return self.refuse(request)
        return Identity(session.credential, details={**session.details, "session": session.id})

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response:
        return await self.check(request)
