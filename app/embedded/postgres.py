"""The embedded Postgres: the pgserver wheel's binaries, driven directly."""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

from app.embedded.support import (
    _PG_SUPERUSER,
    _PG_SYSTEM_USER,
    _START_TIMEOUT,
    _STOP_TIMEOUT,
    EmbeddedError,
    _pid_alive,
    _tail,
    logger,
    postgres_bin,
)


class _Postgres:
    def __init__(self, data_dir: Path, database: str) -> None:
        self.pgdata = data_dir / "postgres"
        self.log = self.pgdata / "postgres.log"
        self.database = database

    @functools.cached_property
    def uid_gid(self) -> tuple[int, int] | None:
        """The (uid, gid) to run the server as when we are root, else None (ourselves)."""
        return _postgres_system_user() if os.geteuid() == 0 else None

    def url(self, port: int, password: str) -> str:
        return f"postgresql+asyncpg://{_PG_SUPERUSER}:{password}@127.0.0.1:{port}/{self.database}"

    def _run(self, args: list[str], *, as_server: bool) -> None:
        kwargs: dict[str, Any] = {}
        if as_server and self.uid_gid is not None:
            kwargs.update(user=self.uid_gid[0], group=self.uid_gid[1], extra_groups=[])
        # Output goes to a file, not a pipe: the postmaster inherits pg_ctl's stdout, and a
        # pipe it holds open would make subprocess wait for EOF forever.
        with tempfile.TemporaryFile() as out:
            result = subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # The server user may not be able to enter our cwd (e.g. /root).
                cwd=self.pgdata,
                env=_clean_env(),
                timeout=_START_TIMEOUT + 30,
                check=False,
                **kwargs,
            )
            if result.returncode != 0:
                out.seek(0)
                output = out.read().decode(errors="replace").strip()
                raise EmbeddedError(
                    f"{Path(args[0]).name} failed ({result.returncode}): {output}\n"
                    f"postgres log {self.log}:\n{_tail(self.log)}"
                )

    def running_port(self) -> int | None:
        """The port of a live, ready postmaster on this data dir, else None."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        # postmaster.pid: pid, data dir, start time, port, socket dir, listen addr, shm, status
        if len(lines) < 8 or not lines[0].strip().isdigit() or not lines[3].strip().isdigit():
            return None
        if not _pid_alive(int(lines[0])) or lines[7].strip() != "ready":
            return None
        return int(lines[3])

    def answers(self, port: int, password: str) -> bool:
        try:
            self._psql(port, password, "postgres", "select 1")
        except EmbeddedError:
            return False
        return True

    def _psql(self, port: int, password: str, database: str, sql: str) -> str:
        result = subprocess.run(
            [
                str(postgres_bin("psql")),
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                _PG_SUPERUSER,
                "-d",
                database,
                "-c",
                sql,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=_clean_env(PGPASSWORD=password, PGCONNECT_TIMEOUT="5"),
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def init(self, password: str) -> None:
        """initdb once: trust on the (disabled) socket, scram on 127.0.0.1."""
        if (self.pgdata / "PG_VERSION").exists():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if any(self.pgdata.iterdir()):
            raise EmbeddedError(f"{self.pgdata} is not empty but holds no Postgres cluster")
        self._own(self.pgdata, 0o700)
        # initdb reads the superuser password from a file that the server user can read.
        pwfile = self.pgdata.parent / f".pwfile-{uuid.uuid4().hex}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        self._own(pwfile, 0o600)
        base = [
            str(postgres_bin("initdb")),
            "-D",
            str(self.pgdata),
            "-U",
            _PG_SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
        ]
        try:
            try:
                # C.UTF-8 gives Unicode-aware lower()/ILIKE with byte-order (stable) sorting.
                self._run([*base, "--locale=C.UTF-8"], as_server=True)
            except EmbeddedError:
                logger.info("C.UTF-8 locale unavailable, initialising with --no-locale")
                self._run([*base, "--no-locale"], as_server=True)
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.pgdata / "postgresql.conf").open("a") as fh:
            fh.write(
                "\n# netledger embedded: TCP on loopback only (port given by pg_ctl -o -p);\n"
                "# no unix socket, whose path length would depend on the data dir.\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
            )

    def _own(self, path: Path, mode: int) -> None:
        path.chmod(mode)
        if self.uid_gid is not None:
            os.chown(path, *self.uid_gid)

    def start(self, port: int) -> None:
        self.log.touch(exist_ok=True)
        self._own(self.log, 0o600)
        self._run(
            [
                str(postgres_bin("pg_ctl")),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log),
                "-w",
                "-t",
                str(int(_START_TIMEOUT)),
                "-o",
                f"-p {port}",
                "start",
            ],
            as_server=True,
        )

    def ensure_database(self, port: int, password: str) -> None:
        exists = self._psql(
            port,
            password,
            "postgres",
            f"select 1 from pg_database where datname = '{self.database}'",
        )
        if exists != "1":
            self._psql(port, password, "postgres", f'create database "{self.database}"')

    def stop(self) -> None:
        self._run(
            [
                str(postgres_bin("pg_ctl")),
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
                "-t",
                str(int(_STOP_TIMEOUT)),
                "stop",
            ],
            as_server=True,
        )


def _clean_env(**extra: str) -> dict[str, str]:
    # The caller's PG* variables (PGSSLMODE, PGSERVICE, PGPORT...) must not steer our
    # own server and client; everything we need is given explicitly.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(extra)
    return env


def _postgres_system_user() -> tuple[int, int]:
    import pwd

    try:
        entry = pwd.getpwnam(_PG_SYSTEM_USER)
    except KeyError:
        logger.warning("running as root: creating system user %r for Postgres", _PG_SYSTEM_USER)
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                _PG_SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(_PG_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _ensure_traversable(path: Path) -> None:
    """As root, let the Postgres system user reach `path` (search bit only on it and its
    parents)."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            logger.warning(
                "adding o+x to %s so Postgres (user %s) can reach its files",
                directory,
                _PG_SYSTEM_USER,
            )
            directory.chmod(mode | stat.S_IXOTH)
