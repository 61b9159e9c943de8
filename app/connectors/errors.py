"""How upstream failures are sorted: one table maps each to a kind and an action.

- `credentials`: stop the connection (status `auth_failed`) and tell the user what to fix.
- `rate_limited` / `transient`: retried with backoff by the HTTP layer; if retries run out
  the sync fails and the next one picks up where it left off.
- `bad_payload`: a bug or an API change; fail loudly naming the network and the field.
- `request_rejected`: the request itself is wrong for this account (e.g. a window the API
  refuses).
- `rate_limited` with a resume time (`QuotaSpent`): a daily quota is spent or the network
  asks for a longer pause than a job may wait; the run ends and says when it can go on.
- `unavailable`: the network answers that this API is off for the account (e.g. a Tune
  network that moved to the new TUNE Network); retrying will not help.
- `egress_refused`: a host the user gave resolves to an address netledger must not call.

Networks that report failures inside an HTTP 200 body raise these from their connector's
`check` hook, so a body failure is retried, re-logged-in or reported exactly like a status.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar


class ConnectorError(Exception):
    kind: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(self, network: str, message: str) -> None:
        super().__init__(message)
        self.network = network
        self.message = message

    @property
    def code(self) -> str:
        return self.kind


class CredentialsRejected(ConnectorError):
    kind = "auth_failed"


class RateLimited(ConnectorError):
    kind = "rate_limited"
    retryable = True

    def __init__(self, network: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(network, message)
        self.retry_after = retry_after


class QuotaSpent(ConnectorError):
    """A budget that frees only later than a job may wait: the run stops until `resume_at`."""

    kind = "rate_limited"

    def __init__(self, network: str, message: str, resume_at: datetime) -> None:
        super().__init__(network, message)
        self.resume_at = resume_at


class Unavailable(ConnectorError):
    kind = "unavailable"


class HostRefused(ConnectorError):
    kind = "egress_refused"


class TransientError(ConnectorError):
    kind = "transient"
    retryable = True


class BadPayload(ConnectorError):
    kind = "bad_payload"


class RequestRejected(ConnectorError):
    """The network refused the request as malformed (4xx other than auth and 429)."""

    kind = "request_rejected"


def classify_status(status: int) -> type[ConnectorError] | None:
    """The error class for an HTTP status, or None when the response is usable."""
    if status < 400:
        return None
    if status in (401, 403):
        return CredentialsRejected
    if status == 429:
        return RateLimited
    if status in (408, 425) or status >= 500:
        return TransientError
    return RequestRejected
