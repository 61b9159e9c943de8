"""The egress guard on user-supplied hosts, and its operator allow-list. No test needs the
internet: literals skip DNS, `localhost` resolves locally and `.invalid` never resolves."""

import re
from ipaddress import ip_network

import pytest
from pydantic import ValidationError

from app.connectors.egress import EgressRefused, check_host, check_url
from app.settings import Settings


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("[::1]", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("fec0::1", "a site-local address"),
        ("::ffff:10.0.0.5", "a private address in IPv6 form"),
        ("::ffff:127.0.0.1", "a loopback address in IPv6 form"),
        ("2002:a00:5::1", "a private address in IPv6 form"),  # 6to4 of 10.0.0.5
        ("64:ff9b::a00:5", "a private address in IPv6 form"),  # NAT64 of 10.0.0.5
        ("192.0.2.1", "a private address"),  # documentation range (TEST-NET-1)
    ],
)
async def test_non_public_literals_are_refused(address: str, kind: str) -> None:
    with pytest.raises(EgressRefused) as refused:
        await check_host(address, 443, [])
    assert refused.value.host == address
    assert f"is {kind}; netledger only calls public addresses" in str(refused.value)
    assert "NETLEDGER_EGRESS_ALLOW" in refused.value.message


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "64:ff9b::808:808"]
)
async def test_public_literals_pass_without_dns(address: str) -> None:
    assert await check_host(address, 443, []) == [address]


@pytest.mark.parametrize(
    ("address", "allow", "returned"),
    [
        ("10.0.0.5", "10.0.0.0/8", "10.0.0.5"),
        ("::ffff:10.0.0.5", "10.0.0.0/8", "::ffff:a00:5"),  # the embedded address is allowed
        ("fd12:3456::1", "fd00::/8", "fd12:3456::1"),
        ("127.0.0.1", "127.0.0.1/32", "127.0.0.1"),
    ],
)
async def test_the_operator_allows_networks(address: str, allow: str, returned: str) -> None:
    assert await check_host(address, None, [ip_network(allow)]) == [returned]


async def test_an_allow_list_covers_only_its_networks() -> None:
    with pytest.raises(EgressRefused, match=r"10\.0\.0\.5 is a private address"):
        await check_host("10.0.0.5", 80, [ip_network("192.168.0.0/16")])


async def test_names_are_checked_after_resolving() -> None:
    with pytest.raises(EgressRefused, match=r"localhost resolves to (127\.0\.0\.1|::1), a loop"):
        await check_host("localhost", 443, [])
    allowed = await check_host("localhost", 443, [ip_network("127.0.0.0/8"), ip_network("::1")])
    assert "127.0.0.1" in allowed or "::1" in allowed


async def test_a_numeric_host_name_is_resolved_and_checked() -> None:
    # 2130706433 is 127.0.0.1 written as one number: not a literal to ip_address, but the
    # resolver reads it as one.
    with pytest.raises(EgressRefused, match="loopback"):
        await check_host("2130706433", 80, [])


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(EgressRefused, match=r"pap\.invalid does not resolve") as refused:
        await check_host("pap.invalid", 443, [])
    assert refused.value.host == "pap.invalid"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.215.14/feed.csv", "is not an http or https URL"),
        ("file:///etc/passwd", "is not an http or https URL"),
        ("feed.example/export", "is not an http or https URL"),
        ("http:///export", "has no host"),
        ("http://93.184.215.14:99999/", "is not a valid URL"),
        ("http://127.0.0.1:8080/feed", "127.0.0.1 is a loopback address"),
        ("https://[::1]/feed", "::1 is a loopback address"),
        ("https://localhost/feed", "localhost resolves to"),
        ("https://feed.invalid/export", "does not resolve"),
    ],
)
async def test_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(EgressRefused, match=re.escape(message)):
        await check_url(url, [])


async def test_a_public_url_passes() -> None:
    await check_url("https://93.184.215.14/export?x=1", [])
    await check_url("HTTP://93.184.215.14:8080/export", [])
    await check_url("http://10.1.2.3/export", [ip_network("10.0.0.0/8")])


def test_settings_parse_the_allow_list() -> None:
    settings = Settings(NETLEDGER_EGRESS_ALLOW=" 10.0.0.0/8, fd00::/8,192.168.1.5 ,")
    assert settings.egress_allow == (
        ip_network("10.0.0.0/8"),
        ip_network("fd00::/8"),
        ip_network("192.168.1.5/32"),
    )
    assert Settings(NETLEDGER_EGRESS_ALLOW="").egress_allow == ()


@pytest.mark.parametrize("value", ["10.0.0.0/33", "intranet", "10.0.0.1/8"])
def test_settings_refuse_a_bad_cidr(value: str) -> None:
    with pytest.raises(ValidationError, match="NETLEDGER_EGRESS_ALLOW"):
        Settings(NETLEDGER_EGRESS_ALLOW=value)
