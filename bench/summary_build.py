"""Daily summary builds at England scale: one system's build (p50/p99) and all 42
systems' scheduled builds (wall time).

Starts an embedded PostgreSQL and Redis in a temporary directory, migrates, loads
generated reference data (42 care systems, 130 acute trusts with their wards, care
providers), puts the board's events on the log (this morning's bed reports, care
capacity, yesterday's sitreps), saves a board checkpoint as the hub would (leaving
the last `--tail` events to replay, as a build finds them), and writes eight weeks of
earlier summaries' daily figures. Then, in this process, on the runtime's clock:

- `--builds` on-demand builds of the largest system, each a new version, each timed
  from reading the board to the stored, announced version (as `POST` does it);
- the worker's job building every system's scheduled summary (one board read, then a
  transaction per system), timed as a whole.

    python -m bench.summary_build [--builds 50] [--tail 200] [--smoke]

The data include 15,000 discharge-ready records (`bench/england_patients.py`) and each
trust's discharge sitrep for the day on the log, so every build also counts lost bed
days and the outlook's eight weeks from the records. Results are printed and written
as JSON to bench/results/summary_build.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.board_fanout import machine, summarise
from bench.england import (
    Scale,
    board_events,
    event_of,
    history_rows,
    reference_files,
    system_code,
)
from bench.england_patients import PATIENTS, discharge_sitreps, patients
from wicc import migrate
from wicc.app import Settings
from wicc_flow.board.models import BoardCheckpoint
from wicc_flow.board.projection import BoardProjection
from wicc_flow.patients.delay_reasons import DelayReasons, load_delay_reasons
from wicc_flow.summaries import service
from wicc_flow.summaries.models import SummaryFigure
from wicc_flow.summaries.schedule import build_due
from wicc_shared.auth import Principal, Role
from wicc_shared.catalogue import DISCHARGE_SITREP_UPDATED
from wicc_shared.embedded import EmbeddedPostgres, EmbeddedRedis
from wicc_shared.kernel.reference import load_reference
from wicc_shared.runtime import Runtime, close_runtime, open_runtime

NOW = dt.datetime(2026, 12, 3, 8, 31, tzinfo=dt.UTC)  # just after 08:30 in London
ADMIN = Principal(key_id="bench", role=Role.admin)
RESULTS = Path(__file__).resolve().parent / "results" / "summary_build.json"
TARGET_ONE_P99_S = 1.0
TARGET_ALL_S = 30.0


def progress(text: str) -> None:
    print(f"[summary_build] {text}", file=sys.stderr, flush=True)


async def prepare(
    runtime: Runtime, scale: Scale, tail: int, reasons: DelayReasons, total: int
) -> dict[str, int]:
    progress("loading reference data")
    async with runtime.transaction() as session:
        for reference in reference_files(scale):
            await load_reference(session, reference)
    records = patients(scale, NOW, total)
    progress(f"listing {len(records)} discharge-ready records")
    async with runtime.transaction() as session:
        session.add_all(records)
    events = board_events(scale, NOW) + [
        event_of(DISCHARGE_SITREP_UPDATED, payload)
        for _, payload in discharge_sitreps(records, reasons, NOW)
    ]
    progress(f"publishing {len(events)} events")
    seqs: list[int] = []
    for start in range(0, len(events), 500):
        seqs += await runtime.stream.publish(events[start : start + 500])
    checkpointed = max(0, len(events) - tail)
    projection = BoardProjection(care_freshness_hours=runtime.settings.care_freshness_hours)
    for event in events[:checkpointed]:
        projection.apply(event)
    rows = list(history_rows(scale, NOW.date()))
    progress(f"checkpoint and {len(rows)} history rows")
    async with runtime.transaction() as session:
        seq = seqs[checkpointed - 1] if checkpointed else 0
        session.add(BoardCheckpoint(id=1, seq=seq, state=projection.state(), saved_at=NOW))
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(SummaryFigure), rows[start : start + 5_000])
    return {
        "patients": len(records),
        "events": len(events),
        "replayed": len(events) - checkpointed,
        "history_rows": len(rows),
    }


async def one_system(
    runtime: Runtime, code: str, builds: int, reasons: DelayReasons
) -> list[float]:
    seconds = []
    for _ in range(builds):
        started = time.perf_counter()
        async with runtime.transaction() as session:
            await service.build_now(
                session,
                runtime.stream,
                ADMIN,
                code,
                NOW.date(),
                now=NOW,
                care_freshness_hours=runtime.settings.care_freshness_hours,
                reasons=reasons,
            )
        seconds.append(time.perf_counter() - started)
    return seconds


async def all_systems(runtime: Runtime, reasons: DelayReasons) -> tuple[float, str]:
    started = time.perf_counter()
    account = await build_due(runtime, runtime.settings.care_freshness_hours, reasons)
    return time.perf_counter() - started, account


async def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    scale = Scale(systems=args.systems, trusts=args.trusts)
    postgres, redis = EmbeddedPostgres(data_dir), EmbeddedRedis(data_dir)
    url = postgres.ensure_database("wicc")
    try:
        progress("migrating")
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(
            env="test",
            database_url=url,
            redis_url=redis.start(),
            event_stream="bench:summary",
            log_level="WARNING",
        )
        runtime = await open_runtime(settings, name="bench-summary")
        runtime.clock = lambda: NOW
        try:
            reasons = load_delay_reasons(settings.delay_reasons_file)
            data = await prepare(runtime, scale, args.tail, reasons, args.patients)
            progress(f"{args.builds} builds of {system_code(0)}")
            one = await one_system(runtime, system_code(0), args.builds, reasons)
            progress(f"the scheduled builds of all {scale.systems} systems")
            wall, account = await all_systems(runtime, reasons)
        finally:
            await close_runtime(runtime)
    finally:
        redis.stop()
        postgres.stop()
    return {
        "scale": {
            "systems": scale.systems,
            "trusts": scale.trusts,
            "units_per_trust": scale.units_per_trust,
        },
        "data": data,
        "one_system_seconds": summarise(one[1:] if len(one) > 1 else one),  # first: warm-up
        "one_system_builds": len(one),
        "all_systems_seconds": round(wall, 3),
        "all_systems_account": account[:200],
        "targets": {"one_system_p99_s": TARGET_ONE_P99_S, "all_systems_s": TARGET_ALL_S},
        "machine": machine(),
        "smoke": args.smoke,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", type=int, default=42)
    parser.add_argument("--trusts", type=int, default=130)
    parser.add_argument("--builds", type=int, default=50, help="builds of one system")
    parser.add_argument("--patients", type=int, default=PATIENTS, help="discharge-ready records")
    parser.add_argument("--tail", type=int, default=200, help="events after the checkpoint")
    parser.add_argument("--smoke", action="store_true", help="a quick check that it runs")
    parser.add_argument("--json-out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.smoke:
        args.systems, args.trusts, args.builds, args.patients = 6, 18, 5, 2_000
    with tempfile.TemporaryDirectory(prefix="wicc-bench-summary-") as tmp:
        result = asyncio.run(run(args, Path(tmp)))
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    one, wall = result["one_system_seconds"], result["all_systems_seconds"]
    print(
        f"summary builds ({result['scale']['systems']} systems, {result['scale']['trusts']} trusts"
        f"{', smoke' if args.smoke else ''}):\n"
        f"  one system: p50 {one['p50']:.3f} s, p99 {one['p99']:.3f} s, max {one['max']:.3f} s "
        f"over {result['one_system_builds'] - 1} builds (target p99 <= {TARGET_ONE_P99_S:g} s)\n"
        f"  all systems (the worker's job): {wall:.2f} s (target <= {TARGET_ALL_S:g} s)\n"
        f"  {result['all_systems_account'][:120]}"
    )


if __name__ == "__main__":
    main()
