"""`wicc run | migrate | load-reference`: the project's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Any

import uvicorn

from wicc import migrate
from wicc.app import create_app
from wicc.demo import seed_demo_beds
from wicc.infra import infrastructure
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.kernel.reference import load_reference, read_reference_file
from wicc_shared.logging import configure_logging
from wicc_shared.settings import Settings
from wicc_shared.websocket import UVICORN_WEBSOCKET_OPTIONS

logger = logging.getLogger("wicc")
APP_FACTORY = "wicc.app:create_app_from_env"  # how worker processes build the app


async def _load_reference(settings: Settings, *, demo: bool) -> dict[str, int]:
    engine = create_engine(settings.async_database_url, "wicc-cli", pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            counts = await load_reference(session, read_reference_file(settings.system_file))
            if demo:
                counts["demo_units_reported"] = await seed_demo_beds(session)
        return counts
    finally:
        await engine.dispose()


def cmd_migrate(settings: Settings) -> None:
    with infrastructure(settings) as ready:
        assert ready.database_url
        migrate.upgrade(ready.database_url)
        print("migrations applied (head)")


def cmd_load_reference(settings: Settings) -> None:
    with infrastructure(settings) as ready:
        counts = asyncio.run(_load_reference(ready, demo=False))
        print(f"reference data loaded from {ready.system_file}: {counts}")


def cmd_run(settings: Settings, *, demo: bool) -> None:
    with infrastructure(settings) as ready:
        assert ready.database_url
        print("applying migrations ...", flush=True)
        migrate.upgrade(ready.database_url)
        counts = asyncio.run(_load_reference(ready, demo=demo))
        print(f"reference data: {counts}", flush=True)
        _print_banner(ready)
        _serve(ready)


def _serve(settings: Settings) -> None:
    options: dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        **UVICORN_WEBSOCKET_OPTIONS,
    )
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Worker processes build their app from the environment: hand them the URLs of
    # the embedded servers and the admin token this process resolved.
    os.environ.update(worker_environment(settings))
    uvicorn.run(APP_FACTORY, factory=True, workers=settings.workers, **options)


def worker_environment(settings: Settings) -> dict[str, str]:
    env = {"DATABASE_URL": settings.database_url or "", "REDIS_URL": settings.redis_url or ""}
    if settings.admin_token is not None:
        env["WICC_ADMIN_TOKEN"] = settings.admin_token.get_secret_value()
    return env


def _print_banner(settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    token = (
        settings.admin_token.get_secret_value() if settings.admin_token else "(WICC_ADMIN_TOKEN)"
    )
    print(
        f"""
WICC is starting on {base}
  API docs      {base}/capacity/docs   {base}/flow/docs   {base}/escalation/docs
  board page    {base}/flow/board   (sign in with an API key, e.g. the admin token)
  board         {base}/flow/v1/board   (WebSocket: ws://{settings.host}:{settings.port}/flow/v1/board/ws)
  health        {base}/capacity/readyz
  admin token   {token}
  try:          curl -H "Authorization: Bearer {token}" {base}/flow/v1/board
Press Ctrl+C to stop.
""",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="wicc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything (embedded infrastructure when no URLs)")
    run.add_argument("--no-demo", action="store_true", help="do not seed demo bed figures")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("load-reference", help="load the reference data file (WICC_SYSTEM_FILE)")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "run":
        cmd_run(settings, demo=not args.no_demo)
    elif args.command == "migrate":
        cmd_migrate(settings)
    else:
        cmd_load_reference(settings)


if __name__ == "__main__":
    main()
