import httpx
import pytest


async def test_lists_all_eighteen_networks(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/networks")
    assert response.status_code == 200
    slugs = {n["slug"] for n in response.json()["data"]}
    assert len(slugs) == 18
    assert {"awin", "cj", "rakuten", "amazon", "postaffiliatepro", "netaffiliation"} <= slugs


async def test_network_shape(client: httpx.AsyncClient) -> None:
    awin = (await client.get("/v1/networks/awin")).json()
    assert awin["name"] == "Awin"
    assert "api_sync" in awin["capabilities"]
    token = next(f for f in awin["fields"] if f["key"] == "api_token")
    assert token["secret"] is True
    assert token["required"] is True
    assert token["label"]
    assert token["help"]
    publisher = next(f for f in awin["fields"] if f["key"] == "publisher_id")
    assert publisher["required"] is False
    amazon = (await client.get("/v1/networks/amazon")).json()
    assert amazon["capabilities"] == ["deeplinks", "file_upload"]
    marketplace = next(f for f in amazon["fields"] if f["key"] == "marketplace")
    assert marketplace["choices"]


@pytest.mark.parametrize(
    ("q", "slug"),
    [
        ("kwanko", "netaffiliation"),
        ("LinkShare", "rakuten"),
        ("hasoffers", "tune"),
        ("VIGLINK", "sovrn"),
        ("commission junction", "cj"),
        ("ascend", "pepperjam"),
        ("awin", "awin"),
    ],
)
async def test_search_matches_names_slugs_and_aliases(
    client: httpx.AsyncClient, q: str, slug: str
) -> None:
    found = (await client.get("/v1/networks", params={"q": q})).json()["data"]
    assert slug in {n["slug"] for n in found}


async def test_search_without_match_is_empty(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/networks", params={"q": "zzzz"})).json()["data"] == []


async def test_unknown_network_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/networks/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
