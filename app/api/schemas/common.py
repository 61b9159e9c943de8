"""Shapes shared by several resources."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list; pass `next_cursor` back as `cursor` for the next one."""

    data: list[T]
    next_cursor: str | None = Field(
        default=None, description="Opaque cursor of the next page; null on the last page."
    )


class FieldProblem(BaseModel):
    field: str = Field(examples=["credentials.api_token"])
    message: str = Field(examples=["is required"])


class Problem(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://netledger.dev/problems/validation-error"])
    title: str = Field(examples=["Request validation failed"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["1 invalid field(s): credentials.api_token"])
    errors: list[FieldProblem] | None = Field(
        default=None, description="For validation problems: every bad field."
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting a route's problem answers."""
    descriptions = {
        401: "Missing, malformed or revoked API key",
        404: "No such resource in this workspace",
        409: "Conflicts with the resource's current state",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Invalid input; `errors` names every bad field",
        502: "The network the request waited on could not answer",
        503: "A dependency is unavailable",
        504: "The network the request waited on did not answer in time",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, "Problem"),
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
