"""The checks every link passes, whatever its network: the destination, the program's
standing, its domain where the network credits by it, the sub-id rule, the encoding."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.errors import ValidationFailed
from app.links.checks import check_destination, check_program
from app.links.format import LinkFormat, LinkProgram, SubIdRule, encoded

FORMAT = LinkFormat("template", SubIdRule("sid", 10))
ON_SITE = LinkFormat("template", SubIdRule("sid", 10), on_program_domain=True)


def program(**fields: object) -> LinkProgram:
    base: dict = {"id": "p", "external_id": "42", "account_id": "", "name": "Shoe Palace"}
    return LinkProgram(**(base | fields))


def refusal(call, *args) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as failed:
        call(*args)
    error = failed.value.errors[0]
    return error.field, error.message


@pytest.mark.parametrize(
    "bad",
    ["", "shoes.example/x", "ftp://shoes.example/x", "https://localhost/", "https://a b.example/"],
)
def test_destinations_must_be_absolute_web_urls(bad: str) -> None:
    assert refusal(check_destination, bad)[0] == "destination_url"
    assert refusal(check_destination, bad, "url")[0] == "url"


def test_a_long_destination_is_refused() -> None:
    assert "2048" in refusal(check_destination, "https://shoes.example/" + "x" * 2048)[1]


def test_standing_and_deep_links_decide() -> None:
    check_program(program(relationship="joined"), FORMAT, "www.shoes.example")
    check_program(program(relationship=None), FORMAT, "www.shoes.example")  # not known yet
    for word in ("pending", "declined", "not_joined"):
        field, message = refusal(check_program, program(relationship=word), FORMAT, None)
        assert field == "program_id"
        assert word.replace("_", " ") in message
    field, message = refusal(check_program, program(deeplinks=False), FORMAT, None)
    assert (field, "deep links" in message) == ("program_id", True)


def test_the_programs_domain_where_the_network_credits_by_it() -> None:
    shoes = program(domains=("www.shoes.example",))
    check_program(shoes, FORMAT, "elsewhere.example")
    check_program(shoes, ON_SITE, "shop.shoes.example")
    field, message = refusal(check_program, shoes, ON_SITE, "elsewhere.example")
    assert field == "destination_url"
    assert "www.shoes.example" in message


def test_sub_id_rules() -> None:
    rule = SubIdRule("sid", 5, r"a-z", "lower-case letters")
    assert rule.problem("abcde") is None
    assert "at most 5" in (rule.problem("abcdef") or "")
    assert "'X'" in (rule.problem("abX") or "")
    assert rule.problem("") == "must not be empty"


@pytest.mark.parametrize("value", ["https://x.example/a?b=c&d=e f#g", "ümlaut/é?x=1", "~-._Az09"])
def test_encoding_matches_quote(value: str) -> None:
    assert encoded(value) == quote(value, safe="")
