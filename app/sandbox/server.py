"""Run sandbox networks on local ports.

Every network with a sandbox module (`app.sandbox.registry`) is served.

- `build_app(slug)`: one network's ASGI app (also usable with `httpx.ASGITransport`).
- `serve(host, ports)`: start every implemented network (or `slugs`) in a background
  thread, each on its own port (ephemeral unless `ports` names one), and return the
  `NETLEDGER_NETWORK_BASE_URLS` mapping `{"awin": "http://127.0.0.1:PORT", ...}`.
- `running_sandbox(slugs)`: the same as a context manager that stops them on exit.
- `python -m app.sandbox.server [--host H] [--port awin=8101 ...]`: serve and print the
  JSON until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette

from app.sandbox import registry
from app.sandbox.base import NetworkSandbox

# slug -> app factory, for every network with a sandbox module (`app.sandbox.registry`)
IMPLEMENTED: dict[str, Callable[[], Starlette]] = {
    slug: registry.module(slug).build_app for slug in registry.slugs()
}


def build_app(slug: str) -> Starlette:
    if slug not in IMPLEMENTED:
        raise KeyError(f"no sandbox for network {slug!r}; implemented: {sorted(IMPLEMENTED)}")
    return IMPLEMENTED[slug]()


class Sandbox(dict[str, str]):
    """slug -> base URL, plus the running apps (`network(slug)` reaches a network's state
    directly, e.g. `sandbox.network("awin").state.epoch`)."""

    def __init__(
        self, urls: Mapping[str, str], apps: Mapping[str, Starlette], servers: SandboxServers
    ) -> None:
        super().__init__(urls)
        self.apps = dict(apps)
        self.servers = servers

    def network(self, slug: str) -> NetworkSandbox:
        sandbox: NetworkSandbox = self.apps[slug].state.sandbox
        return sandbox

    @property
    def base_urls_json(self) -> str:
        return json.dumps(dict(self))

    def stop(self) -> None:
        self.servers.stop()


class SandboxServers:
    """Uvicorn servers for several apps on one asyncio loop in a daemon thread."""

    def __init__(self, slugs: Iterable[str], host: str, ports: Mapping[str, int]) -> None:
        self.host = host
        self.apps = {slug: build_app(slug) for slug in slugs}
        self.sockets: dict[str, socket.socket] = {}
        for slug in self.apps:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, ports.get(slug, 0)))
            self.sockets[slug] = sock
        self.servers = {
            slug: uvicorn.Server(
                uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
            )
            for slug, app in self.apps.items()
        }
        self.thread: threading.Thread | None = None

    def urls(self) -> dict[str, str]:
        return {
            slug: f"http://{self.host}:{sock.getsockname()[1]}"
            for slug, sock in self.sockets.items()
        }

    async def _run(self) -> None:
        await asyncio.gather(
            *(server.serve(sockets=[self.sockets[slug]]) for slug, server in self.servers.items())
        )

    def start(self, timeout: float = 10.0) -> Sandbox:
        self.thread = threading.Thread(
            target=asyncio.run, args=(self._run(),), name="netledger-sandbox", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not all(s.started for s in self.servers.values()):
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.stop()
                raise RuntimeError("the sandbox servers did not start")
            time.sleep(0.01)
        return Sandbox(self.urls(), self.apps, self)

    def stop(self) -> None:
        for server in self.servers.values():
            server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        for sock in self.sockets.values():
            sock.close()


_RUNNING: list[SandboxServers] = []


def serve(
    host: str = "127.0.0.1",
    ports: Mapping[str, int] | None = None,
    slugs: Iterable[str] | None = None,
) -> Sandbox:
    """Start the networks in the background and return their base URLs (see `stop_all`)."""
    servers = SandboxServers(slugs or IMPLEMENTED, host, ports or {})
    sandbox = servers.start()
    _RUNNING.append(servers)
    return sandbox


def stop_all() -> None:
    while _RUNNING:
        _RUNNING.pop().stop()


@contextmanager
def running_sandbox(
    slugs: Iterable[str] | None = None,
    *,
    host: str = "127.0.0.1",
    config: Mapping[str, Any] | None = None,
) -> Iterator[Sandbox]:
    """Run the networks on ephemeral local ports for the duration of the block; `config`
    knobs are applied first: shared ones to every network (`{"rate_limit_per_minute": 1000}`),
    a slug key to that network only (`{"awin": {"accounts_per_token": 3}}`)."""
    servers = SandboxServers(slugs or IMPLEMENTED, host, {})
    sandbox = servers.start()
    try:
        shared = {k: v for k, v in (config or {}).items() if k not in IMPLEMENTED}
        for slug in sandbox:
            knobs = {**shared, **(config or {}).get(slug, {})}
            if knobs and (errors := sandbox.network(slug).state.update(knobs)):
                raise ValueError(f"invalid sandbox config for {slug}: {errors}")
        yield sandbox
    finally:
        servers.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the netledger network sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", action="append", default=[], metavar="SLUG=PORT")
    parser.add_argument("slugs", nargs="*", help=f"networks (default: {sorted(IMPLEMENTED)})")
    args = parser.parse_args(argv)
    ports = {slug: int(port) for slug, _, port in (p.partition("=") for p in args.port)}
    sandbox = serve(args.host, ports, args.slugs or None)
    print(sandbox.base_urls_json, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop_all()


if __name__ == "__main__":
    main()
