"""The Refersion Marketplace sandbox over real HTTP, held to Refersion's documentation samples
(shared/networks/fixtures/refersion/): the same queries answer the same shapes and types,
the token in `X-Refersion-Key`, 403 for a refused one, offset paging capped at 200."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.sandbox.refersion import CONNECTIONS, MAX_FIRST
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import fresh_client

# From the documentation samples (shared/networks/fixtures/refersion/, refersion/docs
# graphql-for-marketplace-users and pagination pages), one row each.
SHOP = {"name": "refersion-test"}
SAMPLES: dict[str, Any] = {
    "affiliates": {
        "data": {
            "affiliates": [
                {
                    "shop": {
                        "name": "refersion-demo",
                        "url": "http://refersion-demo.refersion.com",
                        "shop_identifier": "12345678",
                    },
                    "id": 123456,
                    "status": "ACTIVE",
                    "rfsn_parameter": "&rfsn=1111110.c4845",
                }
            ]
        }
    },
    "conversions": [
        {
            "total": "24.00",
            "commission_total": "4.80",
            "currency": "USD",
            "created": "1526674258",
            "shop": SHOP,
            "payment": {"created": "1527027021"},
        },
        {
            "total": "0.00",
            "commission_total": "1.00",
            "currency": "USD",
            "created": "1525717323",
            "shop": SHOP,
            "payment": None,
        },
    ],
    "payments": {
        "data": {
            "payments": [
                {
                    "id": 13453,
                    "created": "1527193893",
                    "commission_total": "9.40",
                    "currency": "USD",
                    "total_conversions": 6,
                    "shop": SHOP,
                }
            ]
        }
    },
    "page_info": {"total_results": {"conversions": 800}},
}
TOKEN = CONNECTIONS[0].credentials["graphql_token"]
HEADERS = {"X-Refersion-Key": TOKEN}
# The documentation's sample queries (graphql-for-marketplace-users, pagination).
AFFILIATES = "{ affiliates { shop { name url shop_identifier } id status rfsn_parameter } }"
CONVERSIONS = (
    "{ conversions(created_from: 1577836800 created_to: 1893456000) "
    "{ total commission_total currency created shop { name } payment { created } } }"
)
PAYMENTS = (
    "{ payments(created_from: 1577836800 created_to: 1893456000) "
    "{ id created commission_total currency total_conversions shop { name } } }"
)


def shape(value: Any) -> Any:
    """Keys and JSON types, for comparing a served body with a sample."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["refersion"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["refersion"]) as c:
        yield c


def ask(client: httpx.Client, query: str, headers: dict[str, str] = HEADERS, **variables: Any):  # type: ignore[no-untyped-def]
    return client.post("/", json={"query": query, "variables": variables}, headers=headers)


@pytest.mark.parametrize(
    ("query", "sample", "field"),
    [
        (AFFILIATES, "affiliates", "affiliates"),
        (PAYMENTS, "payments", "payments"),
    ],
)
def test_the_documented_samples_have_the_served_shape(
    client: httpx.Client, query: str, sample: str, field: str
) -> None:
    served = ask(client, query).json()
    assert served["data"][field]
    assert shape(served) == shape(SAMPLES[sample])


def test_conversions_as_documented_paid_or_not(client: httpx.Client) -> None:
    rows = ask(client, CONVERSIONS + "").json()["data"]["conversions"]
    sample = SAMPLES["conversions"]
    paid = next(r for r in rows if r["payment"] is not None)
    unpaid = next(r for r in rows if r["payment"] is None)
    assert shape(paid) == shape(sample[0])
    assert shape(unpaid) == shape(sample[1])
    assert paid["created"].isdigit()
    assert paid["total"].count(".") == 1


def test_page_info_counts_the_sibling_query(client: httpx.Client) -> None:
    query = (
        "{ conversions(created_from: 1577836800 created_to: 1893456000 first: 50) "
        "{ affiliate { name email } total commission_total currency created } "
        "pageInfo { total_results { conversions } } }"
    )
    body = ask(client, query).json()["data"]
    assert len(body["conversions"]) == 50
    assert body["pageInfo"]["total_results"]["conversions"] > 50
    assert shape(body["pageInfo"]) == shape(SAMPLES["page_info"])
    assert shape(body["conversions"][0]) == {
        "affiliate": {"name": "str", "email": "str"},
        "total": "str",
        "commission_total": "str",
        "currency": "str",
        "created": "str",
    }


def test_paging_by_variables_and_the_cap(client: httpx.Client) -> None:
    query = (
        "query($from: Int!, $to: Int!, $first: Int!, $offset: Int!) "
        "{ conversions(created_from: $from, created_to: $to, first: $first, offset: $offset) "
        "{ id } }"
    )
    window = {"from": 1577836800, "to": 1893456000}
    every = ask(client, query, **window, first=1000, offset=0).json()["data"]["conversions"]
    assert len(every) == MAX_FIRST  # quietly cut: a short page is not the end here
    second = ask(client, query, **window, first=50, offset=50).json()["data"]["conversions"]
    assert second == every[50:100]


def test_the_token_header(client: httpx.Client) -> None:
    refused = ask(client, AFFILIATES, headers={"X-Refersion-Key": "bad-token"})
    assert (refused.status_code, refused.json()) == (403, {"message": "Forbidden"})
    assert ask(client, AFFILIATES, headers={}).status_code == 403
    bearer = ask(client, AFFILIATES, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200


def test_graphql_errors_at_200(client: httpx.Client) -> None:
    wrong = ask(client, "{ conversions { order_number } }")
    assert wrong.status_code == 200
    assert "order_number" in wrong.json()["errors"][0]["message"]


def test_each_brand_in_its_own_currency(client: httpx.Client) -> None:
    rows = ask(client, AFFILIATES).json()["data"]["affiliates"]
    assert [r["status"] for r in rows].count("ACTIVE") == 2
    assert any(r["status"] == "PENDING" for r in rows)
    assert all(r["rfsn_parameter"].startswith(f"&rfsn={r['id']}.") for r in rows)
