"""The sandbox network kit: what a network author builds `app/sandbox/<slug>.py` from.

A network is one module named after its catalog slug (`app.sandbox.registry` finds it;
nothing else needs editing). It exports `build_app()`, `expected(account, epoch, spec,
start, end, **options)` (the rows it serves: its handlers render the same function's
output) and `CONNECTIONS` (two or more `SandboxConnection`s: demo and contract-suite
accounts), and may set `ID_RANGE = (lo, hi)` for its advertiser ids. The app is a
`NetworkSandbox` subclass (`app.sandbox.base`), whose gate runs every API request:
stats, latency, injected `fail_next`, auth, call budgets, handler, `malformed_next`.

- Routes: `self.api(path, handler, methods, authenticate=..., rate_limited=...)`; a
  handler is `async (request, who: Identity) -> Response`.
- Auth: set `auth` to a strategy: `HeaderKey(header, prefix)` (`Authorization: secret
  <key>`), `QueryKey("api_key")`, `Basic()`; per instance `self.auth = OAuth2(self)` (add
  `self.oauth.route()` to the routes; `token_ttl_seconds` knob) or `Sessions(self, ...)`
  (route the login with `authenticate=sessions.credentials(user, secret)` and
  `sessions.login`, or call `sessions.start(credential)` from your own login handler;
  `session_ttl_seconds` knob, `POST /_sandbox/expire_sessions`). The `Identity.credential`
  a strategy returns is what `/_sandbox/stats` logs per request.
- Errors: `error(request, status, message)` renders every failure, injected ones and 429s
  included. It may answer HTTP 200 with an error body (Tune, Post Affiliate Pro) or a
  text `KO ...`; `retry_after = None` keeps `Retry-After` off 429s the network never sends.
- Parameters: `params.required/day/moment/window/integer/page_size/choice` raise
  `ParamError`, which the gate renders through `error(...)` (status 400 unless given).
- Paging: `page_slice(items, page, size, first_page)`, `offset_slice`, opaque
  `encode_cursor(offset)` / `decode_cursor(cursor)`, `next_link(request, page=n + 1)`.
- Bodies: `json_body(obj, decimals="number" | "string")`, `csv_body(rows, columns)`,
  `status_text_body(rows, columns)` (`OK n` + lines, or `ok=False` -> `KO message`),
  `xml_body(root, obj, item_tag)`; GraphQL through `graphql.execute_query` (graphql-core).
- Budgets: `rate_limits = {10: 50}` (50 calls per 10 s per credential), `{60: 1}`,
  `{86400: 1500}`; windows of an hour or more are quotas answered by `quota_exceeded`
  (default: `error(429)` with `Retry-After` = seconds until the window frees). Knobs:
  `rate_limit_per_minute` (the 60 s window), `rate_limits` (replaces the declared ones).

A complete network, Sovrn-like (one day per call, 1 call a minute, 404 for an empty day):

    ID_RANGE = (200000, 299999)
    CONNECTIONS = (
        SandboxConnection("Example", {"api_key": "demo-1", "secret_key": "demo-s1"},
                          ("demo-1",), secret_key="secret_key", transactions_path="/sales"),
        SandboxConnection("Example 2", {"api_key": "demo-2", "secret_key": "demo-s2"},
                          ("demo-2",), secret_key="secret_key", transactions_path="/sales"),
    )

    def expected(account, epoch, spec, start=None, end=None, **options) -> list[Txn]:
        orders = data.account("example", account, spec).between(*bounds(start, end))
        return [render(state(o, epoch)) for o in orders]

    class ExampleSandbox(NetworkSandbox):
        slug = "example"
        auth = HeaderKey("Authorization", prefix="secret")
        rate_limits = {60: 1}

        def error(self, request, status, message):
            return json_body({"error": message}, status)

        async def sales(self, request, who):
            day = params.day(request.query_params, "date")
            rows = expected(who.credential, self.epoch, self.spec, day, day)
            if not rows:
                return self.error(request, 404, f"No data for {day}")
            page = params.integer(request.query_params, "page", 1, minimum=1)
            rows = page_slice(rows, page, 100)
            return json_body({"sales": [t.record for t in rows]}, decimals="string")

        def routes(self):
            return [self.api("/sales", self.sales)]

    def build_app():
        return ExampleSandbox().app()
"""

from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, refused
from app.sandbox.kit import params
from app.sandbox.kit.auth import Basic, HeaderKey, QueryKey, basic_credentials
from app.sandbox.kit.encode import csv_body, json_body, status_text_body, xml_body, xml_element
from app.sandbox.kit.oauth import OAuth2, oauth_error
from app.sandbox.kit.paging import (
    decode_cursor,
    encode_cursor,
    next_link,
    offset_slice,
    page_count,
    page_slice,
)
from app.sandbox.kit.sessions import Session, Sessions
from app.sandbox.registry import SandboxConnection

__all__ = [
    "Basic",
    "HeaderKey",
    "Identity",
    "NetworkSandbox",
    "OAuth2",
    "ParamError",
    "QueryKey",
    "SandboxConnection",
    "Session",
    "Sessions",
    "basic_credentials",
    "bounds",
    "csv_body",
    "decode_cursor",
    "encode_cursor",
    "json_body",
    "next_link",
    "oauth_error",
    "offset_slice",
    "page_count",
    "page_slice",
    "params",
    "refused",
    "status_text_body",
    "xml_body",
    "xml_element",
]
