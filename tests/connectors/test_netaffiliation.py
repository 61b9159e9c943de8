"""NetAffiliation specifics: the request, the `OK n`/`KO` body, ids per campaign, entities,
dates with and without ` UTC`, the programs and tracking-links feeds, the egress guard on
their URLs, and tracking links."""

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from app.connectors.base import Scope
from app.connectors.decoders import Xml
from app.connectors.errors import (
    BadPayload,
    CredentialsRejected,
    HostRefused,
    RequestRejected,
    TransientError,
)
from app.connectors.http import RequestSpec
from app.connectors.netaffiliation import CHAMPS, NetAffiliation
from app.connectors.netaffiliation_links import CLICK, tracks
from app.connectors.registry import build_connector
from app.errors import ValidationFailed
from app.links.format import LinkProgram, LinkRequest
from app.sandbox import netaffiliation_feed
from tests.connectors.support import CASES, connector_for, knobs, stats, window

CASE = CASES["netaffiliation"]
STAT = "https://stat.netaffiliation.com/requete.php"
FEED = Xml()


def answer(connector, body: str, url: str = STAT, status: int = 200):  # type: ignore[no-untyped-def]
    response = httpx.Response(status, content=body.encode(), request=httpx.Request("GET", url))
    return connector.read(response)


def rows(connector, body: str) -> list:  # type: ignore[no-untyped-def]
    scope = Scope(CASE.accounts[0])
    return [connector.map_transaction(r, scope) for r in connector.extract(answer(connector, body))]


NOTES_BODY = (  # the research notes' wire example, with our column order and a legacy row
    "OK 5\n"
    "71827;4402190;2024-04-14 16:22:05 UTC;v;124.00;12.40;EUR;nl-0424-top;A-1;551203\n"
    "71827;4402655;2024-04-21 07:03:51 UTC;a;31.00;3.10;EUR;;A-2;551203\n"
    "40949;4402655;2024-04-02 10:47:19 UTC;r;56.90;0.00;EUR;sidebar&amp;top;R&amp;D&#8209;3;"
    "551203\n"
    "40949;1188231;2024-04-29 21:10:00;a;18,50;1,85;EUR;;;551207\n"
    "40949;1188232;29/04/2024 21:10:00;V;18.50;1.85;;caf&eacute;;;551207\r\n"
)


async def test_rows_ids_entities_times_and_money(runtime) -> None:  # type: ignore[no-untyped-def]
    got = rows(connector_for(runtime, CASE), NOTES_BODY)
    assert [r.external_id for r in got] == [
        "71827-4402190",
        "71827-4402655",
        "40949-4402655",  # the same id in another campaign is another transaction
        "40949-1188231",
        "40949-1188232",
    ]
    assert [(r.status, r.network_status) for r in got] == [
        ("approved", "v"),
        ("pending", "a"),
        ("declined", "r"),
        ("pending", "a"),
        ("approved", "V"),
    ]
    assert got[0].event_at == datetime(2024, 4, 14, 16, 22, 5, tzinfo=UTC)
    assert got[0].source_timezone == "UTC"
    # Without ` UTC` the time is Paris time (summer: UTC+2), also in the old d/m/Y form.
    assert got[3].event_at == got[4].event_at == datetime(2024, 4, 29, 19, 10, tzinfo=UTC)
    assert got[3].source_timezone == "Europe/Paris"
    assert got[2].click_ref == "sidebar&top"
    assert got[2].sub_ids == {"argsite": "sidebar&top"}
    assert got[2].order_id == "R&D\u20113"
    assert got[4].click_ref == "café"
    assert got[1].click_ref is None
    assert got[1].sub_ids == {}
    assert (got[3].commission_amount, got[3].sale_amount) == (Decimal("1.85"), Decimal("18.50"))
    assert got[4].currency == "EUR"  # an empty `monnaie`
    assert got[0].advertiser_id == "71827"
    assert got[0].raw["idsite"] == "551203"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-10-25 02:30:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # fold: summer
        ("2026-03-29 02:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # gap: 03:30 CEST
        ("2026-01-15 12:00:00", datetime(2026, 1, 15, 11, 0, tzinfo=UTC)),
    ],
)
async def test_naive_times_are_paris_time_across_dst(runtime, local: str, utc: datetime) -> None:  # type: ignore[no-untyped-def]
    body = f"OK 1\n1;2;{local};a;1.00;0.10;EUR;;;9\n"
    assert rows(connector_for(runtime, CASE), body)[0].event_at == utc


