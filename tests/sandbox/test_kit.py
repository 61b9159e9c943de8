"""The sandbox kit, through a tiny network app in process (httpx.ASGITransport)."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from xml.etree import ElementTree as ET

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox.kit import (
    Basic,
    HeaderKey,
    Identity,
    NetworkSandbox,
    OAuth2,
    QueryKey,
    Sessions,
    csv_body,
    decode_cursor,
    encode_cursor,
    json_body,
    next_link,
    offset_slice,
    page_slice,
    params,
    status_text_body,
    xml_body,
)

ROWS = [
    {"id": 1, "amount": Decimal("12.50"), "status": "approved", "note": None},
    {"id": 2, "amount": Decimal("-3.10"), "status": "pending", "note": "a;b"},
]
COLUMNS = ["id", "amount", "status", "note"]
ITEMS = list(range(25))


class Tiny(NetworkSandbox):
    """Sovrn-like key header by default; Tune-like 200 error bodies under /tune."""

    slug = "tiny"
    auth = HeaderKey("Authorization", prefix="secret")
    rate_limits = {10: 3}
    retry_after = None

    def __init__(self) -> None:
        super().__init__()
        self.sessions = Sessions(self, cookie="SID", ttl_seconds=60)
        self.oauth = OAuth2(self, path="/oauth/token", ttl_seconds=60)

    def error(self, request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/tune"):
            return json_body({"response": {"status": -1, "httpStatus": status, "errors": message}})
        if request.url.path == "/text":
            return status_text_body(ok=False, message=message, status=status)
        return json_body({"error": message}, status)

    async def echo(self, request: Request, who: Identity) -> Response:
        return json_body({"credential": who.credential, "details": dict(who.details)})

    async def json(self, request: Request, who: Identity) -> Response:
        mode = request.query_params.get("decimals", "number")
        return json_body({"rows": ROWS}, decimals="string" if mode == "string" else "number")

    async def csv(self, request: Request, who: Identity) -> Response:
        return csv_body(ROWS, COLUMNS, delimiter=request.query_params.get("d", ","))

    async def text(self, request: Request, who: Identity) -> Response:
        day = params.day(request.query_params, "date")
        return status_text_body(ROWS if day.day % 2 else [], ["id", "amount", "status"])

    async def xml(self, request: Request, who: Identity) -> Response:
        programs = [{"@id": 7, "name": "Shop", "active": True}, {"@id": 8, "name": "Other"}]
        return xml_body("feed", {"count": 2, "programs": programs}, {"programs": "program"})

    async def paged(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        size = params.page_size(q, "limit", 10, maximum=20)
        if "cursor" in q:
            offset = decode_cursor(q["cursor"])
            rows = offset_slice(ITEMS, offset, size)
            more = offset + size < len(ITEMS)
            return json_body(
                {"rows": list(rows), "next": encode_cursor(offset + size) if more else None}
            )
        page = params.integer(q, "page", 0, minimum=0)
        rows = page_slice(ITEMS, page, size, first_page=0)
        link = next_link(request, page=page + 1) if (page + 1) * size < len(ITEMS) else None
        return json_body({"rows": list(rows), "next": link})

    async def report(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        start, end = params.day(q, "start"), params.day(q, "end")
        params.window(start, end, max_days=31)
        return json_body({"ok": True})

    def routes(self) -> list[BaseRoute]:
        return [
            self.api("/key", self.echo),
            self.api("/tune/key", self.echo, auth=QueryKey("api_key")),
            self.api("/basic", self.echo, auth=Basic()),
            self.api(
                "/login",
                self.sessions.login,
                ("POST",),
                authenticate=self.sessions.credentials("customer_id", "passphrase"),
                rate_limited=False,
            ),
            self.api("/session", self.echo, auth=self.sessions),
            self.oauth.route(),
            self.api("/bearer", self.echo, auth=self.oauth),
            self.api("/json", self.json),
            self.api("/csv", self.csv),
            self.api("/text", self.text),
            self.api("/xml", self.xml),
            self.api("/paged", self.paged),
            self.api("/report", self.report),
        ]


KEY = {"Authorization": "secret key-one"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=Tiny().app())
    async with httpx.AsyncClient(transport=transport, base_url="http://tiny") as c:
        await c.post("/_sandbox/config", json={"rate_limits": {}})
        yield c


async def knobs(client: httpx.AsyncClient, **values: object) -> None:
    (await client.post("/_sandbox/config", json=values)).raise_for_status()


# ---- encoders ---------------------------------------------------------------------------
async def test_json_decimals_are_exact_numbers_or_strings(client: httpx.AsyncClient) -> None:
    number = await client.get("/json", headers=KEY)
    assert number.headers["content-type"] == "application/json"
    assert '"amount":12.50' in number.text
    assert '"amount":-3.10' in number.text
    assert '"note":null' in number.text
    string = await client.get("/json", params={"decimals": "string"}, headers=KEY)
    assert string.json()["rows"][0]["amount"] == "12.50"


async def test_csv_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/csv", params={"d": ";"}, headers=KEY)
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[:2] == ["id;amount;status;note", "1;12.50;approved;"]
    rows = list(csv.DictReader(io.StringIO(response.text), delimiter=";"))
    assert rows[1] == {"id": "2", "amount": "-3.10", "status": "pending", "note": "a;b"}


async def test_status_text_body_ok_and_ko(client: httpx.AsyncClient) -> None:
    odd = await client.get("/text", params={"date": "2026-06-15"}, headers=KEY)
    assert odd.text == "OK 2\n1;12.50;approved\n2;-3.10;pending\n"
    even = await client.get("/text", params={"date": "2026-06-14"}, headers=KEY)
    assert even.text == "OK 0\n"
    bad = await client.get("/text", params={"date": "15/06/2026"}, headers=KEY)
    assert bad.status_code == 400
    assert bad.text.startswith("KO Invalid date '15/06/2026'")


async def test_xml_body_lists_repeat_an_item_tag(client: httpx.AsyncClient) -> None:
    response = await client.get("/xml", headers=KEY)
    assert response.content.startswith(b"<?xml")
    root = ET.fromstring(response.content)
    assert root.tag == "feed"
    assert root.findtext("count") == "2"
    programs = root.findall("programs/program")
    assert [p.get("id") for p in programs] == ["7", "8"]
    assert programs[0].findtext("active") == "true"


# ---- auth -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "key-one"},
        {"Authorization": "Bearer key-one"},
        {"Authorization": "secret bad-key"},
    ],
)
async def test_header_key_with_a_prefix_refuses(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/key", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]


async def test_header_query_and_basic_keys(client: httpx.AsyncClient) -> None:
    assert (await client.get("/key", headers={"Authorization": "Secret key-one"})).json()[
        "credential"
    ] == "key-one"
    tune = await client.get("/tune/key", params={"api_key": "tk-1"})
    assert tune.json()["credential"] == "tk-1"
    refused = await client.get("/tune/key", params={"api_key": "invalid-1"})
    assert refused.status_code == 200  # Tune's errors come at HTTP 200
    assert refused.json()["response"]["status"] == -1
    basic = await client.get("/basic", auth=("pub", "pw"))
    assert basic.json()["credential"] == "pub"
    assert (await client.get("/basic", auth=("pub", "bad-pw"))).status_code == 401
    missing = await client.get("/basic")
    assert missing.headers["www-authenticate"].startswith("Basic")


async def test_sessions_carry_their_own_credential(client: httpx.AsyncClient) -> None:
    refused = await client.post("/login", data={"customer_id": "c1", "passphrase": "bad-pass"})
    assert refused.status_code == 401
    one = await client.post("/login", data={"customer_id": "c1", "passphrase": "p1"})
    two = await client.post("/login", json={"customer_id": "c2", "passphrase": "p2"})
    sid1, sid2 = one.json()["session_id"], two.json()["session_id"]
    assert sid1 != sid2
    assert one.headers["set-cookie"] == f"SID={sid1}; Path=/; HttpOnly"
    client.cookies.clear()
    for sid, customer in ((sid1, "c1"), (sid2, "c2"), (sid1, "c1")):
        got = await client.get("/session", headers={"Cookie": f"SID={sid}"})
        assert got.json()["credential"] == customer
        assert got.json()["details"]["session"] == sid
    log = (await client.get("/_sandbox/stats")).json()["requests"]
    assert [(r["path"], r["credential"]) for r in log if r["path"] == "/session"] == [
        ("/session", "c1"),
        ("/session", "c2"),
        ("/session", "c1"),
    ]
    for headers in ({}, {"Cookie": "SID=unknown"}):
        expired = await client.get("/session", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["error"]


async def test_sessions_expire_by_knob_and_on_demand(client: httpx.AsyncClient) -> None:
    sid = (await client.post("/login", data={"customer_id": "c1", "passphrase": "p"})).json()[
        "session_id"
    ]
    client.cookies.clear()
    await knobs(client, session_ttl_seconds=0)
    assert (await client.get("/session", headers={"Cookie": f"SID={sid}"})).status_code == 401
    await knobs(client, session_ttl_seconds=60)
    sid = (await client.post("/login", data={"customer_id": "c1", "passphrase": "p"})).json()[
        "session_id"
    ]
    client.cookies.clear()
    assert (await client.get("/session", headers={"Cookie": f"SID={sid}"})).status_code == 200
    assert (await client.post("/_sandbox/expire_sessions")).json() == {"expired": 1}
    assert (await client.get("/session", headers={"Cookie": f"SID={sid}"})).status_code == 401


async def test_oauth2_client_credentials_and_password_grants(client: httpx.AsyncClient) -> None:
    basic = "Basic " + base64.b64encode(b"app-id:app-secret").decode()
    issued = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": basic}
    )
    body = issued.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await client.get("/bearer", headers=bearer)).json()["credential"] == "app-id"
    form = {"client_id": "app-id", "client_secret": "app-secret", "grant_type": "password"}
    user = await client.post("/oauth/token", data={**form, "username": "ann", "password": "pw"})
    token = user.json()["access_token"]
    who = (await client.get("/bearer", headers={"Authorization": f"Bearer {token}"})).json()
    assert who["credential"] == "ann"
    assert who["details"]["client_id"] == "app-id"
    wrong = await client.post("/oauth/token", data={**form, "username": "ann", "password": "bad"})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    odd = await client.post("/oauth/token", data={**form, "grant_type": "implicit"})
    assert odd.json()["error"] == "unsupported_grant_type"
    bad_client = await client.post("/oauth/token", data={**form, "client_secret": "invalid"})
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
    await client.post("/_sandbox/expire_tokens")
    assert (await client.get("/bearer", headers=bearer)).status_code == 401


async def test_oauth2_tokens_expire_after_the_ttl_knob(client: httpx.AsyncClient) -> None:
    await knobs(client, token_ttl_seconds=0)
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "s"}
    token = (await client.post("/oauth/token", data=form)).json()["access_token"]
    refused = await client.get("/bearer", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert "expired" in refused.json()["error"]


# ---- failures ---------------------------------------------------------------------------
async def test_injected_failures_and_429s_can_be_200_error_bodies(
    client: httpx.AsyncClient,
) -> None:
    await knobs(client, fail_next=[503, 429])
    for status in (503, 429):
        response = await client.get("/tune/key", params={"api_key": "tk"})
        assert response.status_code == 200
        assert response.json()["response"] == {
            "status": -1,
            "httpStatus": status,
            "errors": response.json()["response"]["errors"],
        }
    await knobs(client, rate_limits={"10": 1})
    assert (await client.get("/tune/key", params={"api_key": "tk"})).status_code == 200
    throttled = await client.get("/tune/key", params={"api_key": "tk"})
    assert throttled.status_code == 200
    assert throttled.json()["response"]["httpStatus"] == 429


async def test_malformed_corrupts_text_csv_and_xml(client: httpx.AsyncClient) -> None:
    await knobs(client, malformed_next=3)
    text = await client.get("/text", params={"date": "2026-06-15"}, headers=KEY)
    assert text.status_code == 200
    assert not text.text.endswith("\n")  # cut inside a line
    table = await client.get("/csv", headers=KEY)
    assert len(table.text) < len("id,amount,status,note\n1,12.50,approved,\n2,-3.10,pending,a;b\n")
    assert not table.text.endswith("\n")
    with pytest.raises(ET.ParseError):
        ET.fromstring((await client.get("/xml", headers=KEY)).content)
    await knobs(client, malformed_next=1, malformed_kind="wrong_type")
    garbage = await client.get("/csv", headers=KEY)
    assert b"\x00" in garbage.content
    assert (await client.get("/csv", headers=KEY)).text.startswith("id,amount")


# ---- paging and parameters --------------------------------------------------------------
def test_slices() -> None:
    assert list(page_slice(ITEMS, 1, 10)) == ITEMS[:10]
    assert list(page_slice(ITEMS, 2, 10, first_page=0)) == ITEMS[20:]
    assert list(page_slice(ITEMS, 0, 10)) == []
    assert list(offset_slice(ITEMS, 20, 10)) == ITEMS[20:]
    assert decode_cursor(encode_cursor(1234)) == 1234


async def test_page_numbers_next_links_and_cursors(client: httpx.AsyncClient) -> None:
    got, url = [], "/paged?limit=10&page=0"
    while url:
        body = (await client.get(url, headers=KEY)).json()
        got += body["rows"]
        url = body["next"]
    assert got == ITEMS
    got, cursor = [], encode_cursor(0)
    while cursor:
        body = (await client.get("/paged", params={"cursor": cursor}, headers=KEY)).json()
        got += body["rows"]
        cursor = body["next"]
    assert got == ITEMS
    bad = await client.get("/paged", params={"cursor": "not-a-cursor"}, headers=KEY)
    assert (bad.status_code, bad.json()) == (400, {"error": "Invalid cursor"})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-01-01", "Missing required parameter 'end'"),
        ("start=2026-01-01&end=01/02/2026", "Invalid end '01/02/2026'"),
        ("start=2026-01-01&end=2026-02-01", "must not exceed 31 days"),
        ("start=2026-02-01&end=2026-01-01", "must not be before"),
    ],
)
async def test_parameter_errors_are_the_networks_error(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await client.get(f"/report?{query}", headers=KEY)
    assert response.status_code == 400
    assert message in response.json()["error"]


async def test_page_size_maximum(client: httpx.AsyncClient) -> None:
    assert (await client.get("/paged", params={"limit": 20}, headers=KEY)).status_code == 200
    too_big = await client.get("/paged", params={"limit": 21}, headers=KEY)
    assert "limit" in too_big.json()["error"]
    assert (await client.get("/report?start=2026-01-01&end=2026-01-31", headers=KEY)).json() == {
        "ok": True
    }


# ---- budgets ----------------------------------------------------------------------------
async def test_declared_budgets_per_credential_and_knobs(client: httpx.AsyncClient) -> None:
    await knobs(client, rate_limits=None)  # the declared {10: 3}
    for _ in range(3):
        assert (await client.get("/key", headers=KEY)).status_code == 200
    limited = await client.get("/key", headers=KEY)
    assert limited.status_code == 429
    assert "retry-after" not in limited.headers  # retry_after = None: short windows send none
    other = await client.get("/key", headers={"Authorization": "secret key-two"})
    assert other.status_code == 200
    await knobs(client, rate_limits={"10": 100})
    assert (await client.get("/key", headers=KEY)).status_code == 200
    await knobs(client, rate_limit_per_minute=1, rate_limits={})
    assert (await client.get("/key", headers={"Authorization": "secret k3"})).status_code == 200
    assert (await client.get("/key", headers={"Authorization": "secret k3"})).status_code == 429
    config = (await client.get("/_sandbox/config")).json()
    assert config["rate_limits"] == {}
    bad = await client.post("/_sandbox/config", json={"rate_limits": {"ten": 1}})
    assert bad.status_code == 400


async def test_a_spent_daily_quota_says_when_it_frees(client: httpx.AsyncClient) -> None:
    await knobs(client, rate_limits={"86400": 2, "10": 50})
    for _ in range(2):
        assert (await client.get("/key", headers=KEY)).status_code == 200
    spent = await client.get("/key", headers=KEY)
    assert spent.status_code == 429
    assert 86000 < int(spent.headers["retry-after"]) <= 86400
    assert "1 day" in spent.json()["error"]
    await client.post("/_sandbox/reset")
    await knobs(client, rate_limits={"86400": 2})
    assert (await client.get("/key", headers=KEY)).status_code == 200


# ---- GraphQL ----------------------------------------------------------------------------
def test_graphql_executes_selections_and_renames_errors() -> None:
    from app.sandbox.kit.graphql import GraphQLError, build_schema, execute_query

    schema = build_schema(
        "type Query { sales(day: String!): [Sale!]! }\ntype Sale { id: Int amount: String }"
    )

    class Root:
        def sales(self, info: object, day: str) -> list[dict[str, object]]:
            if day == "never":
                raise GraphQLError(f"No sales on {day}")
            return [{"id": 1, "amount": "1.50", "secret": "x"}]

    ok = execute_query(schema, '{ s: sales(day: "2026-01-01") { id } }', root=Root())
    assert ok == {"data": {"s": [{"id": 1}]}}
    refused = execute_query(schema, '{ sales(day: "never") { id } }', root=Root())
    assert refused["data"] is None
    assert refused["errors"][0]["message"] == "No sales on never"
    unknown = execute_query(schema, "{ sales { nope } }", root=Root(), rename=str.upper)
    assert unknown["data"] is None
    messages = sorted(e["message"] for e in unknown["errors"])
    assert messages[0].startswith("ARGUMENT") or messages[0].startswith("FIELD 'SALES' ARGUMENT")
    assert "IS REQUIRED" in messages[0]
    assert messages[1] == "CANNOT QUERY FIELD 'NOPE' ON TYPE 'SALE'."
