"""Patient flow at England's scale: the three targets of the patient-flow issue.

Starts the system (`wicc run --no-demo`, embedded PostgreSQL and Redis under a fresh
temporary data dir) with a generated reference file of `--trusts` acute trusts in
`--systems` care systems (three localities each), lists `--patients` discharge-ready
patients across them through the API (ready up to 60 days ago; about a quarter already
discharged, so a month's report has closed stays to cut), then measures, one request
at a time:

1. the derived discharge sitrep of one trust (`GET /flow/v1/discharge-sitrep/{org}/{today}`),
   target p99 <= 50 ms;
2. the lost-bed-days report of one system over a month (`GET /flow/v1/reports/lost-bed-days`,
   `by=reason`), target p99 <= 200 ms;
3. a patient update reaching the board as an aggregate: from just before a `PATCH`
   (changing the expected discharge date) until the trust's `discharge_sitrep.updated`
   frame arrives on a board WebSocket, target p99 <= 50 ms.

    python -m bench.patient_flow                      # 15,000 patients, 130 trusts
    python -m bench.patient_flow --smoke              # a quick run that shows it works

Results are printed and written as JSON under `bench/results/`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from websockets.asyncio.client import connect

from bench import http1
from bench.board_fanout import LOOPBACK, Progress, WiccServer, free_port, machine, summarise
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.kernel.reference import load_reference, read_reference_file

STARTUP_TIMEOUT_SECONDS = 180.0
TARGETS_MS = {"discharge_sitrep": 50.0, "lost_bed_days": 200.0, "update_to_board": 50.0}
LOCALITIES = ("north", "west", "south")
SEED_CONNECTIONS = 8


def reference_files(directory: Path, trusts: int, systems: int) -> list[Path]:
    """A reference file per care system (a file holds one): `trusts` acute trusts
    shared between `systems` systems, as England's 130-odd trusts are between 42."""
    organisations = [
        {
            "ods": f"T{i:03d}",
            "name": f"Bench trust {i}",
            "kind": "acute",
            "system": f"sys{i % systems:02d}",
            "locality": LOCALITIES[i % 3],
            "sites": [
                {
                    "code": f"T{i:03d}-S",
                    "name": "Site",
                    "units": [
                        {"id": f"T{i:03d}-W{w}", "name": f"Ward {w}", "bed_area": "adult_ga"}
                        for w in (1, 2)
                    ],
                }
            ],
        }
        for i in range(trusts)
    ]
    files = []
    for s in range(systems):
        document = {
            "system": {
                "code": f"sys{s:02d}",
                "name": f"Bench system {s}",
                "localities": [{"code": c, "name": c.title()} for c in LOCALITIES],
            },
            "organisations": [
                {k: v for k, v in o.items() if k != "system"}
                for o in organisations
                if o["system"] == f"sys{s:02d}"
            ],
        }
        path = directory / f"bench-system-{s:02d}.yaml"
        path.write_text(yaml.safe_dump(document))
        files.append(path)
    return files


async def load_other_systems(url: str, files: list[Path]) -> None:
    """`wicc run` loads one system file; the others go into its embedded PostgreSQL
    (`url`: on its Unix socket in the data dir) here, while it runs."""
    engine = create_engine(url, "wicc-bench", pool_size=1)
    try:
        for path in files:
            async with create_sessionmaker(engine)() as session, session.begin():
                await load_reference(session, read_reference_file(path))
    finally:
        await engine.dispose()


def patient(i: int, trusts: int, rng: random.Random, today: dt.date) -> dict[str, Any]:
    org = f"T{i % trusts:03d}"
    ready = today - dt.timedelta(days=min(60, int(rng.expovariate(1 / 10))))
    admitted = dt.datetime.combine(ready - dt.timedelta(days=rng.randint(1, 10)), dt.time(9))
    pathway = rng.choice((0, 1, 1, 1, 2, 3))
    reason = ("transport", "p1_care_at_home", "p2_bed", "p3_care_home.nursing")[pathway]
    return {
        "org": org,
        "unit_id": f"{org}-W{1 + i % 2}",
        "local_ref": f"B-{i:06d}",
        "admitted_at": admitted.replace(tzinfo=dt.UTC).isoformat(),
        "discharge_ready_date": ready.isoformat(),
        "pathway": pathway,
        "destination_locality": rng.choice(LOCALITIES),
        "delays": [{"reason": reason, "from": ready.isoformat()}] if rng.random() < 0.8 else [],
    }


class Api:
    def __init__(self, connection: http1.Connection, token: str) -> None:
        self.connection = connection
        self.headers = {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: Any) -> http1.Reply:
        return await self.connection.post_json(path, body, self.headers)

    async def get(self, path: str) -> http1.Reply:
        return await self.connection.request("GET", path, headers=self.headers)

    async def patch(self, path: str, body: Any, etag: str) -> http1.Reply:
        payload = json.dumps(body).encode()
        headers = {**self.headers, "Content-Type": "application/json", "If-Match": etag}
        return await self.connection.request("PATCH", path, payload, headers)


