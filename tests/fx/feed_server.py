"""A local stand-in for the ECB feed: a Starlette app under uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FEED_PATH = "/stats/eurofxref/eurofxref-hist-90d.xml"


def ecb_xml(days: Mapping[date, Mapping[str, Decimal | str]]) -> bytes:
    """A feed in the ECB's own layout (namespaces, nesting, single-quoted attributes)."""
    cubes = "".join(
        f"\t\t<Cube time='{day.isoformat()}'>\n"
        + "".join(f"\t\t\t<Cube currency='{c}' rate='{r}'/>\n" for c, r in rates.items())
        + "\t\t</Cube>\n"
        for day, rates in sorted(days.items(), reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
        "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
        "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
        "\t</gesmes:Sender>\n\t<Cube>\n" + cubes + "\t</Cube>\n</gesmes:Envelope>\n"
    ).encode()


@dataclass
class FeedServer:
    """Serves `body` with `status` at FEED_PATH; counts the requests it answers."""

    url: str = ""
    body: bytes = b""
    status: int = 200
    requests: int = 0

    def serve(self, body: bytes, status: int = 200) -> str:
        self.body, self.status = body, status
        return self.url

    async def _feed(self, _: Request) -> Response:
        self.requests += 1
        return Response(self.body, status_code=self.status, media_type="text/xml")


@contextmanager
def running_feed() -> Iterator[FeedServer]:
    feed = FeedServer()
    app = Starlette(routes=[Route(FEED_PATH, feed._feed)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    feed.url = f"http://127.0.0.1:{sock.getsockname()[1]}{FEED_PATH}"
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the feed server did not start")
        time.sleep(0.01)
    try:
        yield feed
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{FEED_PATH}"
