"""The catalog matches DESIGN.md's contract, finds networks by any of their names, and
every network's form accepts a realistic filled-in form."""

from __future__ import annotations

from typing import Any

import pytest

from app.catalog import (
    CATALOG,
    FormField,
    get_network,
    search_networks,
    secret_keys,
    validate_credentials,
)
from app.connectors.base import Connector
from app.connectors.registry import connector_class
from app.errors import ValidationFailed
from app.links.service import builder

# DESIGN.md, "Network catalog: onboarding fields": slug -> (name, {key: (secret, required)}).
DESIGN: dict[str, tuple[str, dict[str, tuple[bool, bool]]]] = {
    "adtraction": ("AdTraction", {"api_token": (True, True), "currency": (False, True)}),
    "amazon": (
        "Amazon Associates",
        {"store_id": (False, True), "currency": (False, True), "marketplace": (False, True)},
    ),
    "avantlink": ("AvantLink", {"affiliate_id": (False, True), "api_key": (True, True)}),
    "awin": (
        "Awin",
        {"api_token": (True, True), "timezone": (False, True), "publisher_id": (False, False)},
    ),
    "cj": (
        "CJ",
        {
            "username": (False, True),
            "password": (True, True),
            "personal_access_token": (True, True),
            "company_id": (False, True),
        },
    ),
    "flexoffers": (
        "FlexOffers",
        {
            "domain_id": (False, True),
            "domain_name": (False, True),
            "domain_url": (False, True),
            "api_key": (True, True),
        },
    ),
    "netaffiliation": (
        "NetAffiliation (Kwanko)",
        {
            "login": (False, True),
            "webservices_password": (True, True),
            "xml_feed_url": (False, True),
        },
    ),
    "partnerize": (
        "Partnerize",
        {"application_key": (True, True), "user_api_key": (True, True)},
    ),
    "pepperjam": (
        "Pepperjam",
        {
            "username": (False, True),
            "password": (True, True),
            "api_key": (True, True),
            "currency": (False, True),
        },
    ),
    "postaffiliatepro": (
        "Post Affiliate Pro",
        {
            "username": (False, True),
            "password": (True, True),
            "domain": (False, True),
            "currency": (False, True),
            "timezone": (False, False),
        },
    ),
    "rakuten": (
        "Rakuten Advertising (LinkShare)",
        {
            "username": (False, True),
            "password": (True, True),
            "sid": (False, True),
            "client_id": (False, False),
            "client_secret": (True, False),
            "report_token": (True, False),
            "report_name": (False, False),
        },
    ),
    "refersion": ("Refersion Marketplace", {"graphql_token": (True, True)}),
    "skimlinks": (
        "Skimlinks",
        {"publisher_id": (False, True), "client_id": (False, True), "client_secret": (True, True)},
    ),
    "sovrn": (
        "Sovrn Commerce",
        {"api_key": (True, True), "secret_key": (True, True), "currency": (False, True)},
    ),
    "tradedoubler": (
        "Tradedoubler",
        {
            "username": (False, True),
            "password": (True, True),
            "client_id": (False, True),
            "client_secret": (True, True),
        },
    ),
    "tradetracker": (
        "TradeTracker",
        {"customer_id": (False, True), "passphrase": (True, True), "country": (False, True)},
    ),
    "tune": ("Tune (HasOffers)", {"api_key": (True, True), "network_id": (False, True)}),
    "webgains": (
        "Webgains",
        {
            "username": (False, False),
            "password": (True, False),
            "network": (False, True),
            "campaign_id": (False, True),
            "publisher_id": (False, True),
            "api_token": (True, False),
        },
    ),
}

# Optional fields a network adds beyond DESIGN.md because its API supports them.
EXTRA_OPTIONAL: dict[str, set[str]] = {
    "adtraction": {"channel_id", "market"},
    "avantlink": {"website_id", "region"},
    "cj": {"website_id", "currency"},
    "netaffiliation": {"tracking_feed_url"},
    "partnerize": {"publisher_id"},
    "skimlinks": {"domain_id"},
    "tradedoubler": {"source_id"},
    "tune": {"timezone"},
}

