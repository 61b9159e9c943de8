import logging

import pytest

from app.logging import REDACTED, RedactingFilter, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.def-123", "abc.def-123"),
        ("key nl_0123456789ab_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ used", "ZZZZZZZZZZZZ"),
        ("GET /x?accessToken=tok-9&x=1", "tok-9"),
        ('{"password": "hunter2", "user": "bob"}', "hunter2"),
        ("client_secret=abc123", "abc123"),
    ],
)
def test_redact_removes_secrets(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_leaves_plain_text() -> None:
    assert redact("synced 12 transactions for awin") == "synced 12 transactions for awin"


def test_filter_rewrites_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("abc",), None)
    RedactingFilter().filter(record)
    assert "abc" not in record.getMessage()
