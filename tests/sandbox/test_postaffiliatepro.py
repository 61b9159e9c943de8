"""The Post Affiliate Pro sandbox over real HTTP: the `D=<json>` envelope, the affiliate
login and its session, the grids' shape, filters and paging trap, 200-with-error bodies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.sandbox.postaffiliatepro import transactions
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, fresh_client

USER = "affiliate@example.com"
SERVER = "/scripts/server.php"
TX = "Pap_Affiliates_Reports_TransactionsGrid"
NO_LIMITS = {"rate_limits": {}}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["postaffiliatepro"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["postaffiliatepro"], **NO_LIMITS) as c:
        yield c


def send(client: httpx.Client, *calls: dict[str, Any], session: str | None = None) -> Any:
    envelope: dict[str, Any] = {"C": "Gpf_Rpc_Server", "M": "run", "requests": list(calls)}
    if session:
        envelope["S"] = session
    response = client.post(SERVER, data={"D": json.dumps(envelope)})
    assert response.status_code == 200, response.text
    return response.json()


def login_call(password: str = "s3cret", role: str = "A") -> dict[str, Any]:
    fields = [["name", "value"], ["username", USER], ["password", password], ["roleType", role]]
    return {"C": "Gpf_Api_AuthService", "M": "authenticate", "fields": fields}


def login(client: httpx.Client) -> str:
    fields = {row[0]: row[1] for row in send(client, login_call())[0]["fields"][1:]}
    return str(fields["S"])


def grid(client: httpx.Client, session: str, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = send(client, {"C": TX, "M": "getRows", **params}, session=session)[0]
    return answer


def test_login_answers_in_its_body(client: httpx.Client) -> None:
    ok = send(client, login_call())[0]
    assert ok["success"] == "Y"
    fields = {row[0]: row[1] for row in ok["fields"][1:]}
    assert ok["fields"][0] == ["name", "value", "values", "error"]
    assert fields["password"] == "s3cret"  # PAP echoes it: clients must never log this
    assert len(fields["S"]) == 32
    for refused in (login_call("bad-password"), login_call(role="M")):
        answer = send(client, refused)[0]
        assert answer["success"] == "N"
        assert answer["message"] == "Wrong username/password"
        assert "S" not in {row[0] for row in answer["fields"]}
    client.post("/_sandbox/config", json={"login_pending": "Select account"})
    pending = send(client, login_call())[0]
    assert pending["success"] == "Y"
    assert "S" not in {row[0] for row in pending["fields"]}


def test_a_missing_or_expired_session_answers_type_session(client: httpx.Client) -> None:
    call = {"C": TX, "M": "getRows"}
    assert send(client, call) == {"type": "session"}
    session = login(client)
    assert "rows" in grid(client, session)
    client.post("/_sandbox/expire_sessions").raise_for_status()
    assert send(client, call, session=session) == {"type": "session"}


def test_failures_are_200_bodies(client: httpx.Client) -> None:
    session = login(client)
    bad = client.post(SERVER, data={"D": "{not json"})
    assert bad.status_code == 200
    assert "e" in bad.json()[0]
    wrong_op = grid(client, session, filters=[["dateinserted", "D~", "2026-01-01"]])
    assert "Unknown filter operator" in wrong_op["e"]
    unknown = send(client, {"C": "Pap_Nope", "M": "getRows"}, session=session)[0]
    assert "does not exist" in unknown["e"]


def test_grid_shape_columns_and_whole_day_filters(client: httpx.Client) -> None:
    session = login(client)
    day = ["2026-05-01", "2026-05-31"]
    columns = [["id"], ["commission"], ["dateinserted"], ["rstatus"], ["nosuchcolumn"]]
    filters = [["dateinserted", "D>=", day[0]], ["dateinserted", "D<=", day[1]], ["x", "E", "1"]]
    answer = grid(client, session, columns=columns, filters=filters, limit=500)
    header, *rows = answer["rows"]
    assert header == ["id", "commission", "dateinserted", "rstatus"]
    want = transactions(USER, 0, SPEC, date(2026, 5, 1), date(2026, 5, 31))
    assert answer["count"] == len(want) == len(rows) > 10
    assert {r[0] for r in rows} == {t.external_id for t in want}
    assert all(isinstance(v, str) for r in rows for v in r)
    assert min(r[2] for r in rows) >= "2026-05-01 00:00:00"
    assert max(r[2] for r in rows) <= "2026-05-31 23:59:59"
    default = grid(client, session)
    assert default["rows"][0][0] == "id"
    assert "commission" in default["rows"][0]
    assert len(default["rows"]) - 1 == 30  # PAP's default limit


def test_a_page_past_the_end_repeats_the_last_page(client: httpx.Client) -> None:
    session = login(client)
    filters = [["dateinserted", "D>=", "2026-06-01"], ["dateinserted", "D<=", "2026-06-14"]]
    count = grid(client, session, filters=filters, limit=1)["count"]
    last = grid(client, session, filters=filters, offset=count - 3, limit=7)
    past = grid(client, session, filters=filters, offset=count + 4, limit=7)
    assert len(last["rows"]) == 4
    assert past["rows"] == grid(client, session, filters=filters, offset=count - 3, limit=7)["rows"]
    client.post("/_sandbox/config", json={"max_rows": 5})
    assert len(grid(client, session, filters=filters, limit=500)["rows"]) == 6


def test_dates_are_naive_in_the_installations_zone(client: httpx.Client) -> None:
    session = login(client)
    want = {t.external_id: t for t in transactions(USER, 0, SPEC, date(2026, 6, 1), None)}
    rows = grid(client, session, filters=[["dateinserted", "D>=", "2026-06-01"]], limit=500)
    header, *values = rows["rows"]
    for row in values:
        record = dict(zip(header, row, strict=True))
        local = datetime.strptime(record["dateinserted"], "%Y-%m-%d %H:%M:%S")
        expected = want[record["id"]].event_at.astimezone(ZoneInfo("America/Los_Angeles"))
        assert local == expected.replace(tzinfo=None)
    client.post("/_sandbox/config", json={"timezone": "Europe/Berlin"})
    berlin = grid(client, session, filters=[["dateinserted", "D>=", "2026-06-01"]], limit=500)
    assert berlin["rows"][1] != values[0]


def test_refunds_are_negative_rows_with_the_sales_status(client: httpx.Client) -> None:
    rows = transactions(USER, 3, SPEC)
    refunds = [t for t in rows if t.record["rtype"] == "R"]
    assert refunds
    sales = {t.order_id: t for t in rows if t.record["rtype"] == "S"}
    for refund in refunds:
        assert refund.commission_amount <= 0
        assert refund.sale_amount < 0
        assert refund.network_status == sales[refund.order_id].network_status
    assert {t.record["payoutstatus"] for t in rows} == {"P", "U"}


def test_campaigns_carry_the_affiliates_status(client: httpx.Client) -> None:
    session = login(client)
    call = {"C": "Pap_Affiliates_Promo_CampaignsGrid", "M": "getRows"}
    call["columns"] = [["id"], ["name"], ["affstatus"]]
    header, *rows = send(client, call, session=session)[0]["rows"]
    assert header == ["id", "name", "affstatus"]
    assert {r[2] for r in rows} == {"A", "P", "D", ""}
    assert all(len(r[0]) == 8 for r in rows)


def test_hosted_limits_answer_429_without_retry_after(sandbox: Sandbox) -> None:
    with fresh_client(sandbox["postaffiliatepro"]) as client:
        session = login(client)
        grid(client, session)
        throttled = client.post(
            SERVER,
            data={
                "D": json.dumps(
                    {
                        "C": "Gpf_Rpc_Server",
                        "M": "run",
                        "S": session,
                        "requests": [{"C": TX, "M": "getRows"}],
                    }
                )
            },
        )
        assert throttled.status_code == 429
        assert "retry-after" not in throttled.headers
        time.sleep(1.05)
        assert "rows" in grid(client, session)
