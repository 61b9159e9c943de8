"""Dependencies typed once as `Annotated` aliases and used as plain parameters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import authenticate
from app.models import Workspace
from app.runtime import Runtime

AfterCommit = Callable[[], Awaitable[None]]


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    # A coroutine, not a plain function: FastAPI runs plain-function dependencies in its
    # thread pool, a thread handoff per request for one attribute read.
    return runtime_of(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back if it
    raises. Work registered with `after_commit` (e.g. enqueueing jobs) runs once the commit
    has made its input visible."""
    runtime = runtime_of(request)
    async with runtime.sessions() as session:
        session.info["after_commit"] = []
        async with session.begin():
            yield session
        for callback in session.info["after_commit"]:
            await callback()


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    session.info.setdefault("after_commit", []).append(callback)


async def get_workspace(request: Request, session: Session) -> Workspace:
    """The caller's workspace, from the auth cache when it can be: a request whose key is
    cached and whose handler does not query the database never checks out a connection
    (the session's transaction begins on its first statement)."""
    redis = runtime_of(request).redis
    return await authenticate(session, request.headers.get("authorization"), redis)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
CurrentWorkspace = Annotated[Workspace, Depends(get_workspace, scope="function")]
