"""Waiting on a network inside an API request: bounded, and a failure named.

A job may wait as long as a network needs (its own limits apply); a request answers
within `NETLEDGER_UPSTREAM_REQUEST_SECONDS` whatever the network does: a 504 problem when
the network does not answer in time, a 502 when it cannot be reached or keeps failing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.catalog import get_network
from app.connectors.errors import TransientError, Unavailable
from app.errors import UpstreamTimeout, UpstreamUnavailable


def _name(slug: str) -> str:
    network = get_network(slug)
    return network.name if network else slug


def deadline(seconds: float) -> float:
    """The event-loop time `seconds` from now: one bound shared by a request's calls."""
    return asyncio.get_running_loop().time() + seconds


@asynccontextmanager
async def waiting_on(slug: str, until: float) -> AsyncIterator[None]:
    """Run the block until the loop time `until`; what the network does wrong is a problem."""
    try:
        async with asyncio.timeout_at(until):
            yield
    except TimeoutError:
        raise UpstreamTimeout(
            f"{_name(slug)} did not answer in time; try again later", network=slug
        ) from None
    except (TransientError, Unavailable) as exc:
        raise UpstreamUnavailable(
            f"{_name(slug)} could not answer: {exc.message}", network=slug
        ) from exc
