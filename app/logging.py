"""Logging set-up with a filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

# API keys, bearer tokens and `password=...`-style pairs in messages and URLs.
_PATTERNS = (
    re.compile(r"nl_[a-z0-9]{12}_[A-Za-z0-9_-]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:password|passphrase|secret|token|api_?key|access_?token|client_secret)"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
    ),
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        if not root.handlers:
            logging.basicConfig(
                level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
            )
        for handler in root.handlers:
            handler.addFilter(RedactingFilter())
