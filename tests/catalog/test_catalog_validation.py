"""The rules behind each field type, and how errors are reported."""

from __future__ import annotations

from typing import Any

import pytest

from app.catalog import FormField, get_network, validate_credentials, validate_value
from app.catalog.model import Network
from app.catalog.validation import check_country, check_currency, check_timezone
from app.errors import ValidationFailed


def _network(slug: str) -> Network:
    network = get_network(slug)
    assert network is not None
    return network


def _field(kind: str, **extra: Any) -> FormField:
    return FormField("value", "Value", "A value for the rule under test.", kind, **extra)  # type: ignore[arg-type]


def _message(form_field: FormField, value: Any) -> str:
    with pytest.raises(ValidationFailed) as failed:
        validate_value(form_field, value)
    [error] = failed.value.errors
    assert error.field == f"credentials.{form_field.key}"
    return error.message


def _errors(slug: str, values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failed:
        validate_credentials(_network(slug), values)
    return {e.field: e.message for e in failed.value.errors}


CJ = {
    "username": "publisher@example.com",
    "password": "pa55word",
    "personal_access_token": "3kq0v2m7c1x9z8b4n6p5r2t0ya",
    "company_id": "7654321",
}


# --- currency, country, timezone -------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [("usd", "USD"), (" EUR ", "EUR"), ("Sek", "SEK")])
def test_currency_is_upper_cased(given: str, stored: str) -> None:
    assert validate_value(_field("currency"), given) == stored


@pytest.mark.parametrize("value", ["US", "DOLLAR", "XAU", "XXX", "HRK", "ZZZ", "12$"])
def test_currency_must_be_active_iso_4217_money(value: str) -> None:
    assert "ISO 4217" in _message(_field("currency"), value)


def test_check_currency_and_timezone_as_other_services_use_them() -> None:
    assert check_currency("GBP") is None
    assert check_currency("gbp") is None
    assert check_currency("GBX") is not None
    assert check_timezone("Europe/Berlin") is None
    assert check_timezone("UTC") is None
    assert "Europe/Berlin" in (check_timezone("europe/berlin") or "")
    assert check_timezone("Mars/Olympus_Mons") is not None


@pytest.mark.parametrize(("given", "stored"), [("nl", "NL"), ("BR", "BR"), ("uk", "GB")])
def test_country_is_an_upper_case_alpha_2_code(given: str, stored: str) -> None:
    assert validate_value(_field("country"), given) == stored


@pytest.mark.parametrize("value", ["ZZ", "NLD", "Netherlands", "N"])
def test_country_must_be_iso_3166_alpha_2(value: str) -> None:
    assert "ISO 3166-1" in _message(_field("country"), value)


def test_check_country_suggests_the_iso_code_for_uk() -> None:
    assert check_country("GB") is None
    assert "GB" in (check_country("UK") or "")


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Europe/London", "Europe/London"), ("america/new_york", "America/New_York"), ("utc", "UTC")],
)
def test_timezone_is_an_iana_name_in_its_canonical_spelling(given: str, stored: str) -> None:
    assert validate_value(_field("timezone"), given) == stored


@pytest.mark.parametrize("value", ["GMT+2", "Europe/Londres", "CEST", "+01:00"])
def test_timezone_must_be_iana(value: str) -> None:
    assert "IANA" in _message(_field("timezone"), value)


def test_awin_timezone_is_limited_to_awins_list() -> None:
    awin = {"api_token": "3f2b8c1e-7a4d-4e0f-9b6a-2c5d8e1f0a3b"}
    assert validate_credentials(_network("awin"), {**awin, "timezone": "us/pacific"}) == {
        **awin,
        "timezone": "US/Pacific",
    }
    message = _errors("awin", {**awin, "timezone": "Asia/Tokyo"})["credentials.timezone"]
    assert message.startswith("must be one of: UTC, Europe/London")


# --- url and domain ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://example-blog.com",
        "http://flux.netaffiliation.com/flux_prog.php?taff=ABC",
        "https://example.com:8443/path",
    ],
)
def test_url_accepts_http_and_https_with_a_host(value: str) -> None:
    assert validate_value(_field("url"), value) == value


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("example-blog.com", "https://"),
        ("ftp://example.com/feed", "https://"),
        ("https://", "host"),
        ("https:///path", "host"),
        ("https://exa mple.com", "spaces"),
        ("https://example.com:99999/", "port"),
        ("javascript:alert(1)", "https://"),
    ],
)
def test_url_rejects(value: str, says: str) -> None:
    assert says in _message(_field("url"), value)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("demo.postaffiliatepro.com", "demo.postaffiliatepro.com"),
        ("Demo.PostAffiliatePro.com/", "demo.postaffiliatepro.com"),
        ("affiliates.example.co.uk.", "affiliates.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domain_is_a_lower_case_host_name(given: str, stored: str) -> None:
    assert validate_value(_field("domain"), given) == stored


def test_domain_with_a_scheme_says_to_drop_it() -> None:
    message = _message(_field("domain"), "https://demo.postaffiliatepro.com")
    assert "https://" in message
    assert "drop the scheme" in message
    assert "demo.postaffiliatepro.com" in message


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("demo.postaffiliatepro.com/affiliates", "without a path"),
        ("demo.postaffiliatepro.com:8080", "without a port"),
        ("me@example.com", "e-mail"),
        ("localhost", "with a dot"),
        ("bad_host.example.com", "not a valid host name"),
        ("-bad.example.com", "not a valid host name"),
        ("10.0.0.1", "with a dot"),
    ],
)
def test_domain_rejects(value: str, says: str) -> None:
    assert says in _message(_field("domain"), value)


