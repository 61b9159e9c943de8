"""Following a tracking link the way a reader's browser would, hop by hop, to see where it
lands: networks do not tell publishers when a link breaks (a paused program, a merchant
that moved, a redirect that drops the tracking).

Every hop passes the egress guard (a link is user input: it may not reach inside the
operator's network), hops are bounded in number and the whole check in time, and bodies
are never read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import httpx

from app.connectors.egress import EgressRefused, check_url
from app.links.domains import registrable

MAX_HOPS = 10
TIMEOUT_SECONDS = 15.0
USER_AGENT = "Mozilla/5.0 (compatible; netledger-linkcheck/1.0)"


@dataclass
class Hop:
    url: str
    status: int | None = None
    location: str | None = None
    error: str | None = None


@dataclass
class LinkCheck:
    url: str
    hops: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    final_status: int | None = None
    ok: bool = False
    lands_on: str | None = None
    expected_domain: str | None = None
    on_expected_domain: bool | None = None
    tracking_intact: bool | None = None
    error: str | None = None


def destination_in(url: str) -> str | None:
    """The destination a tracking link carries: the first query value, or `key:value` path
    segment (Partnerize's `destination:`), that is itself an absolute http(s) URL."""
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query, keep_blank_values=True):
        if value.startswith(("http://", "https://")):
            return value
    path = unquote(parts.path)
    for marker in ("/destination:", "/murl:"):
        if marker in path:
            return path.split(marker, 1)[1]
    for prefix in ("http://", "https://"):
        at = path.find(prefix)
        if at > 0:
            return path[at:]
    return None


def _query(url: str) -> set[tuple[str, str]]:
    return set(parse_qsl(urlsplit(url).query, keep_blank_values=True))


async def check_link(
    client: httpx.AsyncClient,
    url: str,
    allow: Sequence[IPv4Network | IPv6Network],
    *,
    expected_domain: str | None = None,
    max_hops: int = MAX_HOPS,
    seconds: float = TIMEOUT_SECONDS,
) -> LinkCheck:
    """Follow `url`'s redirects and judge where it lands.

    `expected_domain` is the program's brand where the caller knows it, else the
    registrable domain of the destination the link carries (or of the link itself, for
    networks that track on the merchant's own pages). The tracking is intact when the link
    lands on that domain, every query parameter of the destination arrives, and a link on
    the merchant's own site keeps its own parameters (its tracking code) too."""
    report = LinkCheck(url)
    destination = destination_in(url)
    on_site = destination is None
    expected = expected_domain or registrable(urlsplit(destination or url).hostname)
    report.expected_domain = expected
    try:
        async with asyncio.timeout(seconds):
            await _follow(client, url, allow, max_hops, report)
    except TimeoutError:
        report.error = f"gave up after {seconds:g} s"
    if report.final_url is None or report.error:
        return report
    report.ok = report.final_status is not None and 200 <= report.final_status < 300
    report.lands_on = registrable(urlsplit(report.final_url).hostname)
    if expected is not None:
        report.on_expected_domain = report.lands_on == expected
        kept = _query(url) if on_site else _query(destination or "")
        report.tracking_intact = report.on_expected_domain and kept <= _query(report.final_url)
    return report


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    allow: Sequence[IPv4Network | IPv6Network],
    max_hops: int,
    report: LinkCheck,
) -> None:
    current = url
    for _ in range(max_hops):
        hop = Hop(current)
        report.hops.append(hop)
        try:
            await check_url(current, allow)
            request = client.build_request("GET", current, headers={"User-Agent": USER_AGENT})
            response = await client.send(request, stream=True, follow_redirects=False)
            await response.aclose()
        except EgressRefused as exc:
            hop.error = report.error = exc.message
            return
        except httpx.HTTPError as exc:
            hop.error = report.error = f"{type(exc).__name__}: {exc}"[:300]
            return
        hop.status = response.status_code
        location = response.headers.get("location")
        if response.is_redirect and location:
            hop.location = location
            current = urljoin(current, location)
            continue
        report.final_url, report.final_status = current, response.status_code
        return
    report.error = f"more than {max_hops} redirects"