async def seed(
    port: int, token: str, patients: int, trusts: int, progress: Progress
) -> dict[str, tuple[str, str]]:
    """List the patients over a few connections (trusts interleaved, so they rarely wait
    on each other's lock); discharge about a quarter. Returns {id: (org, etag)} of the
    patients still open."""
    rng = random.Random(10)
    today = dt.date.today()
    bodies = [patient(i, trusts, rng, today) for i in range(patients)]
    open_records: dict[str, tuple[str, str]] = {}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    started = time.monotonic()

    async def worker() -> None:
        api = Api(await http1.Connection.open(LOOPBACK, port), token)
        while not queue.empty():
            body = queue.get_nowait()
            reply = await api.post("/flow/v1/patients", body)
            if reply.status != 201:
                raise RuntimeError(f"listing failed: {reply.status} {reply.body[:300]!r}")
            record = reply.json()
            if rng.random() < 0.25:
                when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
                left = await api.post(
                    f"/flow/v1/patients/{record['id']}/discharge",
                    {"discharged_at": when.isoformat(), "destination": "usual_residence"},
                )
                if left.status != 200:
                    raise RuntimeError(f"discharge failed: {left.status} {left.body[:300]!r}")
            else:
                open_records[record["id"]] = (record["org"], f'"{record["version"]}"')
            done = patients - queue.qsize()
            rate = done / max(time.monotonic() - started, 1e-6)
            progress.show(f"listing patients ... {done}/{patients} ({rate:.0f}/s)")
        await api.connection.close()

    await asyncio.gather(*(worker() for _ in range(SEED_CONNECTIONS)))
    progress.done(f"listed {patients} patients in {time.monotonic() - started:.0f} s")
    return open_records


async def timed_gets(api: Api, paths: list[str]) -> list[float]:
    latencies = []
    for path in paths:
        before = time.perf_counter()
        reply = await api.get(path)
        latencies.append((time.perf_counter() - before) * 1000)
        if reply.status != 200:
            raise RuntimeError(f"GET {path}: {reply.status} {reply.body[:300]!r}")
    return latencies


async def update_to_board(
    api: Api, base_ws: str, token: str, records: dict[str, tuple[str, str]], samples: int
) -> list[float]:
    """PATCH one open record at a time; time until its trust's recount reaches a board."""
    chosen = list(records.items())[:samples]
    latencies = []
    async with connect(f"{base_ws}/flow/v1/board/ws?token={token}", max_size=None) as ws:
        await ws.recv()  # the snapshot
        for n, (patient_id, (org, etag)) in enumerate(chosen):
            before = time.perf_counter()
            # Each record is changed once, to a date it never had: always a real change.
            expected = (dt.date.today() + dt.timedelta(days=1 + n % 300)).isoformat()
            body = {"expected_discharge_date": expected}
            reply = await api.patch(f"/flow/v1/patients/{patient_id}", body, etag)
            if reply.status != 200:
                raise RuntimeError(f"PATCH: {reply.status} {reply.body[:300]!r}")
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                event = frame.get("event", {})
                if event.get("type") == "discharge_sitrep.updated" and event["data"]["org"] == org:
                    latencies.append((time.perf_counter() - before) * 1000)
                    break
    return latencies


async def measure(
    port: int, admin_token: str, args: argparse.Namespace, progress: Progress
) -> dict[str, Any]:
    connection = await http1.Connection.open(LOOPBACK, port)
    api = Api(connection, admin_token)
    records = await seed(port, admin_token, args.patients, args.trusts, progress)
    today = dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    month = (first.replace(day=1), first)  # the last whole month
    trusts = [f"T{i:03d}" for i in range(args.trusts)]
    progress.show("measuring the discharge sitrep ...")
    sitrep = await timed_gets(
        api,
        [
            f"/flow/v1/discharge-sitrep/{trusts[n % len(trusts)]}/{today}"
            for n in range(args.samples)
        ],
    )
    progress.show("measuring the lost-bed-days report ...")
    report = await timed_gets(
        api,
        [
            f"/flow/v1/reports/lost-bed-days?system=sys{n % args.systems:02d}"
            f"&from={month[0]}&to={month[1]}&by=reason"
            for n in range(args.samples)
        ],
    )
    progress.show("measuring update to board ...")
    board = await update_to_board(
        api, f"ws://{LOOPBACK}:{port}", admin_token, records, min(args.samples, len(records))
    )
    progress.done("measured")
    await connection.close()
    return {
        "discharge_sitrep": summarise(sitrep),
        "lost_bed_days": summarise(report),
        "update_to_board": summarise(board),
        "samples": {
            "discharge_sitrep": len(sitrep),
            "lost_bed_days": len(report),
            "update_to_board": len(board),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=15_000)
    parser.add_argument("--trusts", type=int, default=130)
    parser.add_argument("--systems", type=int, default=42)
    parser.add_argument("--samples", type=int, default=500, help="requests measured per target")
    parser.add_argument(
        "--smoke", action="store_true", help="a quick run: 600 patients, 30 samples each"
    )
    parser.add_argument("--json-out", type=Path, default=Path("bench/results/patient_flow.json"))
    args = parser.parse_args(argv)
    if args.smoke:
        args.patients, args.samples = 600, 30
    progress = Progress()
    directory = Path(tempfile.mkdtemp(prefix="wicc-bench-patients-"))
    first, *others = reference_files(directory, args.trusts, args.systems)
    server = WiccServer(directory, free_port(), extra_env={"WICC_SYSTEM_FILE": str(first)})
    try:
        server.start()
        admin_token = server.wait_ready(STARTUP_TIMEOUT_SECONDS, progress)
        socket_dir = directory.resolve() / "postgres"
        url = f"postgresql+asyncpg://postgres:@/wicc?host={socket_dir}"
        asyncio.run(load_other_systems(url, others))
        result = asyncio.run(measure(server.port, admin_token, args, progress))
    finally:
        server.stop()
    result.update(
        machine=machine(),
        patients=args.patients,
        trusts=args.trusts,
        systems=args.systems,
        targets_p99_ms=TARGETS_MS,
    )
    for name, target in TARGETS_MS.items():
        p99 = result[name]["p99"]
        met = p99 is not None and p99 <= target
        p50 = result[name]["p50"]
        verdict = "MET" if met else "MISSED"
        print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms (target {target:.0f} ms: {verdict})")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
