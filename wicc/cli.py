"""`wicc run | worker | migrate | load-reference | reencrypt-nhs-numbers | summary`: the
project's command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import uvicorn

from wicc import migrate
from wicc.app import Settings, create_app, create_worker_app
from wicc.demo import seed_demo_beds
from wicc.demo_care import seed_demo_care
from wicc.demo_patients import seed_demo_patients
from wicc.infra import infrastructure
from wicc.summary import FORMATS, SummaryRequest, summary_text
from wicc_flow.board.frame_sink import uvicorn_websocket_options
from wicc_flow.patients.config import patient_flow
from wicc_flow.patients.rotation import reencrypt_batch
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.errors import WiccError
from wicc_shared.kernel.reference import load_reference, read_reference_file
from wicc_shared.logging import configure_logging

logger = logging.getLogger("wicc")
API_FACTORY = "wicc.app:create_api_app_from_env"  # how API processes build their app
WORKER_STOP_SECONDS = 15.0


async def _load_reference(settings: Settings, *, demo: bool) -> dict[str, int]:
    engine = create_engine(settings.async_database_url, "wicc-cli", pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            counts = await load_reference(session, read_reference_file(settings.system_file))
            if demo:
                counts["demo_units_reported"] = await seed_demo_beds(session)
                freshness = settings.care_freshness_hours
                counts["demo_care_services_reported"] = await seed_demo_care(session, freshness)
                flow = patient_flow(settings)
                counts["demo_patients_listed"] = await seed_demo_patients(session, flow)
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


async def _reencrypt(settings: Settings) -> int:
    cipher = patient_flow(settings).cipher
    engine = create_engine(settings.async_database_url, "wicc-cli", pool_size=1)
    sessions = create_sessionmaker(engine)
    done, after = 0, uuid.UUID(int=0)
    try:
        while True:  # a transaction per batch: the service runs on meanwhile
            async with sessions() as session, session.begin():
                changed, last = await reencrypt_batch(session, cipher, after=after)
            done += changed
            if last is None:
                return done
            after = last
    finally:
        await engine.dispose()


def cmd_reencrypt(settings: Settings) -> None:
    """Step 2 of an NHS-number key rotation (docs/patient-flow.md)."""
    with infrastructure(settings) as ready:
        count = asyncio.run(_reencrypt(ready))
        print(f"NHS numbers re-encrypted under the newest key: {count}")


def cmd_summary(settings: Settings, request: SummaryRequest) -> int:
    """Print the day's summary; 1 (with the reason on stderr) when there is none."""
    with infrastructure(settings) as ready:
        try:
            text = asyncio.run(summary_text(ready, request))
        except WiccError as exc:
            print(f"wicc summary: {exc.detail}", file=sys.stderr)
            for error in getattr(exc, "errors", ()):
                print(f"  {error.field}: {error.message}", file=sys.stderr)
            return 1
    sys.stdout.write(text)
    return 0


def cmd_run(settings: Settings, *, demo: bool) -> None:
    with infrastructure(settings) as ready:
        assert ready.database_url
        print("applying migrations ...", flush=True)
        migrate.upgrade(ready.database_url)
        counts = asyncio.run(_load_reference(ready, demo=demo))
        print(f"reference data: {counts}", flush=True)
        _print_banner(ready)
        _serve(ready)


def cmd_worker(settings: Settings) -> None:
    """The background work of every service (relays, consumers, scheduled jobs), with
    health and metrics on `WICC_WORKER_PORT`."""
    with infrastructure(settings) as ready:
        uvicorn.run(
            create_worker_app(ready),
            host=ready.host,
            port=ready.worker_port,
            log_level="warning",
            lifespan="on",
        )


def _serve(settings: Settings) -> None:
    options: dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        **uvicorn_websocket_options(),
    )
    if settings.workers == 1:
        # One process plays both roles: answering requests and the background work.
        uvicorn.run(create_app(settings), **options)
        return
    # N API processes and one worker process, so background work is not multiplied.
    # They build their apps from the environment: hand them the URLs of the embedded
    # servers and the admin token this process resolved.
    os.environ.update(worker_environment(settings))
    with _worker_process():
        uvicorn.run(API_FACTORY, factory=True, workers=settings.workers, **options)


@contextlib.contextmanager
def _worker_process() -> Iterator[subprocess.Popen[bytes]]:
    worker = subprocess.Popen([sys.executable, "-m", "wicc.cli", "worker"])
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


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
    run.add_argument(
        "--no-demo", action="store_true", help="do not seed demo bed figures and patients"
    )
    sub.add_parser("worker", help="run the background work (relays, consumers, jobs)")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("load-reference", help="load the reference data file (WICC_SYSTEM_FILE)")
    sub.add_parser(
        "reencrypt-nhs-numbers",
        help="re-encrypt stored NHS numbers under the newest WICC_NHS_NUMBER_KEYS key",
    )
    summary = sub.add_parser(
        "summary",
        help="print a care system's daily summary (building it if there is none)",
        description="Print the latest version of a care system's daily summary, building "
        "today's when there is none (or with --rebuild).",
    )
    summary.add_argument("--system", required=True, help="care system code, e.g. wiltshire")
    summary.add_argument(
        "--date", type=dt.date.fromisoformat, help="the day (YYYY-MM-DD); default today"
    )
    summary.add_argument("--format", choices=sorted(FORMATS), default="html")
    summary.add_argument("--rebuild", action="store_true", help="build a new version first")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "run":
        cmd_run(settings, demo=not args.no_demo)
    elif args.command == "worker":
        cmd_worker(settings)
    elif args.command == "migrate":
        cmd_migrate(settings)
    elif args.command == "reencrypt-nhs-numbers":
        cmd_reencrypt(settings)
    elif args.command == "summary":
        request = SummaryRequest(args.system, args.date, args.format, args.rebuild)
        sys.exit(cmd_summary(settings, request))
    else:
        cmd_load_reference(settings)


if __name__ == "__main__":
    main()
