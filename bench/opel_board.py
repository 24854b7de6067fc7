"""OPEL on the board: one input event until the trust's and its system's new score
reach a board client.

    python -m bench.opel_board [--trusts 130] [--systems 42] [--updates 200]
                               [--interval 0.1] [--json-out bench/results/opel_board.json]

The benchmark generates `--trusts` acute trusts in `--systems` care systems (reference
data and an OPEL system file each, `bench/opel_system.py`), starts embedded PostgreSQL
and Redis itself, migrates and loads every system, then starts WICC (`wicc run
--no-demo`) on them with every system's OPEL file. It reports every trust's adult G&A
beds once (not measured: each trust and system gets its first score), opens one board
WebSocket, then sends bed reports one at a time, round-robin over the trusts, each
moving the trust's occupancy across a band (so its score, and its system's, change).

latency = the frame's arrival at the board client - the PUT sent, for the trust's
`opel.calculated` (matched by the occupancy input's `as_of`, which is the report's) and
for its system's next `opel.calculated`. It covers the bed write, its outbox and relay,
escalation's consumer (the inputs kept, the trust and the system recomputed, both
announced), the second relay, the board hub and the client.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.board_fanout import (
    LOOPBACK,
    Progress,
    WiccServer,
    free_port,
    machine,
    summarise,
)
from bench.opel_system import GA_BEDS, Generated, Trust, generate
from wicc import migrate
from wicc.infra import infrastructure
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.kernel.reference import load_reference, read_reference_file
from wicc_shared.settings import WiccSettings

TARGET_P99_MS = 50.0
STARTUP_TIMEOUT_SECONDS = 300.0
FRAME_TIMEOUT_SECONDS = 10.0
# Occupancy alternating between two bands (0 and 3 points): every report moves the score.
OCCUPIED = (int(GA_BEDS * 0.80), int(GA_BEDS * 0.99))


@dataclass
class Timings:
    trust_ms: list[float] = field(default_factory=list)
    system_ms: list[float] = field(default_factory=list)
    missed: int = 0


async def load_systems(database_url: str, generated: Generated) -> None:
    engine = create_engine(WiccSettings(database_url=database_url).async_database_url, "bench")
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for path in generated.reference_files:
                await load_reference(session, read_reference_file(path))
    finally:
        await engine.dispose()


async def report(client: httpx.AsyncClient, trust: Trust, occupied: int) -> str:
    """One bed report for the trust's G&A unit; returns its `as_of`."""
    as_of = datetime.now(UTC).isoformat()
    body = {"core_open": GA_BEDS, "escalation_open": 0, "occupied": occupied, "as_of": as_of}
    response = await client.put(f"/capacity/v1/units/{trust.ga_unit}/beds", json=body)
    response.raise_for_status()
    answered: str = response.json()["as_of"]
    return answered


def _occupancy_as_of(data: dict[str, Any]) -> str | None:
    for parameter in data["parameters"]:
        if parameter["key"] == "adult_ga_occupancy_pct":
            as_of: str | None = parameter["as_of"]
            return as_of
    return None


async def until_scores(
    ws: ClientConnection, trust: Trust, as_of: str, sent: float
) -> tuple[float, float]:
    """Milliseconds from `sent` to the trust's new score and to its system's next one."""
    trust_ms = system_ms = None
    wanted = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    while trust_ms is None or system_ms is None:
        frame = json.loads(await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT_SECONDS))
        arrived = time.perf_counter()
        event = frame.get("event") or {}
        if event.get("type") != "opel.calculated":
            continue
        data = event["data"]
        if data["org"] == trust.ods:
            seen = _occupancy_as_of(data)
            if seen and datetime.fromisoformat(seen.replace("Z", "+00:00")) == wanted:
                trust_ms = (arrived - sent) * 1000
        elif data["org"] is None and data["system"] == trust.system and trust_ms is not None:
            system_ms = (arrived - sent) * 1000
    return trust_ms, system_ms


