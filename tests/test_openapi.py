"""`openapi.yaml` is generated from the app; this fails when the committed copy is stale."""

from pathlib import Path

import yaml

from app.openapi_doc import build_document, render

ROOT = Path(__file__).resolve().parent.parent


def test_committed_openapi_is_current() -> None:
    committed = (ROOT / "openapi.yaml").read_text()
    assert committed == render(), "openapi.yaml is stale: run `netledger openapi`"


def test_every_operation_is_named_and_documented() -> None:
    document = build_document()
    operation_ids = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), f"{method} {path} has no operationId"
            assert operation.get("summary") or operation.get("description"), f"{method} {path}"
            operation_ids.append(operation["operationId"])
            if path.startswith("/v1/") and not path.startswith("/v1/networks"):
                assert "401" in operation["responses"], f"{method} {path} lacks its 401"
    assert len(operation_ids) == len(set(operation_ids))


def test_document_is_valid_yaml_with_security() -> None:
    document = yaml.safe_load(render())
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


async def test_the_served_schema_is_the_committed_one(client) -> None:  # type: ignore[no-untyped-def]
    served = (await client.get("/openapi.json")).json()
    assert served == yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert "HTTPValidationError" not in served["components"]["schemas"]
