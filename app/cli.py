"""The `netledger` command: run the service and administer workspaces and keys."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from app.bootstrap import api_and_worker, child_env, migrate_and_seed, services, wait_for_children
from app.settings import Settings, get_settings


def _require_url(value: str | None, name: str) -> str:
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    with services(settings) as ready:
        migrate_and_seed(_require_url(ready.database_url, "DATABASE_URL"))
    print("database is at the latest schema, exchange rates seeded", file=sys.stderr)


def _serve_api(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from app.api.app import create_app

    if workers > 1:
        # Each process builds its app from the environment, which `services` has filled in.
        uvicorn.run(
            "app.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            proxy_headers=True,
        )
        return
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, proxy_headers=True)


def cmd_api(settings: Settings, args: argparse.Namespace) -> None:
    with services(settings) as ready:
        _serve_api(ready, args.host, args.port, args.workers)


def cmd_worker(settings: Settings, _: argparse.Namespace) -> None:
    from app.workers.main import run_worker

    with services(settings) as ready:
        run_worker(ready)


def cmd_up(settings: Settings, args: argparse.Namespace) -> None:
    """Migrate, then run the API and a worker as child processes until interrupted."""
    with services(settings) as ready:
        migrate_and_seed(_require_url(ready.database_url, "DATABASE_URL"))
        with api_and_worker(child_env(ready), args.host, args.port) as children:
            print(
                f"netledger is up: http://{args.host}:{args.port} (Ctrl-C stops it)",
                file=sys.stderr,
            )
            wait_for_children(children)


def _with_session(settings: Settings, work: Callable[[Any], Any]) -> Any:
    from app.db import create_engine, session_factory, transaction

    async def run() -> Any:
        engine = create_engine(_require_url(settings.database_url, "DATABASE_URL"), pool_size=1)
        try:
            async with transaction(session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_workspace_create(settings: Settings, args: argparse.Namespace) -> None:
    from app.workspaces.service import create_workspace

    async def work(session: Any) -> dict[str, str]:
        created = await create_workspace(session, args.name, args.currency, args.timezone)
        return {"workspace_id": str(created.workspace.id), "api_key": created.api_key}

    with services(settings) as ready:
        print(json.dumps(_with_session(ready, work)))


def cmd_keys_create(settings: Settings, args: argparse.Namespace) -> None:
    from app.auth.keys import mint_key

    async def work(session: Any) -> dict[str, str]:
        minted = await mint_key(session, uuid.UUID(args.workspace_id), args.name)
        return {"key_id": str(minted.row.id), "api_key": minted.plaintext}

    with services(settings) as ready:
        print(json.dumps(_with_session(ready, work)))


def cmd_keys_revoke(settings: Settings, args: argparse.Namespace) -> None:
    from redis.asyncio import Redis

    from app.auth import cache as auth_cache
    from app.auth.keys import revoke_key
    from app.db import create_engine, session_factory, transaction

    async def run(ready: Settings) -> dict[str, str]:
        # The API caches valid keys in Redis: the key leaves that cache before the
        # revocation commits and again after, as `DELETE /v1/api-keys/{id}` does.
        redis = Redis.from_url(_require_url(ready.redis_url, "REDIS_URL"))
        engine = create_engine(_require_url(ready.database_url, "DATABASE_URL"), pool_size=1)
        try:
            async with transaction(session_factory(engine)) as session:
                row = await revoke_key(
                    session, uuid.UUID(args.workspace_id), uuid.UUID(args.key_id)
                )
                digests = [row.secret_sha256]
                before = await auth_cache.forget(redis, digests)
            if not await auth_cache.forget(redis, digests) and not before:
                print(
                    "warning: the key is revoked, but Redis could not be reached to clear "
                    f"the API's auth cache: it may be accepted for up to "
                    f"{auth_cache.TTL_SECONDS} s more",
                    file=sys.stderr,
                )
            return {"key_id": str(row.id), "revoked_at": str(row.revoked_at)}
        finally:
            await engine.dispose()
            await redis.aclose()

    with services(settings) as ready:
        print(json.dumps(asyncio.run(run(ready))))


def cmd_secrets_rotate(settings: Settings, _: argparse.Namespace) -> None:
    from app.connections.service import reseal_all
    from app.crypto import SecretBox

    box = SecretBox(settings.secret_keys())

    async def work(session: Any) -> int:
        return await reseal_all(session, box)

    with services(settings) as ready:
        count = _with_session(ready, work)
    print(json.dumps({"resealed_connections": count}))


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    from app.demo import run_demo

    run_demo(settings, args.host, args.port, stay=not args.exit)


def cmd_sandbox(_: Settings, args: argparse.Namespace) -> None:
    from app.sandbox.server import running_sandbox

    with running_sandbox() as sandbox:
        print(json.dumps(dict(sandbox)), flush=True)
        print(
            "Set NETLEDGER_NETWORK_BASE_URLS to the line above to sync against these. "
            "Ctrl-C stops them.",
            file=sys.stderr,
        )
        with suppress(KeyboardInterrupt):
            signal.pause()


def cmd_openapi(_: Settings, args: argparse.Namespace) -> None:
    from app.openapi_doc import render

    text = render()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netledger", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="migrate, then run the API and a worker")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.set_defaults(handler=cmd_up)

    api = commands.add_parser("api", help="run the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.add_argument("--workers", type=int, default=1, help="API processes (one per core)")
    api.set_defaults(handler=cmd_api)

    commands.add_parser("worker", help="run a sync worker").set_defaults(handler=cmd_worker)
    commands.add_parser("migrate", help="upgrade the database schema").set_defaults(
        handler=cmd_migrate
    )

    workspace = commands.add_parser("workspace", help="workspaces").add_subparsers(
        dest="action", required=True
    )
    create = workspace.add_parser("create", help="create a workspace and its first API key")
    create.add_argument("name")
    create.add_argument("--currency", default="USD", help="reporting currency (ISO 4217)")
    create.add_argument("--timezone", default="UTC", help="IANA timezone reports cut days in")
    create.set_defaults(handler=cmd_workspace_create)

    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    key_create = keys.add_parser("create", help="mint an API key for a workspace")
    key_create.add_argument("--workspace-id", required=True)
    key_create.add_argument("--name", default="cli")
    key_create.set_defaults(handler=cmd_keys_create)
    key_revoke = keys.add_parser("revoke", help="revoke an API key")
    key_revoke.add_argument("--workspace-id", required=True)
    key_revoke.add_argument("key_id")
    key_revoke.set_defaults(handler=cmd_keys_revoke)

    secrets_cmd = commands.add_parser("secrets", help="credential encryption").add_subparsers(
        dest="action", required=True
    )
    secrets_cmd.add_parser(
        "rotate", help="re-encrypt all credentials with the first NETLEDGER_SECRET_KEY"
    ).set_defaults(handler=cmd_secrets_rotate)

    demo = commands.add_parser("demo", help="everything, with sandbox networks and sample data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--exit", action="store_true", help="stop after the summary")
    demo.set_defaults(handler=cmd_demo)
    commands.add_parser(
        "sandbox", help="serve the sandbox networks and print their base URLs"
    ).set_defaults(handler=cmd_sandbox)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi.yaml", help="a path, or - for stdout")
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> None:
    from app.errors import ProblemError

    args = build_parser().parse_args(argv)
    try:
        args.handler(get_settings(), args)
    except ProblemError as problem:
        # The same problem document the API would answer, without a traceback.
        print(json.dumps(problem.body(), indent=2), file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
