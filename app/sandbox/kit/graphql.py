"""GraphQL over HTTP for sandbox networks, on graphql-core.

A network writes its schema in SDL (`build_schema`), a root object whose methods resolve
the top-level fields (`def publisherCommissions(self, info, **args)`; nested fields resolve
from plain dicts by key, so aliases and selections come for free), and answers
`graphql_response(schema, request, root)`: a JSON or raw-query body in, `{"data": ...}` or
`{"errors": [...], "data": ...}` at HTTP 200 out. A resolver refuses with `GraphQLError`.
`rename` rewrites error messages into the network's server's own words (CJ's are
graphql-java's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)
from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.kit.encode import json_body

__all__ = ["GraphQLError", "build_schema", "execute_query", "graphql_response", "read_query"]


async def read_query(request: Request) -> tuple[str, dict[str, Any], str | None]:
    """`(query, variables, operationName)` from a JSON body, or a raw query body."""
    raw = (await request.body()).decode("utf-8", "replace")
    is_json = "json" in request.headers.get("content-type", "") or raw.lstrip().startswith('{"')
    if not is_json:
        return raw, {}, None
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise GraphQLError("Invalid JSON body") from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise GraphQLError("The body has no 'query' string")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        raise GraphQLError("'variables' must be an object")
    return body["query"], variables, body.get("operationName")


@lru_cache(maxsize=256)
def _document(schema: GraphQLSchema, query: str) -> DocumentNode | list[GraphQLError]:
    try:
        document = parse(query)
    except GraphQLError as error:
        return [error]
    return validate(schema, document) or document


def execute_query(
    schema: GraphQLSchema,
    query: str,
    variables: dict[str, Any] | None = None,
    root: Any = None,
    operation_name: str | None = None,
    *,
    rename: Callable[[str], str] = str,
) -> dict[str, Any]:
    """The response body of one GraphQL request (validation errors: `data` null)."""
    if not query.strip():
        return {"errors": [{"message": rename("No query was provided")}], "data": None}
    document = _document(schema, query)
    if isinstance(document, list):
        return {"errors": [{"message": rename(e.message)} for e in document], "data": None}
    result = execute(
        schema, document, root, variable_values=variables, operation_name=operation_name
    )
    if not isinstance(result, ExecutionResult):
        raise TypeError("sandbox resolvers are synchronous")
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = [{**e.formatted, "message": rename(e.message)} for e in result.errors]
        body = {"errors": errors, **body}
    return body


async def graphql_response(
    schema: GraphQLSchema,
    request: Request,
    root: Any = None,
    *,
    rename: Callable[[str], str] = str,
) -> Response:
    try:
        query, variables, operation = await read_query(request)
    except GraphQLError as error:
        return json_body({"errors": [{"message": rename(error.message)}], "data": None})
    return json_body(execute_query(schema, query, variables, root, operation, rename=rename))
