"""Starting, joining and stopping the embedded services, per process."""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import signal
import threading
import time
import uuid
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from app.embedded.postgres import (
    _ensure_traversable,
    _Postgres,
)
from app.embedded.redis import (
    _Redis,
)
from app.embedded.support import (
    DATABASE_NAME,
    EmbeddedError,
    EmbeddedUrls,
    _file_lock,
    _free_port,
    _live_users,
    _port_free,
    _proc_start_time,
    _State,
    logger,
    postgres_bin,
)
from app.settings import Settings


class EmbeddedServices:
    """Start (or join) the embedded Postgres and/or Redis under one data dir.

    `database` / `redis` say which of the two to embed. `start()` returns the URLs;
    `stop()` leaves the services running while another live process still uses them, and
    shuts them down when this was the last user. Usable as a context manager, sync
    (`with`) or async (`async with`, which runs start/stop in a thread so the event loop
    is not blocked).

    `start()` also registers `stop()` with atexit and, from the main thread, turns
    SIGTERM/SIGHUP into `SystemExit` where they still have their default action, so
    `finally`/`with` cleanup runs. That matters under uvicorn, which restores the previous
    handler after its graceful shutdown and re-raises the signal: with the default action
    the process would die before stopping the services.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        database: bool = True,
        redis: bool = True,
        database_name: str = DATABASE_NAME,
    ) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", database_name):
            raise ValueError(f"not a plain database name: {database_name!r}")
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.want_postgres = database
        self.want_redis = redis
        self.urls = EmbeddedUrls(None, None)
        #: the services this instance started itself (the others it found running)
        self.started: set[str] = set()
        self._pg = _Postgres(self.data_dir, database_name)
        self._redis = _Redis(self.data_dir)
        self._token = ""
        self._registered: set[str] = set()
        self._pid = os.getpid()
        self._mutex = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedServices:
        """Embed exactly the services whose URL the settings leave unset."""
        return cls(
            settings.data_dir,
            database=settings.embedded_database,
            redis=settings.embedded_redis,
        )

    @property
    def postgres_log(self) -> Path:
        return self._pg.log

    @property
    def redis_log(self) -> Path:
        return self._redis.log

    def start(self) -> EmbeddedUrls:
        """Start or join the services; idempotent. Returns their URLs."""
        with self._mutex:
            if not (self.want_postgres or self.want_redis) or self._registered:
                return self.urls
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0 and self.want_postgres:
                # The server runs as its own system user: it must reach its data dir and
                # the wheel's binaries and libraries (a venv may sit under a 0700 dir).
                _ensure_traversable(self.data_dir)
                _ensure_traversable(postgres_bin("initdb").parent.parent)
            database_url = redis_url = None
            self._pid = os.getpid()
            self._token = f"{self._pid}:{_proc_start_time(self._pid) or ''}:{uuid.uuid4().hex}"
            with _file_lock(self.data_dir / "embedded.lock"):
                state = _State(self.data_dir / "embedded.json")
                try:
                    if self.want_postgres:
                        database_url = self._start_postgres(state)
                    if self.want_redis:
                        redis_url = self._start_redis(state)
                except BaseException:
                    # Do not leave a half-started pair behind: the caller gets no handle
                    # on which to call stop().
                    for name in ("redis", "postgres"):
                        if name in self._registered:
                            with contextlib.suppress(Exception):
                                self._leave(state, name)
                    raise
                finally:
                    state.save()
            atexit.register(self.stop)
            _install_signal_handlers()
            self.urls = EmbeddedUrls(database_url, redis_url)
            return self.urls

    def _join(self, state: _State, name: str) -> None:
        service = state.service(name)
        service["users"] = [*_live_users(service), self._token]
        self._registered.add(name)

    def _start_postgres(self, state: _State) -> str:
        service = state.service("postgres")
        if "password" not in service and (self._pg.pgdata / "PG_VERSION").exists():
            raise EmbeddedError(
                f"{self._pg.pgdata} exists but {state.path} (which holds its password) is "
                "missing; restore that file, or move the postgres dir away to start afresh"
            )
        password = service.setdefault("password", secrets.token_hex(16))
        port = self._pg.running_port()
        if port is not None and self._pg.answers(port, password):
            logger.info("reusing embedded Postgres on 127.0.0.1:%s", port)
        else:
            t0 = time.monotonic()
            self._pg.init(password)
            port = self._pick_port(service)
            try:
                self._pg.start(port)
            except EmbeddedError:
                if _port_free(port):
                    raise
                # Someone took the port between our check and the bind: one more try.
                port = service["port"] = _free_port()
                self._pg.start(port)
            self.started.add("postgres")
            service["users"] = []
            logger.info(
                "started embedded Postgres on 127.0.0.1:%s in %.1fs (data %s)",
                port,
                time.monotonic() - t0,
                self._pg.pgdata,
            )
        service["port"] = port
        self._pg.ensure_database(port, password)
        self._join(state, "postgres")
        return self._pg.url(port, password)

    def _start_redis(self, state: _State) -> str:
        service = state.service("redis")
        password = service.setdefault("password", secrets.token_hex(16))
        port = service.get("port")
        if self._redis.pid() is not None:
            # Never start a second server on the same files: reuse this one or fail.
            if not (isinstance(port, int) and self._redis.wait_answering(port, password)):
                raise EmbeddedError(
                    f"redis-server (pid {self._redis.pid()}) runs on {self._redis.dir} but "
                    f"does not answer on the port/password in {state.path}; stop it first"
                )
            logger.info("reusing embedded Redis on 127.0.0.1:%s", port)
        else:
            t0 = time.monotonic()
            port = self._pick_port(service)
            try:
                self._redis.start(port, password)
            except EmbeddedError:
                if _port_free(port):
                    raise
                port = service["port"] = _free_port()
                self._redis.start(port, password)
            self.started.add("redis")
            service["users"] = []
            logger.info(
                "started embedded Redis on 127.0.0.1:%s in %.1fs (data %s)",
                port,
                time.monotonic() - t0,
                self._redis.dir,
            )
        service["port"] = port
        self._join(state, "redis")
        return self._redis.url(port, password)

    @staticmethod
    def _pick_port(service: dict[str, Any]) -> int:
        # Reuse the remembered port when free, so URLs stay stable across restarts.
        port = service.get("port")
        if not isinstance(port, int) or not _port_free(port):
            port = _free_port()
        service["port"] = port
        return port

    def stop(self) -> None:
        """Leave the services; stop each one this process was the last live user of."""
        with self._mutex:
            if not self._registered or os.getpid() != self._pid:
                # Nothing joined, or a forked child that inherited this object: not ours.
                return
            with _file_lock(self.data_dir / "embedded.lock"):
                state = _State(self.data_dir / "embedded.json")
                try:
                    for name in ("redis", "postgres"):
                        if name in self._registered:
                            self._leave(state, name)
                finally:
                    state.save()
            atexit.unregister(self.stop)
            self.urls = EmbeddedUrls(None, None)

    def _leave(self, state: _State, name: str) -> None:
        service = state.service(name)
        others = [u for u in _live_users(service) if u != self._token]
        service["users"] = others
        self._registered.discard(name)
        if others:
            logger.info(
                "embedded %s still used by %d process(es); leaving it running", name, len(others)
            )
            if name == "redis":
                self._redis.detach()
            return
        t0 = time.monotonic()
        if name == "postgres":
            if self._pg.running_port() is not None:
                self._pg.stop()
        elif self._redis.pid() is not None or self._redis.process is not None:
            self._redis.stop(int(service["port"]), str(service["password"]))
        logger.info("stopped embedded %s in %.1fs", name, time.monotonic() - t0)

    def __enter__(self) -> EmbeddedUrls:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmbeddedUrls:
        import asyncio

        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import asyncio

        await asyncio.to_thread(self.stop)


# ------------------------------------------------------- process-wide entry points

_services: EmbeddedServices | None = None
_services_lock = threading.Lock()


def start(settings: Settings) -> EmbeddedUrls:
    """Start or join the services the settings leave unconfigured, once per process.

    The process-wide form of `EmbeddedServices.from_settings(settings).start()`: a second
    call returns the same URLs. Returns URLs with None for the configured services.
    """
    global _services
    if not (settings.embedded_database or settings.embedded_redis):
        return EmbeddedUrls(None, None)
    wanted = EmbeddedServices.from_settings(settings)
    with _services_lock:
        if _services is None:
            _services = wanted
        elif (_services.data_dir, _services.want_postgres, _services.want_redis) != (
            wanted.data_dir,
            wanted.want_postgres,
            wanted.want_redis,
        ):
            raise EmbeddedError("embedded services already started with other settings")
        services = _services
    return services.start()


def stop() -> None:
    """Stop what `start()` joined (safe to call twice, or without `start()`)."""
    global _services
    with _services_lock:
        services, _services = _services, None
    if services is not None:
        services.stop()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _install_signal_handlers() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        # Only replace the default action (die without running atexit); never a handler
        # someone else installed on purpose.
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _exit_on_signal)
