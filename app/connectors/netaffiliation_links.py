"""NetAffiliation's tracking links, `trk.php?mclic=<link code>&argsite=<sub-id>&redir=<url>`
(notes §6), and where the link code comes from.

The link code is opaque, one per program and site, and the programs feed carries none. The
tracking-links feed (`xmltrack.php?...&supp=liens_generiques`) lists each joined program's
generic links under `<tags><liens_generiques><element><track>`; the one that deep-links ends
`&redir={XXX}`, the slot where the destination goes (as public clients read that feed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.connectors.decoders import as_list
from app.errors import ValidationFailed
from app.links.format import LinkProgram, unlinkable

CLICK = "https://action.metaffiliation.com/trk.php"
SLOT = "{XXX}"


def tracks(prog: dict[str, Any]) -> list[str]:
    """The `<track>` URLs of one tracking-links feed program."""
    tags = prog.get("tags")
    generic = tags.get("liens_generiques") if isinstance(tags, dict) else None
    elements = as_list(generic.get("element")) if isinstance(generic, dict) else []
    found = [t for e in elements if isinstance(e, dict) for t in as_list(e.get("track"))]
    texts = [t.get("#text") if isinstance(t, dict) else t for t in found]
    return [str(t).strip() for t in texts if t and str(t).strip().startswith("http")]


@dataclass(frozen=True)
class GenericLinks:
    """A program's generic links; none where the connection has no tracking-links feed."""

    urls: tuple[str, ...]

    @property
    def code(self) -> str | None:
        """The link code (`mclic`) the links carry."""
        for url in self.urls:
            if found := parse_qs(urlsplit(url.replace(SLOT, "")).query).get("mclic"):
                return found[0]
        return None

    @property
    def deeplinks(self) -> bool | None:
        """Whether one link has the destination slot (unknown without links)."""
        return any(SLOT in u for u in self.urls) if self.urls else None

    @property
    def home(self) -> str | None:
        """The plain link to the program's home page."""
        plain = [u.replace(f"&redir={SLOT}", "") for u in self.urls]
        return next((u for u in plain if SLOT not in u), None)


def no_code(program: LinkProgram) -> ValidationFailed:
    return unlinkable(
        "program_id",
        f"{program.label} has no link code yet: add your tracking links feed URL to this "
        "connection and list its programs again",
    )
