"""Refersion Marketplace GraphQL (shared/networks/refersion.md): `POST /` on
graphql.refersion.com, the token in `X-Refersion-Key` (an older docs revision's
`Authorization: Bearer` is accepted too), a refused or missing token answered 403
`{"message": "Forbidden"}` (as probed), GraphQL errors at HTTP 200.

A Marketplace token reaches several brand programs, each its own affiliate account
(`affiliates`: two ACTIVE, one PENDING). `conversions` lists the approved programs'
conversions together, oldest first, filtered by `created_from`/`created_to` (Unix seconds,
both ends in), paged by `first` (at most 200: more is quietly cut to 200) and `offset`.
No call limit is published: none is imposed.

Links are pages of the brand's own site with `rfsn=<affiliate id>.<hash>&subid=<sub-id>`:
a click on the shop's host with a program's rfsn becomes a sale of that program whose
conversion reports the `subid` as `sub_id`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import FieldNode, GraphQLResolveInfo
from graphql.execution.values import get_argument_values
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, bounds, refused
from app.sandbox.data import DataSpec, Txn
from app.sandbox.kit import json_body
from app.sandbox.kit.graphql import graphql_response
from app.sandbox.refersion_records import Program, conversions, payments, programs
from app.sandbox.refersion_schema import SCHEMA
from app.sandbox.registry import SandboxConnection

ID_RANGE = (900000, 999999)
MAX_FIRST = 200


def _connection(nickname: str, token: str) -> SandboxConnection:
    active = sorted(p.affiliate_id for p in programs(token) if p.status == "ACTIVE")
    return SandboxConnection(
        nickname,
        {"graphql_token": token},
        tuple(str(a) for a in active),
        secret_key="graphql_token",
        transactions_path="/",
        status_field="status",
        money_field="commission_total",
        order_field="coupon_code",
    )


CONNECTIONS = (
    _connection("Refersion Marketplace", "rfsn-demo-token-3f9a1c7e52"),
    _connection("Refersion Marketplace (second)", "rfsn-demo-token-b81d04a6e9"),
)


@lru_cache(maxsize=16)
def _all(affiliate: str, epoch: int, spec: DataSpec) -> tuple[Txn, ...]:
    program = next((p for p in _known() if str(p.affiliate_id) == affiliate), None)
    return conversions(program or Program.of(int(affiliate), 0), epoch, spec)


def _known() -> list[Program]:
    return [p for c in CONNECTIONS for p in programs(c.credentials["graphql_token"])]


def expected(
    affiliate: str, epoch: int, spec: DataSpec, start: Any = None, end: Any = None
) -> list[Txn]:
    """One program's conversions created in [start, end) (dates: whole UTC days)."""
    lo, hi = bounds(start, end)
    return [t for t in _all(affiliate, epoch, spec) if lo <= t.event_at < hi]


class Root:
    """The query's top-level fields for one token."""

    def __init__(self, sandbox: RefersionSandbox, token: str) -> None:
        self.sandbox, self.token = sandbox, token
        self.programs = programs(token)

    def _conversions(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        s = self.sandbox
        lo, hi = args.get("created_from"), args.get("created_to")
        rows = [
            t.record
            for p in self.programs
            if p.status == "ACTIVE"
            for t in _all(str(p.affiliate_id), s.epoch, s.spec)
            if (lo is None or int(t.record["created"]) >= lo)
            and (hi is None or int(t.record["created"]) <= hi)
        ]
        if args.get("status"):
            rows = [r for r in rows if r["status"] == str(args["status"]).upper()]
        if args.get("payment_status"):
            paid = str(args["payment_status"]).upper() == "PAID"
            rows = [r for r in rows if (r["payment"] is not None) == paid]
        return sorted(rows, key=lambda r: (int(r["created"]), r["id"]))

    def conversions(self, info: GraphQLResolveInfo, **args: Any) -> list[dict[str, Any]]:
        rows = self._conversions(args)
        offset, first = max(0, args.get("offset") or 0), min(args.get("first") or 50, MAX_FIRST)
        return rows[offset : offset + first]

    def affiliates(self, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        return [p.record() for p in self.programs]

    def payments(self, info: GraphQLResolveInfo, **args: Any) -> list[dict[str, Any]]:
        rows = payments([r for p in self.programs for r in self._program_rows(p)])
        lo, hi = args.get("created_from"), args.get("created_to")
        rows = [r for r in rows if (lo is None or int(r["created"]) >= lo)]
        rows = [r for r in rows if (hi is None or int(r["created"]) <= hi)]
        offset, first = max(0, args.get("offset") or 0), min(args.get("first") or 50, MAX_FIRST)
        return rows[offset : offset + first]

    def _program_rows(self, p: Program) -> list[dict[str, Any]]:
        if p.status != "ACTIVE":
            return []
        return [t.record for t in _all(str(p.affiliate_id), self.sandbox.epoch, self.sandbox.spec)]

    def pageInfo(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        """Totals of the sibling `conversions` query, with its own arguments."""
        field = info.schema.query_type.fields["conversions"]  # type: ignore[union-attr]
        total = None
        for node in info.operation.selection_set.selections:
            if isinstance(node, FieldNode) and node.name.value == "conversions":
                args = get_argument_values(field, node, info.variable_values)
                total = len(self._conversions(args))
        return {"total_results": {"conversions": total, "affiliates": len(self.programs)}}


class RefersionSandbox(NetworkSandbox):
    slug = "refersion"
    retry_after = None  # Refersion documents the 429, not a Retry-After

    def error(self, request: Request, status: int, message: str) -> Response:
        return json_body({"message": message}, status)

    async def authenticate(self, request: Request) -> Identity | Response:
        token = request.headers.get("x-refersion-key", "").strip()
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        token = token or (bearer.strip() if scheme.lower() == "bearer" else "")
        if refused(token):
            return self.error(request, 403, "Forbidden")
        return Identity(token)

    async def click(self, request: Request, host: str, path: str) -> Response:
        rfsn = request.query_params.get("rfsn", "")
        program = next((p for p in _known() if p.rfsn == rfsn), None)
        if program is None or host.removeprefix("www.") != program.url.split("//")[1]:
            return await super().click(request, host, path)
        if program.status != "ACTIVE":
            return PlainTextResponse(f"affiliate {program.affiliate_id} is {program.status}", 400)
        # The affiliate account is the brand's program: any of its sandbox advertisers sells.
        shop = self.account(str(program.affiliate_id))
        seller = next(a for a in shop.advertisers if a.relationship == "joined")
        sub_id = request.query_params.get("subid")
        destination = str(request.url.replace(scheme="https", netloc=host, path=f"/{path}"))
        return clicks.record(self, str(program.affiliate_id), seller.id, sub_id, destination)

    async def graphql(self, request: Request, who: Identity) -> Response:
        return await graphql_response(SCHEMA, request, Root(self, who.credential))

    def routes(self) -> list[BaseRoute]:
        return [self.api("/", self.graphql, ("POST",))]


def build_app() -> Any:
    return RefersionSandbox().app()
