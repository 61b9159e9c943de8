"""Bringing netledger up on one machine, for `netledger up` and `netledger demo`: the
embedded services for whatever URL is unset, the schema, and the API and a worker as
child processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.settings import Settings, get_settings

Child = subprocess.Popen[bytes]


@contextmanager
def services(settings: Settings) -> Iterator[Settings]:
    """Settings with DATABASE_URL/REDIS_URL filled in, starting the embedded services for
    whichever is unset (and stopping them afterwards if this process started them)."""
    if not settings.embedded_database and not settings.embedded_redis:
        yield settings
        return
    from app.embedded import EmbeddedServices

    embedded = EmbeddedServices(
        settings.data_dir,
        database=settings.embedded_database,
        redis=settings.embedded_redis,
    )
    urls = embedded.start()
    try:
        if urls.database_url:
            os.environ["DATABASE_URL"] = urls.database_url
        if urls.redis_url:
            os.environ["REDIS_URL"] = urls.redis_url
        get_settings.cache_clear()
        yield get_settings()
    finally:
        embedded.stop()


def migrate_and_seed(database_url: str) -> None:
    """Schema to head, then the exchange rates shipped with the package (idempotent)."""
    from app.fx.seed import seed_database
    from app.migrate import upgrade

    upgrade(database_url)
    asyncio.run(seed_database(database_url))


def child_env(ready: Settings, **extra: str) -> dict[str, str]:
    """This process's environment with the URLs `services` settled on, for child processes."""
    return {
        **os.environ,
        "DATABASE_URL": ready.database_url or "",
        "REDIS_URL": ready.redis_url or "",
        **extra,
    }


@contextmanager
def api_and_worker(env: dict[str, str], host: str, port: int) -> Iterator[list[Child]]:
    """`netledger api` and `netledger worker` as child processes. On leaving, those still
    running get SIGTERM, then up to 20 s each to stop before SIGKILL."""
    exe = [sys.executable, "-m", "app.cli"]
    children = [
        subprocess.Popen([*exe, "api", "--host", host, "--port", str(port)], env=env),
        subprocess.Popen([*exe, "worker"], env=env),
    ]
    try:
        yield children
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()


def wait_for_children(children: list[Child], *, forward_sigterm: bool = True) -> None:
    """Block until a child exits or Ctrl-C.

    With `forward_sigterm`, SIGTERM to this process is passed on to the children, whose
    exit then ends the wait. Without it, SIGTERM keeps its current action (the embedded
    services turn it into `SystemExit`, which unwinds through the caller's cleanup)."""
    if forward_sigterm:

        def forward(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, forward)
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
