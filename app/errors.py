"""One error base that carries its HTTP status and RFC 9457 problem type.

Services raise these; `app/api/problems.py` turns them into `application/problem+json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

PROBLEM_BASE = "https://netledger.dev/problems/"


@dataclass(frozen=True)
class FieldError:
    """One bad input: `field` is a dotted path such as `credentials.api_token`."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ProblemError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def body(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class ValidationFailed(ProblemError):
    status = 422
    slug = "validation-error"
    title = "Request validation failed"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        if detail is None:
            names = ", ".join(e.field for e in errors)
            detail = f"{len(errors)} invalid field(s): {names}"
        super().__init__(detail, errors=[e.as_dict() for e in errors])


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Missing or invalid API key"


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class UpstreamUnavailable(ProblemError):
    """A network a request waited on could not answer (unreachable, failing)."""

    status = 502
    slug = "upstream-unavailable"
    title = "The network could not answer"


class UpstreamTimeout(ProblemError):
    """A network a request waited on did not answer in time."""

    status = 504
    slug = "upstream-timeout"
    title = "The network did not answer in time"


class PayloadTooLarge(ProblemError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(ProblemError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class ServiceUnavailable(ProblemError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"
