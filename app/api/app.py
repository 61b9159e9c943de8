"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__
from app.api import problems
from app.api.middleware import DEFAULT_BODY_LIMIT, BodySizeLimit, Metrics, RefuseNul
from app.api.routers import (
    connections,
    health,
    links,
    networks,
    programs,
    reports,
    syncs,
    transactions,
    uploads,
    workspace,
)
from app.logging import configure_logging
from app.openapi_doc import serve_document
from app.runtime import Runtime
from app.settings import Settings, get_settings

UPLOAD_BODY_LIMIT = 50 * 1024 * 1024 + 64 * 1024  # 50 MB file plus multipart framing

DESCRIPTION = """\
One ledger of affiliate commissions across every network a publisher works with.

Authenticate with `Authorization: Bearer nl_...` (an API key from `netledger workspace
create`). Money is a decimal string beside its currency; times are ISO 8601 UTC; lists are
cursor-paginated; errors are RFC 9457 `application/problem+json`.
"""


def _body_limit(path: str) -> int:
    return UPLOAD_BODY_LIMIT if path.endswith("/uploads") else DEFAULT_BODY_LIMIT


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or Runtime.build(settings)
        # Everything loaded so far (modules, models, routes) lives as long as the process:
        # keep it out of the cyclic collector's full passes, which otherwise rescan it and
        # stall a request for tens of milliseconds every few large reports.
        gc.freeze()
        try:
            yield
        finally:
            if owned:
                await app.state.runtime.close()

    app = FastAPI(
        title="netledger",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "networks", "description": "The catalog of networks and their forms."},
            {"name": "connections", "description": "The publisher's network accounts."},
            {"name": "programs", "description": "Programs (advertisers) on every connection."},
            {"name": "brands", "description": "One merchant's programs across networks."},
            {"name": "links", "description": "Tracking links, their options and checks."},
            {"name": "syncs", "description": "Pulling commissions from networks, and progress."},
            {"name": "uploads", "description": "Report files for networks without an API."},
            {"name": "transactions", "description": "Commission lines across every network."},
            {"name": "reports", "description": "Performance in one currency, and insights."},
            {"name": "workspace", "description": "The caller's workspace and API keys."},
            {"name": "health", "description": "Liveness, readiness and metrics."},
        ],
    )
    problems.install(app)
    app.add_middleware(RefuseNul)
    app.add_middleware(BodySizeLimit, limit_for=_body_limit)
    app.add_middleware(Metrics)
    for module in (
        networks,
        connections,
        programs,
        links,
        syncs,
        uploads,
        transactions,
        reports,
        workspace,
        health,
    ):
        app.include_router(module.router)
    serve_document(app)
    return app
