"""The committed `openapi.yaml`, generated from the app (`netledger openapi`)."""

from __future__ import annotations

from typing import Any

import yaml

from app.settings import Settings


def build_document() -> dict[str, Any]:
    from app.api.app import create_app

    # The document does not depend on configuration; fixed settings keep it reproducible.
    app = create_app(
        Settings(DATABASE_URL="postgresql://unused/unused", REDIS_URL="redis://unused")
    )
    document = app.openapi()
    document["servers"] = [{"url": "http://localhost:8000", "description": "netledger up"}]
    document.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `netledger workspace create` or POST /v1/api-keys.",
        }
    }
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/v1/") or path.startswith("/v1/networks"):
            continue
        for operation in operations.values():
            operation["security"] = [{"apiKey": []}]
    return document


def render() -> str:
    return yaml.safe_dump(build_document(), sort_keys=False, allow_unicode=True, width=100)