async def test_empty_period_and_ko_bodies(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    assert rows(connector, "OK 0\n") == []
    with pytest.raises(CredentialsRejected, match="Identifiant ou mot de passe incorrect"):
        answer(connector, "KO 2 Identifiant ou mot de passe incorrect\n")
    with pytest.raises(CredentialsRejected):
        answer(connector, "KO 1 Authentification incorrecte\n")
    with pytest.raises(TransientError, match="temporairement"):
        answer(connector, "KO 9 Service temporairement indisponible\n")
    with pytest.raises(RequestRejected, match="Champ inconnu"):
        answer(connector, "KO 4 Champ inconnu : nomcampagne\n")
    with pytest.raises(BadPayload, match="announced 3 lines and sent 1"):
        answer(connector, "OK 3\n1;2;2026-01-15 12:00:00;a;1.00;0.10;EUR;;;9\n")
    with pytest.raises(BadPayload, match="not valid status text"):
        answer(connector, "<html>Erreur</html>\n")
    with pytest.raises(BadPayload, match="11 fields"):  # an encoded `;` is not decoded
        answer(connector, "OK 1\n1;2;2026-01-15 12:00:00;a;1.00;0.10;EUR;a&#59;b;;9\n")


async def test_the_request_names_its_columns_and_inclusive_days(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    _ = [r async for page in connector.transactions(start, end) for r in page]
    (call,) = [e for e in stats(sandbox["netaffiliation"])["requests"] if e["status"] == 200]
    assert call["query"] == {
        "authl": CASE.credentials["login"],
        "authv": CASE.credentials["webservices_password"],
        "debut": "2026-01-01",
        "fin": "2026-01-31",
        "etat": "vra",
        "champs": CHAMPS,
    }


async def test_a_window_the_service_refuses_is_a_request_error(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    spec = RequestSpec("GET", STAT, {"debut": "2026-01-01", "fin": "2025-12-01", "champs": CHAMPS})
    with pytest.raises(RequestRejected, match="KO 3"):
        await connector.request(spec)
    knobs(sandbox["netaffiliation"], max_days=10)
    with pytest.raises(RequestRejected, match="10 jours"):
        _ = [r async for page in connector.transactions(*window(20)) for r in page]


async def test_a_refused_login_says_where_to_fix_it(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    bad = connector_for(runtime, CASE, webservices_password="bad-password-xyz")
    with pytest.raises(CredentialsRejected, match="Web Services") as refused:
        await bad.verify()
    assert "bad-password-xyz" not in refused.value.message


async def test_programs_from_both_feeds_without_the_password(runtime, sandbox) -> None:  # type: ignore[no-untyped-def]
    programs = [p async for page in connector_for(runtime, CASE).programs() for p in page]
    joined = [p for p in programs if p.relationship == "joined"]
    assert joined
    assert {p.network_relationship for p in joined} == {"on"}
    others = [p for p in programs if p not in joined]
    assert others
    assert {(p.relationship, p.network_relationship) for p in others} == {("not_joined", "off")}
    assert all(p.name is None and p.domains == () and p.link_token is None for p in others)
    assert all(p.name and p.domains and p.link_token for p in joined)
    assert all(p.tracking_url == f"{CLICK}?mclic={p.link_token}" for p in joined)
    assert {p.deeplinks for p in joined} == {True, False}  # the sandbox has both kinds
    assert all(p.account_id == CASE.accounts[0] for p in programs)
    calls = stats(sandbox["netaffiliation"])["requests"]
    assert [c["path"] for c in calls] == ["/flux_prog.php", "/xmltrack.php"]
    assert calls[0]["query"] == {"taff": netaffiliation_feed.key_for(CASE.accounts[0])}
    assert "authv" not in calls[1]["query"]


async def test_a_program_from_the_feeds(runtime) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, CASE)
    record = {
        "@id": "71827",
        "@etat": "ON",
        "title": "Example Mode FR",
        "link": "https://www.example-mode.fr/",
        "startdate": {"@date": "2021-03-15"},
        "generic_links": [
            f"{CLICK}?mclic=P4CB054598321BS1UB41283701335V4",
            f"{CLICK}?mclic=P4CB054598321BS1UB41283701335V4&redir={{XXX}}",
        ],
    }
    program = connector.map_program(record)
    assert program.external_id == "71827"
    assert program.domains == ("www.example-mode.fr",)
    assert program.network_relationship == "on"
    assert program.link_token == "P4CB054598321BS1UB41283701335V4"
    assert program.tracking_url == f"{CLICK}?mclic=P4CB054598321BS1UB41283701335V4"
    assert program.deeplinks is True
    assert program.terms == ()
    plain_only = {**record, "generic_links": record["generic_links"][:1]}
    assert connector.map_program(plain_only).deeplinks is False
    no_feed = connector.map_program({**record, "generic_links": []})
    assert (no_feed.deeplinks, no_feed.link_token, no_feed.tracking_url) == (None, None, None)


async def test_the_generic_links_of_the_tracking_feed(runtime) -> None:  # type: ignore[no-untyped-def]
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><listing>'
        b'<prog id="71827"><tags><liens_generiques><element>'
        b"<track><![CDATA[https://action.metaffiliation.com/trk.php?mclic=PA]]></track>"
        b"<track><![CDATA[https://action.metaffiliation.com/trk.php?mclic=PA&redir={XXX}]]>"
        b"</track></element></liens_generiques></tags></prog>"
        b'<prog id="40949"><tags/></prog></listing>'
    )
    decoded = connector_for(runtime, CASE).extract_programs(FEED.decode(body))
    progs = {p["@id"]: p for p in decoded}
    assert tracks(progs["71827"]) == [
        "https://action.metaffiliation.com/trk.php?mclic=PA",
        "https://action.metaffiliation.com/trk.php?mclic=PA&redir={XXX}",
    ]
    assert tracks(progs["40949"]) == []


def link_for(sub_id: str | None, token: str | None = "P4CB054598321BS1UB41283701335V4") -> str:
    program = LinkProgram("p1", "71827", CASE.accounts[0], "Example Mode FR", link_token=token)
    destination = "https://www.example-mode.fr/robes?taille=38&couleur=bleu"
    return NetAffiliation.link(LinkRequest(destination, sub_id, program))


def test_the_link_is_the_documented_format() -> None:
    assert link_for("nl-0424_top") == (
        "https://action.metaffiliation.com/trk.php?mclic=P4CB054598321BS1UB41283701335V4"
        "&argsite=nl-0424_top"
        "&redir=https%3A%2F%2Fwww.example-mode.fr%2Frobes%3Ftaille%3D38%26couleur%3Dbleu"
    )
    assert link_for(None) == (
        "https://action.metaffiliation.com/trk.php?mclic=P4CB054598321BS1UB41283701335V4"
        "&redir=https%3A%2F%2Fwww.example-mode.fr%2Frobes%3Ftaille%3D38%26couleur%3Dbleu"
    )


def test_no_link_without_a_link_code() -> None:
    with pytest.raises(ValidationFailed) as refused:
        link_for("a", token=None)
    assert "tracking links feed" in refused.value.extra["errors"][0]["message"]


@pytest.mark.parametrize(
    ("sub_id", "problem"),
    [("a" * 256, "at most 255"), ("nl;0424", "';'"), ("nl 0424", "' '"), ("", "empty")],
)
def test_sub_ids_argsite_refuses(sub_id: str, problem: str) -> None:
    assert NetAffiliation.links is not None
    assert problem in (NetAffiliation.links.sub_id.problem(sub_id) or "")
    assert NetAffiliation.links.sub_id.problem("a" * 255) is None


@pytest.mark.parametrize("feed", ["http://10.1.2.3/feed.xml", "http://127.0.0.1:9/feed"])
async def test_a_feed_url_on_a_private_address_is_refused(runtime, sandbox, feed: str) -> None:  # type: ignore[no-untyped-def]
    urls = {k: v for k, v in runtime.settings.network_base_urls.items() if k != "netaffiliation"}
    settings = runtime.settings.model_copy(update={"network_base_urls": urls})
    connector = build_connector(
        "netaffiliation",
        {**CASE.credentials, "xml_feed_url": feed},
        settings=settings,
        client=runtime.http,
        redis=runtime.redis,
    )
    host = feed.split("/")[2].split(":")[0]
    with pytest.raises(HostRefused, match=host) as refused:
        _ = [p async for page in connector.programs() for p in page]
    assert refused.value.network == "netaffiliation"
    assert connector.http.requests == 0
    assert stats(sandbox["netaffiliation"])["total"] == 0