async def measure(
    base_url: str, token: str, generated: Generated, args: argparse.Namespace
) -> Timings:
    headers = {"Authorization": f"Bearer {token}"}
    progress = Progress()
    timings = Timings()
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        for index, trust in enumerate(generated.trusts):  # first scores: not measured
            await report(client, trust, OCCUPIED[0])
            progress.show(f"warming up: {index + 1}/{len(generated.trusts)} trusts reported")
        await asyncio.sleep(2)  # let the first calculations reach the board
        ws_url = base_url.replace("http://", "ws://") + "/flow/v1/board/ws"
        async with connect(ws_url, additional_headers=headers, max_size=None) as ws:
            await ws.recv()  # the snapshot
            for index in range(args.updates):
                trust = generated.trusts[index % len(generated.trusts)]
                occupied = OCCUPIED[(index // len(generated.trusts) + 1) % 2]
                sent = time.perf_counter()
                as_of = await report(client, trust, occupied)
                try:
                    trust_ms, system_ms = await until_scores(ws, trust, as_of, sent)
                except TimeoutError:
                    timings.missed += 1
                    continue
                timings.trust_ms.append(trust_ms)
                timings.system_ms.append(system_ms)
                progress.show(f"measuring: {index + 1}/{args.updates} reports")
                await asyncio.sleep(args.interval)
    progress.done(f"measured {len(timings.trust_ms)} reports, {timings.missed} missed")
    return timings


def run(args: argparse.Namespace) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="wicc-bench-opel-"))
    if not args.keep_data:
        # At exit too: the embedded PostgreSQL's own exit hook writes to its run dir
        # after the server has stopped (hooks run last registered first).
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    try:
        return _run_in(directory, args)
    finally:
        if args.keep_data:
            print(f"data dir kept: {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)


def _run_in(directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    generated = generate(directory, args.trusts, args.systems)
    with infrastructure(WiccSettings(data_dir=directory / "data")) as infra:
        assert infra.database_url is not None
        assert infra.redis_url is not None
        migrate.upgrade(infra.database_url)
        asyncio.run(load_systems(infra.database_url, generated))
        server = WiccServer(
            directory / "data",
            free_port(),
            extra_env={
                "DATABASE_URL": infra.database_url,
                "REDIS_URL": infra.redis_url,
                "WICC_SYSTEM_FILE": str(generated.reference_files[0]),
                "WICC_OPEL_SYSTEM_FILES": json.dumps([str(p) for p in generated.opel_files]),
            },
        )
        try:
            server.start()
            token = server.wait_ready(STARTUP_TIMEOUT_SECONDS, Progress())
            timings = asyncio.run(
                measure(f"http://{LOOPBACK}:{server.port}", token, generated, args)
            )
        finally:
            server.stop()
    return {
        "trusts": args.trusts,
        "systems": args.systems,
        "updates": args.updates,
        "missed": timings.missed,
        "trust_score_ms": _rounded(summarise(timings.trust_ms)),
        "system_score_ms": _rounded(summarise(timings.system_ms)),
        "target_p99_ms": TARGET_P99_MS,
        "machine": machine(),
    }


def _rounded(summary: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 1) for k, v in summary.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trusts", type=int, default=130)
    parser.add_argument("--systems", type=int, default=42)
    parser.add_argument("--updates", type=int, default=200, help="measured bed reports (200)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between reports (0.1)")
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--json-out", type=Path, default=Path("bench/results/opel_board.json"))
    args = parser.parse_args(argv)
    result = run(args)
    shown = ["trusts", "systems", "updates", "missed", "trust_score_ms", "system_score_ms"]
    print(json.dumps({k: result[k] for k in shown}, indent=2))
    p99 = result["system_score_ms"]["p99"]
    met = p99 is not None and p99 <= TARGET_P99_MS and not result["missed"]
    print(
        f"target {'MET' if met else 'MISSED'}: system's new score on the board, p99 <= "
        f"{TARGET_P99_MS:g} ms"
    )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
