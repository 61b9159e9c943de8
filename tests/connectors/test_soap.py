"""SOAP 1.1 rpc/encoded both ways, and a request as PHP's SoapClient writes it."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from app.connectors.soap import (
    SoapFault,
    fault_envelope,
    parse_envelope,
    request_envelope,
    response_envelope,
)

NS = "http://ws.tradetracker.com/soap/affiliate"
CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    "value",
    [
        "text",
        "",
        "a < b & c > d 'quoted' \"double\" €",
        0,
        -42,
        2**40,
        True,
        False,
        Decimal("12.50"),
        Decimal("-0.001"),
        Decimal("1E+3"),
        datetime(2026, 3, 29, 2, 30, tzinfo=CET),
        datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=UTC),
        date(2026, 3, 29),
        None,
        {"id": 1, "amount": Decimal("3.10"), "name": "x", "nothing": None},
        {},
        [1, 2, 3],
        ["one"],  # a one-item array is still a list
        [],
        [{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}],
        [1, "two", None, Decimal("3.0")],
        [[1], [2, 3]],
    ],
)
def test_values_round_trip_both_ways(value: Any) -> None:
    request = parse_envelope(request_envelope(NS, "echo", [("value", value), ("n", 1)]))
    assert request.method == "echo"
    assert request.args == {"value": value, "n": 1}
    response = parse_envelope(response_envelope(NS, "echo", value))
    assert response.method == "echoResponse"
    assert response.args == {"return": value}


def test_types_survive_exactly() -> None:
    args = parse_envelope(
        request_envelope(
            NS, "m", [("d", Decimal("12.50")), ("t", datetime(2026, 1, 1, tzinfo=UTC))]
        )
    ).args
    assert str(args["d"]) == "12.50"
    assert args["t"].tzinfo is not None


def test_the_envelope_is_rpc_encoded() -> None:
    body = request_envelope(NS, "getConversionTransactions", [("ids", [1]), ("x", None)])
    text = body.decode()
    assert 'SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"' in text
    assert f'xmlns:ns1="{NS}"' in text
    assert "<ns1:getConversionTransactions>" in text
    assert 'xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:int[1]"' in text
    assert '<item xsi:type="xsd:int">1</item>' in text
    assert '<x xsi:nil="true"/>' in text
    response = response_envelope(NS, "authenticate", True, name="result").decode()
    assert '<ns1:authenticateResponse><result xsi:type="xsd:boolean">true</result>' in response


@pytest.mark.parametrize("value", [1.5, object(), datetime(2026, 1, 1), Decimal("NaN")])
def test_unencodable_values_are_refused(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        request_envelope(NS, "m", [("v", value)])


def test_bad_names_are_refused() -> None:
    with pytest.raises(ValueError, match="not an XML element name"):
        request_envelope(NS, "m", [("a b", 1)])
    with pytest.raises(ValueError, match="not an XML element name"):
        response_envelope(NS, "m", {"<x>": 1})


def test_a_fault_raises() -> None:
    with pytest.raises(SoapFault) as fault:
        parse_envelope(fault_envelope("Server", "Invalid credentials & more"))
    assert fault.value.code == "Server"
    assert fault.value.message == "Invalid credentials & more"
    with pytest.raises(SoapFault) as client_fault:
        parse_envelope(fault_envelope("SOAP-ENV:Client", "bad argument"))
    assert client_fault.value.code == "Client"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not XML"),
        (b"<html><body>502 Bad Gateway</body></html>", "not a SOAP envelope"),
        (b"{}", "not XML"),
        (
            b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/>'
            b"</e:Envelope>",
            "no Body content",
        ),
        (
            b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"></e:Envelope>',
            "no Body content",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Envelope><Body><m>&a;</m></Body></Envelope>',
            "refused",
        ),
    ],
)
def test_a_body_that_is_not_an_envelope(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_envelope(body)


def test_a_value_that_does_not_match_its_type() -> None:
    body = request_envelope(NS, "m", [("n", "twelve")]).replace(b"xsd:string", b"xsd:int")
    with pytest.raises(ValueError, match="<n> is not a int"):
        parse_envelope(body)


# As PHP's SoapClient sends it in non-WSDL mode with typed SoapVars: ns1 for the service,
# SOAP-ENC arrays with an arrayType, an Apache Map for an associative array, line breaks.
PHP_REQUEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:ns1="http://ws.tradetracker.com/soap/affiliate"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:ns2="http://xml.apache.org/xml-soap"
 xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
 SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
<SOAP-ENV:Body>
<ns1:getConversionTransactions>
<affiliateSiteID xsi:type="xsd:int">123456</affiliateSiteID>
<options xsi:type="ns1:ConversionTransactionFilter">
<registrationDateFrom xsi:type="xsd:date">2026-03-01</registrationDateFrom>
<registrationDateTo xsi:type="xsd:dateTime">2026-03-31T23:59:59+02:00</registrationDateTo>
<transactionStatus xsi:type="xsd:string">accepted</transactionStatus>
<limit xsi:type="xsd:int">100</limit>
<includeVoid xsi:type="xsd:boolean">1</includeVoid>
<campaignIDs SOAP-ENC:arrayType="xsd:int[1]" xsi:type="SOAP-ENC:Array">
<item xsi:type="xsd:int">42</item>
</campaignIDs>
<minimumCommission xsi:type="xsd:float">0.5</minimumCommission>
<reference xsi:nil="true"/>
</options>
<extra xsi:type="ns2:Map">
<item><key xsi:type="xsd:string">locale</key><value xsi:type="xsd:string">nl_NL</value></item>
<item><key xsi:type="xsd:string">demo</key><value xsi:type="xsd:boolean">false</value></item>
</extra>
<emptyList SOAP-ENC:arrayType="xsd:anyType[0]" xsi:type="SOAP-ENC:Array"/>
<plain>untyped</plain>
</ns1:getConversionTransactions>
</SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"""


def test_a_php_soapclient_request() -> None:
    message = parse_envelope(PHP_REQUEST)
    assert message.method == "getConversionTransactions"
    assert message.args == {
        "affiliateSiteID": 123456,
        "options": {
            "registrationDateFrom": date(2026, 3, 1),
            "registrationDateTo": datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC),
            "transactionStatus": "accepted",
            "limit": 100,
            "includeVoid": True,
            "campaignIDs": [42],
            "minimumCommission": Decimal("0.5"),
            "reference": None,
        },
        "extra": {"locale": "nl_NL", "demo": False},
        "emptyList": [],
        "plain": "untyped",
    }
    assert isinstance(message.args["options"]["minimumCommission"], Decimal)
