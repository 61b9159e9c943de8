"""The NetAffiliation sandbox (requete.php and the programs feed) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from html import escape
from xml.etree import ElementTree as ET

import httpx
import pytest

from app.sandbox import netaffiliation_feed
from app.sandbox.expected import expected_transactions
from app.sandbox.server import Sandbox, running_sandbox
from tests.sandbox.support import SPEC, fresh_client

LOGIN, PASSWORD = "editeur@example.fr", "Wb7kQ2xN4pLs"
AUTH = {"authl": LOGIN, "authv": PASSWORD}
CHAMPS = "idcampagne,id,date,etat,montant,gains,monnaie,argsite,argann,idsite"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(["netaffiliation"]) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with fresh_client(sandbox["netaffiliation"]) as c:
        yield c


def requete(client: httpx.Client, **query: str) -> httpx.Response:
    return client.get("/requete.php", params={**AUTH, **query})


def test_ok_body_in_the_order_champs_asks(client: httpx.Client) -> None:
    response = requete(client, debut="2026-05-01", fin="2026-05-31", etat="vra", champs=CHAMPS)
    assert response.status_code == 200
    first, *lines, last = response.text.split("\n")
    assert last == ""
    assert first == f"OK {len(lines)}"
    want = expected_transactions(
        "netaffiliation", LOGIN, 0, date(2026, 5, 1), date(2026, 5, 31), spec=SPEC
    )
    assert len(want) > 10
    assert lines == [
        ";".join(escape(t.record[c], quote=False) for c in CHAMPS.split(",")) for t in want
    ]
    assert any(" UTC;" in line for line in lines)
    assert any(" UTC;" not in line for line in lines)
    assert any("&amp;" in line for line in lines)


def test_ids_repeat_across_campaigns_not_within_one() -> None:
    rows = expected_transactions("netaffiliation", LOGIN, 0, None, None, spec=SPEC)
    pairs = [(t.advertiser_id, t.record["id"]) for t in rows]
    assert len(set(pairs)) == len(pairs)
    assert len({i for _, i in pairs}) < len(pairs)
    assert all(t.external_id == f"{a}-{i}" for t, (a, i) in zip(rows, pairs, strict=True))


def test_etat_filters_and_paid_is_validated() -> None:
    every = expected_transactions("netaffiliation", LOGIN, 0, None, None, spec=SPEC)
    pending = expected_transactions("netaffiliation", LOGIN, 0, None, None, spec=SPEC, etat="a")
    assert pending
    assert {t.network_status for t in pending} == {"a"}
    assert {t.network_status for t in every} == {"v", "a", "r"}
    assert {t.status for t in every} == {"approved", "pending", "declined"}


def test_bare_credential_check_and_refused_logins(client: httpx.Client) -> None:
    assert requete(client).text == "OK 0\n"
    for query in ({"authv": "bad-password"}, {"authv": ""}, {"authl": ""}):
        response = client.get("/requete.php", params={**AUTH, **query})
        assert response.status_code == 200
        assert response.text.startswith("KO 1 Authentification incorrecte")


@pytest.mark.parametrize(
    ("query", "ko"),
    [
        ({"fin": "2026-05-31"}, "KO 2 Paramètre manquant ou invalide : debut"),
        ({"debut": "01/05/2026", "fin": "2026-05-31"}, "KO 2 Paramètre manquant"),
        ({"debut": "2026-05-31", "fin": "2026-05-01"}, "KO 3 La date de fin précède"),
        ({"debut": "2026-01-01", "fin": "2026-05-31"}, "KO 3 Période trop longue : 92 jours"),
        ({"debut": "2026-05-01", "fin": "2026-05-02", "etat": "vx"}, "KO 5 Etat inconnu : vx"),
        ({"debut": "2026-05-01", "fin": "2026-05-02", "champs": "id,nom"}, "KO 4 Champ inconnu"),
    ],
)
def test_parameter_errors_are_ko_lines(client: httpx.Client, query: dict, ko: str) -> None:  # type: ignore[type-arg]
    response = requete(client, **query)
    assert response.status_code == 200
    assert response.text.startswith(ko)


def test_default_columns_and_date_styles(client: httpx.Client) -> None:
    day = {"debut": "2026-05-01", "fin": "2026-05-31"}
    line = requete(client, **day).text.split("\n")[1]
    assert len(line.split(";")) == 8  # no `champs`: the service's own set
    client.post("/_sandbox/config", json={"date_style": "legacy"}).raise_for_status()
    dates = [row.split(";")[0] for row in requete(client, **day, champs="date").text.split("\n")]
    assert all(d[2] == "/" and d[5] == "/" for d in dates[1:-1])


def test_injected_failures_are_not_ko_bodies(client: httpx.Client) -> None:
    client.post("/_sandbox/config", json={"fail_next": [503, 429]}).raise_for_status()
    assert requete(client).status_code == 503
    throttled = requete(client)
    assert throttled.status_code == 429
    assert "Retry-After" not in throttled.headers


def test_the_programs_feed(client: httpx.Client) -> None:
    response = client.get("/flux_prog.php", params={"taff": netaffiliation_feed.key_for(LOGIN)})
    assert response.status_code == 200
    assert response.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert b"<![CDATA[" in response.content
    root = ET.fromstring(response.content)
    assert root.tag == "listing"
    progs = root.findall("prog")
    on = [p for p in progs if p.get("etat") == "on"]
    assert on
    assert len(progs) > len(on)
    assert all(p.findtext("title") and p.find("startdate").get("date") for p in on)  # type: ignore[union-attr]
    assert all(not p.findtext("title") for p in progs if p.get("etat") == "off")
    campaigns = {t.advertiser_id for t in expected_transactions("netaffiliation", LOGIN, spec=SPEC)}
    assert campaigns <= {p.get("id") for p in progs}
    refused = client.get("/flux_prog.php", params={"taff": "invalid-key"})
    assert refused.status_code == 403
