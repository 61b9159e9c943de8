"""The OpenAPI document: what `/openapi.json` serves and `openapi.yaml` commits
(`netledger openapi`), one generator for both."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml

from app.settings import Settings


def build_document() -> dict[str, Any]:
    from app.api.app import create_app

    # The document does not depend on configuration; fixed settings keep it reproducible.
    app = create_app(
        Settings(DATABASE_URL="postgresql://unused/unused", REDIS_URL="redis://unused")
    )
    return app.openapi()


def serve_document(app: Any) -> None:
    """Make `app.openapi()` (and so `/openapi.json`) answer the finished document."""
    generated: Callable[[], dict[str, Any]] = app.openapi
    finished: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not finished:
            finished.update(finish(copy.deepcopy(generated())))
        return finished

    app.openapi = openapi


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document as netledger answers: problem+json errors, bearer security."""
    document["servers"] = [{"url": "http://localhost:8000", "description": "netledger up"}]
    document.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `netledger workspace create` or POST /v1/api-keys.",
        }
    }
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            if path.startswith("/v1/") and not path.startswith("/v1/networks"):
                operation["security"] = [{"apiKey": []}]
            for status, response in operation.get("responses", {}).items():
                # Every error is RFC 9457 problem+json, FastAPI's own 422 included (the app's
                # handler rewrites it): say so, so generated clients parse errors as Problem.
                if status.startswith(("4", "5")):
                    response["content"] = {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }
                    if status == "422" and response.get("description") == "Validation Error":
                        response["description"] = _INVALID
    schemas = document["components"].get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


_INVALID = "Invalid input; `errors` names every bad field"


def render() -> str:
    return yaml.safe_dump(build_document(), sort_keys=False, allow_unicode=True, width=100)
