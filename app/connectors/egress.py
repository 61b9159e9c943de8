"""The guard on hosts a user supplies (a publisher's own domain, a feed URL, a webhook).

netledger calls only public addresses for them: a name that resolves to a loopback,
private, link-local or otherwise non-public address — or to an IPv4-mapped, 6to4 or NAT64
form of one — is refused unless the operator allows its network (`NETLEDGER_EGRESS_ALLOW`).
The check resolves the name once; a caller that connects later resolves again, so pin
the connection to the returned addresses where DNS rebinding matters.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address

_SHARED = IPv4Network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_HINT = "netledger only calls public addresses unless the operator allows it with "
_HINT += "NETLEDGER_EGRESS_ALLOW"


class EgressRefused(Exception):
    """A user-supplied host netledger will not call; the message says which and why."""

    def __init__(self, host: str, message: str) -> None:
        super().__init__(message)
        self.host = host
        self.message = message


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 address stands for."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in prefix for prefix in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: Address) -> str | None:
    """What makes `address` non-public ("a private address"), or None when it is public."""
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            kind = _kind(inner)
            return f"{kind} in IPv6 form" if kind else None
        if address.is_site_local:
            return "a site-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, IPv4Address) and address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a non-public address"
    return None


def _allowed(address: Address, allow: Sequence[Network]) -> bool:
    candidates: list[Address] = [address]
    if isinstance(address, IPv6Address) and (inner := _embedded_ipv4(address)) is not None:
        candidates.append(inner)
    return any(a in network for a in candidates for network in allow)


async def _resolve(host: str, port: int | None) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise EgressRefused(host, f"{host} does not resolve") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise EgressRefused(host, f"{host} does not resolve")
    return addresses


async def check_host(host: str, port: int | None, allow: Sequence[Network]) -> list[str]:
    """The addresses `host` resolves to (A and AAAA), or `EgressRefused` when any of them
    is not public and not inside `allow`. Literal IPs are checked without DNS."""
    bare = host.strip().removeprefix("[").removesuffix("]")
    try:
        literal: Address | None = ip_address(bare)
    except ValueError:
        literal = None
    addresses = [str(literal)] if literal is not None else await _resolve(bare, port)
    for text in addresses:
        address = ip_address(text.partition("%")[0])
        kind = _kind(address)
        if kind is None or _allowed(address, allow):
            continue
        where = f"{bare} is" if literal is not None else f"{bare} resolves to {address},"
        raise EgressRefused(host, f"{where} {kind}; {_HINT}")
    return addresses


async def check_url(url: str, allow: Sequence[Network]) -> None:
    """Refuse `url` unless it is http(s) with a host that passes `check_host`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise EgressRefused(url, f"{url[:100]!r} is not a valid URL") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise EgressRefused(url, f"{url[:100]!r} is not an http or https URL")
    if not parts.hostname:
        raise EgressRefused(url, f"{url[:100]!r} has no host")
    default_port = 443 if parts.scheme.lower() == "https" else 80
    await check_host(parts.hostname, port or default_port, allow)
