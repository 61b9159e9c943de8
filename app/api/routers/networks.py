"""The catalog of networks netledger connects to, with each one's onboarding form."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.api.schemas.common import problem_responses
from app.api.schemas.networks import NetworkList, NetworkOut
from app.catalog import get_network, search_networks
from app.errors import NotFound

router = APIRouter(prefix="/v1/networks", tags=["networks"])


@router.get("", operation_id="listNetworks", response_model=NetworkList)
async def list_networks(
    q: str | None = Query(
        default=None, description="Matches names, slugs and aliases, case-insensitively."
    ),
) -> NetworkList:
    """Every network netledger connects to, or those matching `q`."""
    return NetworkList(data=[NetworkOut.of(n) for n in search_networks(q)])


@router.get(
    "/{slug}",
    operation_id="getNetwork",
    response_model=NetworkOut,
    responses=problem_responses(404),
)
async def get_network_by_slug(slug: str) -> NetworkOut:
    """One network and its onboarding form."""
    network = get_network(slug)
    if network is None:
        raise NotFound(f"No network '{slug}'; GET /v1/networks lists them.")
    return NetworkOut.of(network)