# A realistic filled-in form per network, and what it cleans to where that differs.
VALID: dict[str, dict[str, Any]] = {
    "adtraction": {"api_token": "E0E6BF3556DB0D83C8B401EBACBD6F1B0670633E", "currency": "sek"},
    "amazon": {"store_id": "mysite-20", "currency": "USD", "marketplace": "US"},
    "avantlink": {"affiliate_id": "123456", "api_key": "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"},
    "awin": {"api_token": "3f2b8c1e-7a4d-4e0f-9b6a-2c5d8e1f0a3b", "timezone": "Europe/London"},
    "cj": {
        "username": "publisher@example.com",
        "password": "correct horse battery staple",
        "personal_access_token": "3kq0v2m7c1x9z8b4n6p5r2t0ya",
        "company_id": "7654321",
    },
    "flexoffers": {
        "domain_id": "165",
        "domain_name": "example-blog.com",
        "domain_url": "https://example-blog.com",
        "api_key": "6c1e0f58-2d7b-4b9a-8f3e-0a1b2c3d4e5f",
    },
    "netaffiliation": {
        "login": "editor@example.fr",
        "webservices_password": "Ab3dEf6hIj9k",
        "xml_feed_url": "http://flux.netaffiliation.com/flux_prog.php?taff=0A1B2C3D4E5F",
    },
    "partnerize": {"application_key": "f8Dk2LmQp0", "user_api_key": "Zr7Ty1UiOp3As5Df"},
    "pepperjam": {
        "username": "publisher@example.com",
        "password": "s3cret!",
        "api_key": "7b0f3e2a9c4d1e8f6a5b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f",
        "currency": "USD",
    },
    "postaffiliatepro": {
        "username": "affiliate@example.com",
        "password": "pa55word",
        "domain": "demo.postaffiliatepro.com",
        "currency": "EUR",
    },
    "rakuten": {"username": "publisher", "password": "pa55word", "sid": 1234567},
    "refersion": {"graphql_token": "rfsn_9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
    "skimlinks": {
        "publisher_id": "189513",
        "client_id": "e13fab2bc7d84960aee4049d971422cb",
        "client_secret": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    },
    "sovrn": {
        "api_key": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "secret_key": "0f9e8d7c6b5a49382716a5b4c3d2e1f0",
        "currency": "USD",
    },
    "tradedoubler": {
        "username": "publisher@example.com",
        "password": "pa55word",
        "client_id": "8b6f2c1a-3d4e-4f50-9a1b-2c3d4e5f6a7b",
        "client_secret": "Qm9vZ2llV29vZ2llQm9vZ2ll",
    },
    "tradetracker": {
        "customer_id": "12345",
        "passphrase": "3a311fd3d68428c72d22576bb158848f95e1e0b5",
        "country": "nl",
    },
    "tune": {"api_key": "0123456789abcdef0123456789abcdef", "network_id": "arabclicks"},
    "webgains": {
        "username": "publisher@example.com",
        "password": "pa55word",
        "network": "uk",
        "campaign_id": "123456",
        "publisher_id": "234567",
        "api_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    },
}
CLEANED_DIFFERENTLY = {
    ("adtraction", "currency"): "SEK",
    ("rakuten", "sid"): "1234567",
    ("tradetracker", "country"): "NL",
}

# One value in the wrong form per network: (field, value).
BAD_FORMAT: dict[str, tuple[str, Any]] = {
    "adtraction": ("currency", "SEKK"),
    "amazon": ("store_id", "mysite"),
    "avantlink": ("affiliate_id", "abc123"),
    "awin": ("timezone", "Europe/Madrid"),
    "cj": ("company_id", "CID-7654321"),
    "flexoffers": ("domain_url", "example-blog.com"),
    "netaffiliation": ("xml_feed_url", "ftp://flux.netaffiliation.com/flux_prog.php"),
    "partnerize": ("publisher_id", "1l1007802!"),
    "pepperjam": ("currency", "US$"),
    "postaffiliatepro": ("domain", "https://demo.postaffiliatepro.com"),
    "rakuten": ("sid", "12ab"),
    "refersion": ("graphql_token", ["rfsn_token"]),
    "skimlinks": ("client_id", "not-a-client-id"),
    "sovrn": ("currency", "EURO"),
    "tradedoubler": ("source_id", "site-1"),
    "tradetracker": ("country", "ZZ"),
    "tune": ("network_id", "arab clicks.com"),
    "webgains": ("network", "mars"),
}

ALL_SLUGS = sorted(DESIGN)


def _errors(network_slug: str, values: dict[str, Any]) -> dict[str, str]:
    network = get_network(network_slug)
    assert network is not None
    with pytest.raises(ValidationFailed) as failed:
        validate_credentials(network, values)
    assert failed.value.status == 422
    return {e.field: e.message for e in failed.value.errors}


def test_exactly_the_networks_of_the_design() -> None:
    assert len(CATALOG) == 18
    assert sorted(n.slug for n in CATALOG) == ALL_SLUGS


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_name_fields_and_secret_flags_match_the_design(slug: str) -> None:
    network = get_network(slug)
    assert network is not None
    name, fields = DESIGN[slug]
    assert network.name == name
    by_key = {f.key: f for f in network.fields}
    for key, (is_secret, required) in fields.items():
        assert key in by_key, f"{slug} lacks {key}"
        assert (by_key[key].secret, by_key[key].required) == (is_secret, required), key
    extras = set(by_key) - set(fields)
    assert extras == EXTRA_OPTIONAL.get(slug, set())
    assert all(not by_key[key].required for key in extras)
    assert "nickname" not in by_key
    assert secret_keys(network) == {k for k, (s, _) in fields.items() if s}


def test_catalog_is_sorted_by_name() -> None:
    names = [n.name.casefold() for n in CATALOG]
    assert names == sorted(names)


@pytest.mark.parametrize("network", CATALOG, ids=lambda n: n.slug)
def test_capabilities_say_what_the_code_does(network) -> None:  # type: ignore[no-untyped-def]
    cls = connector_class(network.slug)
    caps = network.capabilities
    assert ("api_sync" in caps) == (cls is not None)
    assert ("file_upload" in caps) == (cls is None)
    hooks = ("programs", "programs_requests", "programs_request")
    lists = cls is not None and any(getattr(cls, h) is not getattr(Connector, h) for h in hooks)
    assert ("programs" in caps) == lists
    assert ("deeplinks" in caps) == (builder(network.slug) is not None)


@pytest.mark.parametrize("network", CATALOG, ids=lambda n: n.slug)
def test_every_field_is_documented(network: Any) -> None:
    assert network.website.startswith("https://")
    for form_field in network.fields:
        assert isinstance(form_field, FormField)
        assert form_field.label.strip()
        assert 30 <= len(form_field.help) <= 400, form_field.key
        if form_field.type == "choice":
            assert form_field.choices
            assert len(set(form_field.choice_values)) == len(form_field.choice_values)
        if form_field.secret:
            assert form_field.example is None, "no example values for secrets"


def test_choice_lists() -> None:
    awin_timezone = get_network("awin").field("timezone")  # type: ignore[union-attr]
    assert awin_timezone.type == "choice"
    assert "Europe/London" in awin_timezone.choice_values
    assert "Europe/Madrid" not in awin_timezone.choice_values
    amazon = get_network("amazon").field("marketplace")  # type: ignore[union-attr]
    assert {"US", "UK", "DE", "JP"} <= set(amazon.choice_values)
    webgains = get_network("webgains").field("network")  # type: ignore[union-attr]
    assert {"uk", "us", "de", "fr"} <= set(webgains.choice_values)


def test_get_network_is_exact() -> None:
    assert get_network("awin") is not None
    assert get_network("Awin") is None
    assert get_network("nope") is None


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("kwanko", "netaffiliation"),
        ("Net Affiliation", "netaffiliation"),
        ("linkshare", "rakuten"),
        ("link share", "rakuten"),
        ("Rakuten Advertising", "rakuten"),
        ("hasoffers", "tune"),
        ("Has Offers", "tune"),
        ("viglink", "sovrn"),
        ("Sovrn Commerce", "sovrn"),
        ("commission junction", "cj"),
        ("CJ Affiliate", "cj"),
        ("cj-affiliate", "cj"),
        ("ascend", "pepperjam"),
        ("post aff pro", "postaffiliatepro"),
        ("postaffiliatepro", "postaffiliatepro"),
        ("Post-Affiliate-Pro", "postaffiliatepro"),
        ("PAP", "postaffiliatepro"),
        ("amazon", "amazon"),
        ("Amazon Associates", "amazon"),
        ("refersion", "refersion"),
        ("performance horizon", "partnerize"),
        ("affiliate window", "awin"),
        ("TRADE TRACKER", "tradetracker"),
        ("tradedoubler", "tradedoubler"),
        ("skim", "skimlinks"),
    ],
)
def test_search_finds_networks_by_any_name(query: str, slug: str) -> None:
    assert slug in [n.slug for n in search_networks(query)]