# --- network-specific formats -----------------------------------------------------------


@pytest.mark.parametrize("value", ["mysite-20", "mysite-21", "my.site-22", "MySite0A-20"])
def test_amazon_store_id_ends_with_two_digits(value: str) -> None:
    store_id = _network("amazon").field("store_id")
    assert validate_value(store_id, value) == value


@pytest.mark.parametrize(
    "value", ["mysite", "mysite20", "mysite-2", "mysite-200", "-20", "my site-20"]
)
def test_amazon_store_id_rejects(value: str) -> None:
    message = _message(_network("amazon").field("store_id"), value)
    assert "hyphen and two digits" in message


def test_amazon_marketplace_is_a_choice() -> None:
    marketplace = _network("amazon").field("marketplace")
    assert validate_value(marketplace, "uk") == "UK"
    assert _message(marketplace, "Atlantis").startswith("must be one of: US, CA")


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("3kq0v2m7c1x9z8b4n6p5r2t0ya", True),  # the documented 26 characters
        ("A" * 20, True),
        ("a-b_c.d~" * 8, True),  # 64
        ("A" * 19, False),
        ("A" * 65, False),
        ("3kq0v2m7c1x9 z8b4n6p5r2t0ya", False),
        ("3kq0v2m7c1x9/z8b4n6p5r2t0ya", False),
    ],
)
def test_cj_personal_access_token_is_a_soft_length_rule(token: str, ok: bool) -> None:
    values = {**CJ, "personal_access_token": token}
    if ok:
        assert validate_credentials(_network("cj"), values)["personal_access_token"] == token
    else:
        message = _errors("cj", values)["credentials.personal_access_token"]
        assert "26" in message
        assert token not in message


@pytest.mark.parametrize(
    ("slug", "key"),
    [
        ("avantlink", "affiliate_id"),
        ("cj", "company_id"),
        ("flexoffers", "domain_id"),
        ("rakuten", "sid"),
        ("skimlinks", "publisher_id"),
        ("tradetracker", "customer_id"),
        ("webgains", "campaign_id"),
        ("awin", "publisher_id"),
    ],
)
def test_numeric_ids_are_digits(slug: str, key: str) -> None:
    form_field = _network(slug).field(key)
    assert form_field.type == "integer"
    assert validate_value(form_field, " 0012345 ") == "0012345"
    assert validate_value(form_field, 12345) == "12345"
    assert "digits" in _message(form_field, "12 345")
    assert "digits" in _message(form_field, "-5")
    assert "digits" in _message(form_field, 12.5)


def test_tune_network_id_is_a_host_label() -> None:
    network_id = _network("tune").field("network_id")
    assert validate_value(network_id, "vcm-network") == "vcm-network"
    assert "arabclicks" in _message(network_id, "arabclicks.api.hasoffers.com")


def test_webgains_network_matches_value_or_label_in_any_case() -> None:
    network = _network("webgains").field("network")
    assert validate_value(network, "UK") == "uk"
    assert validate_value(network, "germany (webgains.de)") == "de"
    assert "uk, ie, fr" in _message(network, "gb")


def test_skimlinks_client_credentials_are_32_hex() -> None:
    client_secret = _network("skimlinks").field("client_secret")
    assert "32 hexadecimal" in _message(client_secret, "g" * 32)
    assert "32 hexadecimal" in _message(client_secret, "a" * 31)


# --- types, secrets, absent optionals, groups -------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (True, "true/false"),
        (["a"], "an array"),
        ({"a": 1}, "an object"),
        (float("nan"), "finite"),
    ],
)
def test_values_must_be_strings_or_numbers(value: Any, says: str) -> None:
    assert says in _message(_field("string"), value)


def test_numbers_become_strings() -> None:
    assert validate_value(_field("string"), 42) == "42"
    assert validate_value(_field("string"), 42.0) == "42"
    assert validate_value(_field("string"), 4.5) == "4.5"


