"""Body decoders: JSON, XML, CSV and status-line text, their empties and their failures."""

from decimal import Decimal

import pytest

from app.connectors.decoders import Csv, Json, StatusBody, StatusText, Xml, as_list

EMPTIES = [b"", b"   ", b"\n\r\n\t"]


@pytest.mark.parametrize("decoder", [Json(), Xml(), Csv(), StatusText()])
@pytest.mark.parametrize("body", EMPTIES)
def test_an_empty_body_is_no_records(decoder: Json | Xml | Csv | StatusText, body: bytes) -> None:
    assert decoder.decode(body, "") is None


def test_json_numbers_are_decimal() -> None:
    decoded = Json().decode(b'{"amount": 12.50, "count": 3, "ids": [1, 2]}', "application/json")
    assert decoded == {"amount": Decimal("12.50"), "count": 3, "ids": [1, 2]}
    assert isinstance(decoded["amount"], Decimal)


@pytest.mark.parametrize("body", [b"{", b"<html>error</html>", b'{"a": 1} trailing', b"\xff"])
def test_json_refuses_what_is_not_json(body: bytes) -> None:
    with pytest.raises(ValueError, match="not JSON"):
        Json().decode(body, "application/json")


FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<report xmlns="urn:feed" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2">
  <count>2</count>
  <empty/>
  <nothing xsi:nil="true"/>
  <sale id="s1" currency="EUR">
    <amount>12.50</amount>
    <note>  padded  </note>
  </sale>
  <sale id="s2">
    <amount>3.00</amount>
    <note/>
  </sale>
  <price currency="USD">9.99</price>
</report>"""


def test_xml_shape() -> None:
    assert Xml().decode(FEED, "text/xml") == {
        "@version": "2",
        "count": "2",
        "empty": None,
        "nothing": None,
        "sale": [
            {"@id": "s1", "@currency": "EUR", "amount": "12.50", "note": "padded"},
            {"@id": "s2", "amount": "3.00", "note": None},
        ],
        "price": {"@currency": "USD", "#text": "9.99"},
    }


def test_xml_keeps_namespaces_when_asked() -> None:
    decoded = Xml(strip_namespaces=False).decode(b'<a xmlns="urn:x"><b>1</b></a>', "")
    assert decoded == {"{urn:x}b": "1"}


def test_xml_a_single_child_is_not_a_list() -> None:
    decoded = Xml().decode(b"<r><sale><id>1</id></sale></r>", "")
    assert decoded == {"sale": {"id": "1"}}
    assert as_list(decoded["sale"]) == [{"id": "1"}]
    assert as_list(None) == []
    assert as_list([1, 2]) == [1, 2]


def test_xml_a_leaf_root_is_its_text() -> None:
    assert Xml().decode(b"<ok>yes</ok>", "") == "yes"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<r>&secret;</r>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_refuses_entities(body: bytes) -> None:
    with pytest.raises(ValueError, match="XML body was refused"):
        Xml().decode(body, "text/xml")


@pytest.mark.parametrize("body", [b"<a><b></a>", b"not xml", b"<a/><b/>"])
def test_xml_refuses_what_is_not_xml(body: bytes) -> None:
    with pytest.raises(ValueError, match="not XML"):
        Xml().decode(body, "text/xml")


def test_csv_rows_by_header() -> None:
    body = b'\xef\xbb\xbfid,amount,note\r\n1,12.50,"a, b"\r\n2,3.00,"two\r\nlines"\r\n\r\n'
    assert Csv().decode(body, "text/csv") == [
        {"id": "1", "amount": "12.50", "note": "a, b"},
        {"id": "2", "amount": "3.00", "note": "two\r\nlines"},
    ]


def test_csv_delimiter_and_encoding() -> None:
    body = "id;merchant\n1;Café\n".encode("latin-1")
    assert Csv(delimiter=";", encoding="latin-1").decode(body, "") == [
        {"id": "1", "merchant": "Café"}
    ]


def test_csv_header_only_is_no_rows() -> None:
    assert Csv().decode(b"id,amount\n", "") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"id,amount\n1,2\n3\n", "CSV line 3 has 1 cells, the header has 2"),
        (b"id,amount\n1,2,3\n", "CSV line 2 has 3 cells"),
        (b"id,id\n1,2\n", "repeats a column"),
        (b'id,amount\n1,"2\n', "CSV line"),
        (b"id\n\xff\n", "not utf-8 text"),
    ],
)
def test_csv_refuses_malformed_bodies(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Csv().decode(body, "text/csv")


def test_status_text_rows_by_column() -> None:
    body = b"OK 2\r\n1;12.50;approved\r\n2;3.00;pending\r\n"
    decoded = StatusText(columns=("id", "amount", "status")).decode(body, "text/plain")
    assert decoded == StatusBody(
        ok=True,
        count=2,
        message="",
        rows=[
            {"id": "1", "amount": "12.50", "status": "approved"},
            {"id": "2", "amount": "3.00", "status": "pending"},
        ],
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"OK", StatusBody(True, None, "", [])),
        (b"ok 0\n", StatusBody(True, 0, "", [])),
        (b"Ok\na|b\nc|d", StatusBody(True, None, "", [["a", "b"], ["c", "d"]])),
        (b"KO invalid key", StatusBody(False, None, "invalid key", [])),
        (b"ko\nsession expired\n", StatusBody(False, None, "session expired", [])),
    ],
)
def test_status_text_forms(body: bytes, expected: StatusBody) -> None:
    assert StatusText(delimiter="|").decode(body, "text/plain") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"OK 2\n1;2;3\n4;5\n", "line 3 has 2 fields, expected 3"),
        (b"\nOK\n\n1;2;3;4\n", "line 4 has 4 fields, expected 3"),
        (b"<html>maintenance</html>", "first line is not OK or KO"),
        (b"OKAY 3", "first line is not OK or KO"),
    ],
)
def test_status_text_refuses_malformed_bodies(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StatusText(columns=("a", "b", "c")).decode(body, "text/plain")
