"""Checking a connection's credentials against its network's onboarding form.

Errors name the field as `credentials.<key>` and never repeat a secret's value.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from app.catalog.checks import (
    COUNTRY_SYNONYMS,
    canonical_timezone,
    check_country,
    check_currency,
    check_domain,
    check_email,
    check_timezone,
    check_url,
    to_ascii_host,
)
from app.catalog.model import FormField, Network
from app.errors import FieldError, ValidationFailed

__all__ = [
    "InvalidValue",
    "check_country",
    "check_currency",
    "check_domain",
    "check_timezone",
    "check_url",
    "clean_value",
    "validate_credentials",
    "validate_value",
]

# Longest value accepted when the field sets no max_length.
DEFAULT_MAX_LENGTH: dict[str, int] = {
    "secret": 4096,
    "url": 2048,
    "domain": 253,
    "email": 254,
    "integer": 18,
}
DEFAULT_STRING_MAX_LENGTH = 256

_DIGITS = re.compile(r"[0-9]+")
# Copy-paste leftovers that are not whitespace to str.strip().
_INVISIBLE_EDGES = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_JSON_TYPE_NAMES = {list: "an array", tuple: "an array", dict: "an object", bool: "true/false"}


class InvalidValue(ValueError):
    """A value a form field refuses; `message` is safe to show (no secret in it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise InvalidValue("must be a string, not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue("must be a string or a finite number")
        return str(int(value)) if value.is_integer() else str(value)
    kind = _JSON_TYPE_NAMES.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, Mapping):
        kind = "an object"
    raise InvalidValue(f"must be a string, not {kind}")


def _check_length(form_field: FormField, text: str) -> None:
    longest = form_field.max_length or DEFAULT_MAX_LENGTH.get(
        form_field.type, DEFAULT_STRING_MAX_LENGTH
    )
    if len(text) > longest:
        raise InvalidValue(f"must be at most {longest} characters")
    if form_field.min_length and len(text) < form_field.min_length:
        raise InvalidValue(f"must be at least {form_field.min_length} characters")


def _match_choice(form_field: FormField, text: str) -> str:
    choices = form_field.choices or ()
    for choice in choices:
        if text == choice.value:
            return choice.value
    folded = text.casefold()
    for choice in choices:
        if folded in (choice.value.casefold(), choice.label.casefold()):
            return choice.value
    raise InvalidValue("must be one of: " + ", ".join(form_field.choice_values))


def _normalise(form_field: FormField, text: str) -> str:
    """The value in its stored spelling; raises `InvalidValue` if it is not of the field's kind."""
    kind = form_field.type
    problem: str | None = None
    if kind == "integer":
        if not _DIGITS.fullmatch(text):
            example = form_field.example or "1234567"
            raise InvalidValue(f"must be a whole number (digits only), e.g. {example}")
    elif kind == "currency":
        text = text.upper()
        problem = check_currency(text)
    elif kind == "country":
        text = COUNTRY_SYNONYMS.get(text.upper(), text.upper())
        problem = check_country(text)
    elif kind == "timezone":
        text = canonical_timezone(text) or text
        problem = check_timezone(text)
    elif kind == "url":
        problem = check_url(text)
    elif kind == "domain":
        text = text.lower().rstrip("/").rstrip(".")
        problem = check_domain(text)
        if problem is None:
            text = to_ascii_host(text)
    elif kind == "email":
        problem = check_email(text)
    elif kind == "choice":
        text = _match_choice(form_field, text)
    if problem:
        raise InvalidValue(problem)
    return text


def clean_value(form_field: FormField, value: Any) -> str:
    """`value` as the string to store for `form_field`, or `""` when it is absent or blank.

    Raises `InvalidValue` when the value is of the wrong type or form, or when a required
    field is absent or blank.
    """
    text = _as_text(value)
    text = (text or "").strip().strip(_INVISIBLE_EDGES).strip()
    if not text:
        if form_field.required:
            raise InvalidValue("is required")
        return ""
    if any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text):
        raise InvalidValue(
            "contains a line break or an invisible control character; paste it again"
        )
    _check_length(form_field, text)
    text = _normalise(form_field, text)
    if form_field.pattern and not re.fullmatch(form_field.pattern, text):
        raise InvalidValue(f"must be {form_field.format_hint}")
    return text


def validate_value(form_field: FormField, value: Any) -> str:
    """Like `clean_value`, but raises `ValidationFailed` naming `credentials.<key>`."""
    try:
        return clean_value(form_field, value)
    except InvalidValue as bad:
        raise ValidationFailed([FieldError(f"credentials.{form_field.key}", bad.message)]) from None


def _unknown_key_message(network: Network, key: str) -> str:
    if key == "nickname":
        return "goes beside `credentials`, not inside it"
    message = f"is not a field of {network.name}; expected one of: {', '.join(network.keys)}"
    if close := difflib.get_close_matches(key, network.keys, n=1):
        message += f" (did you mean '{close[0]}'?)"
    return message


def _incomplete_groups(
    network: Network, cleaned: Mapping[str, str], already_bad: set[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    for group in network.together:
        given = [key for key in group if key in cleaned]
        if not given or len(given) == len(group):
            continue
        for key in group:
            path = f"credentials.{key}"
            if key not in cleaned and path not in already_bad:
                errors.append(FieldError(path, f"is required when {', '.join(given)} is given"))
    return errors


def _no_way_in(network: Network, cleaned: Mapping[str, str]) -> list[FieldError]:
    """Errors when none of the network's ways in (`one_of`) is given whole."""
    ways = network.one_of
    if not ways or any(all(key in cleaned for key in way) for way in ways):
        return []
    choices = " or ".join(" and ".join(way) for way in ways)
    missing = dict.fromkeys(key for way in ways for key in way if key not in cleaned)
    return [FieldError(f"credentials.{key}", f"is required: give {choices}") for key in missing]


def validate_credentials(network: Network, values: Mapping[str, Any]) -> dict[str, str]:
    """The cleaned credentials for `network`, or `ValidationFailed` naming every bad field.

    Cleaned values are trimmed strings in form order; currency and country codes are
    upper-cased, timezones and choices take their canonical spelling, host names are lower
    case. Optional fields that are absent or blank are left out. Keys the form does not
    have are refused, as are values that are not strings or numbers.
    """
    if not isinstance(values, Mapping):
        raise ValidationFailed([FieldError("credentials", "must be an object of form fields")])
    errors: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for form_field in network.fields:
        try:
            text = clean_value(form_field, values.get(form_field.key))
        except InvalidValue as bad:
            errors.append(FieldError(f"credentials.{form_field.key}", bad.message))
            continue
        if text:
            cleaned[form_field.key] = text
    errors.extend(_incomplete_groups(network, cleaned, {e.field for e in errors}))
    if not errors:
        errors.extend(_no_way_in(network, cleaned))
    known = set(network.keys)
    errors.extend(
        FieldError(f"credentials.{key}", _unknown_key_message(network, str(key)))
        for key in values
        if key not in known
    )
    if errors:
        raise ValidationFailed(errors)
    return cleaned
