"""Skimlinks' token exchange: the client id and secret go as a JSON body to the
authentication API, which answers `access_token`, `timestamp` and `expiry_timestamp`
(seven days apart). The token is no bearer header: it rides in the `access_token` query
parameter of every Reporting and Merchant API call (shared/networks/skimlinks.md §1)."""

from __future__ import annotations

from collections.abc import Mapping

from app.connectors.auth import InQuery, TokenExchange
from app.connectors.errors import BadPayload
from app.connectors.http import RequestSpec

TOKEN_URL = "https://authentication.skimapis.com/access_token"
# What the documented example lives when a token answer leaves its expiry out.
WEEK = 7 * 24 * 3600


class SkimlinksToken(TokenExchange):
    place = InQuery("access_token")

    def token_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        body = {
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
            "grant_type": "client_credentials",
        }
        return RequestSpec("POST", TOKEN_URL, json=body)

    def read_token(self, payload: Mapping[str, object]) -> tuple[str, int]:
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise BadPayload("skimlinks", "the Skimlinks token answer has no access_token")
        issued, expires = payload.get("timestamp"), payload.get("expiry_timestamp")
        try:
            lifetime = int(str(expires)) - int(str(issued))
        except ValueError:
            lifetime = WEEK
        return token, lifetime if lifetime > 0 else WEEK

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return credentials["client_id"]


def token_publisher(token: str) -> str | None:
    """The publisher a token was issued to: tokens read `<publisher id>:<issued>:<hash>`."""
    head, sep, _ = token.partition(":")
    return head if sep and head.isdigit() else None