def test_search_without_a_query_lists_everything_and_misses_are_empty() -> None:
    assert search_networks(None) == list(CATALOG)
    assert search_networks("   ") == list(CATALOG)
    assert search_networks("no such network") == []
    assert [n.slug for n in search_networks("kwanko")] == ["netaffiliation"]


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_a_realistic_form_is_accepted(slug: str) -> None:
    network = get_network(slug)
    assert network is not None
    cleaned = validate_credentials(network, VALID[slug])
    assert set(cleaned) == set(VALID[slug])
    for key, value in VALID[slug].items():
        assert cleaned[key] == CLEANED_DIFFERENTLY.get((slug, key), value)
    assert validate_credentials(network, cleaned) == cleaned, "cleaning is idempotent"


@pytest.mark.parametrize(
    ("slug", "key"),
    [(slug, key) for slug in ALL_SLUGS for key, (_, req) in DESIGN[slug][1].items() if req],
)
@pytest.mark.parametrize("absent", ["missing", "blank"])
def test_each_required_field_is_required(slug: str, key: str, absent: str) -> None:
    values = dict(VALID[slug])
    if absent == "missing":
        del values[key]
    else:
        values[key] = "   "
    assert _errors(slug, values) == {f"credentials.{key}": "is required"}


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_a_value_in_the_wrong_form_is_named(slug: str) -> None:
    key, value = BAD_FORMAT[slug]
    errors = _errors(slug, {**VALID[slug], key: value})
    assert list(errors) == [f"credentials.{key}"]
    assert errors[f"credentials.{key}"] != "is required"
