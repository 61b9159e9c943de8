"""TradeTracker's SOAP calls, answers and login: `authenticate(customerID, passphrase, sandbox,
locale, demo)` answers a PHPSESSID cookie that every later call sends back; failures are
SOAP Faults at HTTP 500 (shared/networks/tradetracker.md, notes/tradetracker.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.connectors.auth import LoginSession
from app.connectors.errors import BadPayload, CredentialsRejected, RequestRejected
from app.connectors.http import NetworkHttp, RequestSpec, raise_for_status
from app.connectors.soap import SoapFault, SoapMessage, parse_envelope, request_envelope

API = "https://ws.tradetracker.com/soap/affiliate"
NAMESPACE = API
# The country network's language as a `tns:Locale`; the passphrase, not the locale, picks
# the country's data. Only en_GB, nl_NL and fr_FR are seen in working clients.
LOCALES = {
    "NL": "nl_NL",
    "BE": "nl_BE",
    "DE": "de_DE",
    "AT": "de_AT",
    "CH": "de_CH",
    "FR": "fr_FR",
    "GB": "en_GB",
    "ES": "es_ES",
    "IT": "it_IT",
    "PL": "pl_PL",
    "SE": "sv_SE",
    "DK": "da_DK",
    "NO": "nb_NO",
    "FI": "fi_FI",
    "BR": "pt_BR",
}
# Fault texts that mean "log in (again)": a refused login or a missing/expired session.
AUTH_FAULT = re.compile(r"authenticat|session|passphrase|customer ?id|log(ged)? ?in", re.I)


def locale(country: str | None) -> str:
    return LOCALES.get((country or "").upper(), "en_GB")


def call(operation: str, *args: tuple[str, Any]) -> RequestSpec:
    """One rpc/encoded call of `operation` with its ordered arguments."""
    return RequestSpec(
        "POST",
        API,
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{NAMESPACE}/{operation}"',
        },
        content=request_envelope(NAMESPACE, operation, args),
    )


def with_option(name: str) -> Any:
    """A paging slot: the call's envelope again with `options.<name>` set."""

    def put(spec: RequestSpec, value: Any) -> RequestSpec:
        message = parse_envelope(spec.content or b"")
        args = dict(message.args)
        args["options"] = {**(args.get("options") or {}), name: value}
        content = request_envelope(NAMESPACE, message.method, list(args.items()))
        return replace(spec, content=content)

    return put


def raise_for_fault(network: str, response: httpx.Response, *, login: bool) -> None:
    """The error a Fault at HTTP 500 reports: a refused login or a lost session is a
    credentials failure (logged in again once); any other Client fault is our request.
    Server faults and other statuses are left to the status (retried)."""
    if response.status_code != 500:
        return
    try:
        parse_envelope(response.content)
    except SoapFault as fault:
        if AUTH_FAULT.search(fault.message) or (login and fault.code == "Client"):
            raise CredentialsRejected(network, fault.message) from fault
        if fault.code == "Client":
            raise RequestRejected(
                network, f"TradeTracker refused the call: {fault.message}"
            ) from fault
    except ValueError:
        return


def plain(value: Any, tz: ZoneInfo) -> Any:
    """A decoded SOAP value as JSON: times back in the network's zone, as it sent them."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, tz) for v in value]
    return value


def items(network: str, payload: Any, part: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The records of an answer's array `part`: a typed SOAP-ENC array, an untyped wrapper
    of one or more `item`s, or nothing."""
    found = payload.args.get(part) if isinstance(payload, SoapMessage) else None
    if isinstance(found, dict) and set(found) == {"item"}:
        found = found["item"]
    rows = [found] if isinstance(found, dict) else found or []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BadPayload(network, f"TradeTracker's {part} is not a list of items")
    return [plain(row, tz) for row in rows]


class TradeTrackerLogin(LoginSession):
    """A session per (customer ID, passphrase): the same customer ID has a passphrase for
    each country network."""

    def login_request(self, credentials: Mapping[str, str]) -> RequestSpec:
        customer = credentials["customer_id"].strip()
        if not customer.isdigit():
            raise CredentialsRejected("tradetracker", "the customer ID must be digits")
        return call(
            "authenticate",
            ("customerID", int(customer)),
            ("passphrase", credentials["passphrase"]),
            ("sandbox", False),
            ("locale", locale(credentials.get("country"))),
            ("demo", False),
        )

    def checked_login(self, http: NetworkHttp, response: httpx.Response) -> httpx.Response:
        raise_for_fault(http.network, response, login=True)
        raise_for_status(http.network, response, http.scrub)
        return response

    def budget_credential(self, credentials: Mapping[str, str]) -> str:
        return f"{credentials['customer_id']}|{credentials['passphrase']}"
