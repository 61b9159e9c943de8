"""Clicks on tracking links, and the sales they make.

A sandbox network serves its own click URLs under `/_click/{host}/{path}`: the link
`https://www.awin1.com/cread.php?...` is `/_click/www.awin1.com/cread.php?...` on the
sandbox. The network's `click` handler reads the link its network's way and calls
`record`; the click joins the sandbox's `DataSpec`, and `data.account` turns it into a
pending sale of the clicked program, just before `today`, whose first click ref is the
link's sub-id, so the network reports it like any other order, with the sub-id in its own
field. Clicks last until the sandbox resets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import PlainTextResponse, RedirectResponse, Response

from app.sandbox.data import Click

if TYPE_CHECKING:
    from app.sandbox.base import NetworkSandbox


def record(
    network: NetworkSandbox,
    account_id: str,
    advertiser_id: int | str | None,
    sub_id: str | None,
    destination: str | None,
) -> Response:
    """Record a click on a joined program and send the reader on (302), or say what is
    wrong with the link: 404 for an unknown account or program, 400 for one not joined."""
    try:
        adv_id = int(str(advertiser_id))
    except ValueError:
        return PlainTextResponse(f"unknown program {advertiser_id!r}", status_code=404)
    adv = network.account(account_id).advertiser(adv_id)
    if adv is None:
        return PlainTextResponse(f"no program {adv_id} for account {account_id!r}", 404)
    if adv.relationship != "joined":
        return PlainTextResponse(f"program {adv_id} is {adv.relationship}", 400)
    made: list[Click] = network.state.store.setdefault("clicks", [])
    made.append(Click(account_id, adv_id, sub_id or None, destination))
    return RedirectResponse(destination or f"https://www.{adv.domain}/", status_code=302)