def test_values_are_trimmed_and_control_characters_refused() -> None:
    assert validate_value(_field("string"), "  abc\u200b ") == "abc"
    assert "line break" in _message(_field("string"), "ab\ncd")
    assert "line break" in _message(_field("string"), "ab\u200bcd")


def test_secrets_have_a_sane_maximum_and_are_never_echoed() -> None:
    password = _network("cj").field("password")
    assert validate_value(password, "p" * 4096) == "p" * 4096
    message = _message(password, "p" * 4097)
    assert message == "must be at most 4096 characters"
    avantlink_key = _network("avantlink").field("api_key")
    assert "SECRETVALUE" not in _message(avantlink_key, "SECRETVALUE")


def test_optional_fields_are_left_out_when_absent_or_blank() -> None:
    awin = _network("awin")
    values = {"api_token": "tok-123", "timezone": "UTC"}
    assert validate_credentials(awin, {**values, "publisher_id": "   "}) == values
    assert validate_credentials(awin, {**values, "publisher_id": None}) == values
    assert validate_credentials(awin, {**values, "publisher_id": " 189069 "}) == {
        **values,
        "publisher_id": "189069",
    }


def test_rakuten_client_id_and_secret_come_together() -> None:
    rakuten = _network("rakuten")
    base = {"username": "publisher", "password": "pa55word", "sid": "1234567"}
    assert validate_credentials(rakuten, base) == base
    both = {**base, "client_id": "my-app", "client_secret": "s3cret"}
    assert validate_credentials(rakuten, both) == both
    assert _errors("rakuten", {**base, "client_id": "my-app"}) == {
        "credentials.client_secret": "is required when client_id is given"
    }
    assert _errors("rakuten", {**base, "client_secret": "s3cret", "client_id": ""}) == {
        "credentials.client_id": "is required when client_secret is given"
    }


def test_webgains_takes_an_api_token_or_a_login() -> None:
    webgains = _network("webgains")
    base = {"network": "uk", "campaign_id": "123456", "publisher_id": "234567"}
    token = {**base, "api_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln"}
    assert validate_credentials(webgains, token) == token
    login = {**base, "username": "me@example.com", "password": "pa55word"}
    assert validate_credentials(webgains, login) == {
        "username": "me@example.com",
        "password": "pa55word",
        **base,
    }
    way = "is required: give api_token or username and password"
    assert _errors("webgains", base) == {
        "credentials.api_token": way,
        "credentials.username": way,
        "credentials.password": way,
    }
    assert _errors("webgains", {**base, "username": "me@example.com"}) == {
        "credentials.api_token": way,
        "credentials.password": way,
    }


# --- unknown keys and many errors at once -----------------------------------------------


def test_unknown_keys_are_refused_with_the_expected_ones() -> None:
    errors = _errors("tune", {"api_key": "k", "network_id": "vcm", "networkid": "vcm"})
    assert errors == {
        "credentials.networkid": "is not a field of Tune (HasOffers); expected one of: "
        "api_key, network_id, timezone (did you mean 'network_id'?)"
    }


def test_nickname_inside_credentials_is_pointed_out() -> None:
    errors = _errors("refersion", {"graphql_token": "t", "nickname": "Main"})
    assert errors == {"credentials.nickname": "goes beside `credentials`, not inside it"}


def test_every_bad_field_is_named_at_once() -> None:
    values = {
        "password": "pa55word",
        "personal_access_token": "short",
        "company_id": "CID7",
        "website_id": "abc",
        "region": "us",
    }
    errors = _errors("cj", values)
    assert set(errors) == {
        "credentials.username",
        "credentials.personal_access_token",
        "credentials.company_id",
        "credentials.website_id",
        "credentials.region",
    }
    assert errors["credentials.username"] == "is required"
    assert errors["credentials.region"].startswith("is not a field of CJ")


def test_failure_carries_problem_details() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_credentials(_network("sovrn"), {"currency": "usd"})
    body = failed.value.body()
    assert body["status"] == 422
    assert body["errors"] == [
        {"field": "credentials.api_key", "message": "is required"},
        {"field": "credentials.secret_key", "message": "is required"},
    ]


def test_credentials_must_be_an_object() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_credentials(_network("sovrn"), ["api_key"])  # type: ignore[arg-type]
    assert failed.value.errors[0].field == "credentials"


# --- the model refuses inconsistent definitions ------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key": "nickname", "type": "string"},
        {"key": "Bad-Key", "type": "string"},
        {"key": "k", "type": "secret"},
        {"key": "k", "type": "string", "secret": True},
        {"key": "k", "type": "choice"},
        {"key": "k", "type": "string", "pattern": "^x$"},
        {"key": "k", "type": "colour"},
    ],
)
def test_form_fields_refuse_inconsistent_definitions(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        FormField(label="L", help="Some help text.", **kwargs)
