"""The event spine: outbox -> stream order and seq, consumer dedupe, retry, dead letter."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from redis.asyncio import Redis
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.builders.events import HAPPENED, Happened, happened
from tests.builders.sitreps import sitrep_body
from tests.support import Wicc, plain_url
from wicc_capacity.tables import OUTBOX as CAPACITY_OUTBOX
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.events.consumer import (
    ConsumerConfig,
    StreamConsumer,
    Subscription,
    inbox_table,
)
from wicc_shared.events.envelope import Event
from wicc_shared.events.relay import OutboxRelay
from wicc_shared.events.stream import EventStream

SCHEMA = "escalation"  # an existing schema with an inbox; test tables live beside it


@pytest.fixture
async def sessions(fresh_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(fresh_db, "wicc-tests")
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def stream(redis_url: str) -> AsyncIterator[EventStream]:
    redis = Redis.from_url(redis_url)
    yield EventStream(redis, f"wicc:test:{uuid.uuid4().hex[:10]}", maxlen=10_000)
    await redis.aclose()


_event = happened


async def test_publish_assigns_increasing_seq_used_as_stream_id(stream: EventStream) -> None:
    first = await stream.publish([_event(1), _event(2)])
    second = await stream.publish([_event(3)])
    assert first == [1, 2]
    assert second == [3]
    got = await stream.read_after(1)
    assert [(e.seq, e.data["n"]) for e in got] == [(2, 2), (3, 3)]
    assert await stream.last_seq() == 3


async def test_seq_continues_after_the_counter_key_is_lost(stream: EventStream) -> None:
    await stream.publish([_event(1), _event(2)])
    await stream.redis.delete(stream.counter_key)
    assert await stream.publish([_event(3)]) == [3]


async def _consumer(
    stream: EventStream,
    sessions: async_sessionmaker[AsyncSession],
    applied: Table,
    fail_on: set[int],
    max_attempts: int = 3,
) -> StreamConsumer:
    inbox = inbox_table(MetaData(), SCHEMA)

    async def handler(session: AsyncSession, event: Event, payload: Happened) -> None:
        if payload.n in fail_on:
            raise RuntimeError("cannot apply this one")
        await session.execute(insert(applied).values(event_id=event.id, n=str(payload.n)))

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with sessions() as session, session.begin():
            yield session

    config = ConsumerConfig(
        group="tests", consumer="c1", max_attempts=max_attempts, retry_idle_ms=0, block_ms=50
    )
    subscriptions = [Subscription(HAPPENED, handler)]
    consumer = StreamConsumer(stream, transaction, inbox, config, subscriptions)
    await consumer.ensure_group()
    return consumer


@pytest.fixture
async def applied(sessions: async_sessionmaker[AsyncSession]) -> Table:
    table = Table(
        f"applied_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("event_id", UUID(as_uuid=True)),
        Column("n", Text),
        schema=SCHEMA,
    )
    async with sessions() as session, session.begin():
        await session.run_sync(lambda s: table.create(s.connection()))
    return table


async def _applied(sessions: async_sessionmaker[AsyncSession], table: Table) -> list[str]:
    async with sessions() as session:
        return list((await session.execute(select(table.c.n).order_by(table.c.n))).scalars())


async def test_a_redelivered_event_is_applied_once(
    stream: EventStream, sessions: async_sessionmaker[AsyncSession], applied: Table
) -> None:
    consumer = await _consumer(stream, sessions, applied, fail_on=set())
    event = _event(1)
    await stream.publish([event, event])  # e.g. the relay crashed before marking it published
    await stream.publish([_event(2, type_="other.type")])  # not this consumer's business
    while await consumer.run_once():
        pass
    assert await _applied(sessions, applied) == ["1"]
    pending = await stream.redis.xpending(stream.name, "tests")
    assert pending["pending"] == 0


async def test_a_failing_event_is_retried_then_dead_lettered(
    stream: EventStream, sessions: async_sessionmaker[AsyncSession], applied: Table
) -> None:
    consumer = await _consumer(stream, sessions, applied, fail_on={2}, max_attempts=3)
    await stream.publish([_event(1), _event(2), _event(3)])
    for _ in range(10):
        await consumer.run_once()
        await asyncio.sleep(0.01)
    assert await _applied(sessions, applied) == ["1", "3"]
    dead: list[tuple[bytes, dict[bytes, bytes]]] = await stream.redis.xrange(  # type: ignore[assignment]
        stream.dead_letter
    )
    assert len(dead) == 1
    assert dead[0][1][b"attempts"] == b"3"
    assert b'"n":2' in dead[0][1][b"e"]
    assert (await stream.redis.xpending(stream.name, "tests"))["pending"] == 0


async def test_escalation_learns_bed_figures_from_events(wicc: Wicc) -> None:
    assert (
        await wicc.put_beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=27)
    ).status_code == 200
    assert (
        await wicc.put_beds("RNZ-MED-A", core_open=20, escalation_open=0, occupied=20)
    ).status_code == 200
    assert (
        await wicc.put_beds("RNZ-ICU", core_open=10, escalation_open=0, occupied=1)
    ).status_code == 200  # critical care: not G&A
    for _ in range(100):
        body = (
            await wicc.client.get("/escalation/v1/inputs/RNZ/ga-occupancy", headers=wicc.auth())
        ).json()
        if body["open"] == 50:
            break
        await asyncio.sleep(0.05)
    assert (body["open"], body["occupied"], body["occupancy_pct"]) == (50, 47, 94.0)
    assert body["age_seconds"] > 0


async def test_a_relay_waits_while_another_holds_its_schema_then_publishes_in_order(
    fresh_db: str, stream: EventStream
) -> None:
    engine = create_engine(fresh_db, "wicc-tests")
    try:
        first = OutboxRelay(engine, CAPACITY_OUTBOX.table, stream, poll_seconds=1.0)
        second = OutboxRelay(engine, CAPACITY_OUTBOX.table, stream, poll_seconds=1.0)
        assert await first.publish_pending() == 0  # nothing to publish yet
        async with create_sessionmaker(engine)() as session, session.begin():
            for n in range(3):
                _event, row = CAPACITY_OUTBOX.prepare(session, HAPPENED, Happened(n=n))
                await session.execute(insert(CAPACITY_OUTBOX.table).values(row))

        async with engine.connect() as holder, holder.begin():
            # Another replica's relay in the middle of its cycle.
            await holder.execute(select(func.pg_advisory_xact_lock(first.lock_id)))
            assert await second.publish_pending() is None
            assert await stream.last_seq() == 0

        assert await second.publish_pending() == 3
        assert [e.data["n"] for e in await stream.read_after(0)] == [0, 1, 2]
        assert await first.publish_pending() == 0  # published once, whoever did it
    finally:
        await engine.dispose()


async def test_outbox_rows_are_marked_published_with_their_seq(wicc: Wicc) -> None:
    assert (await wicc.put_beds("RD1-AMU", occupied=3)).status_code == 200
    runtime = wicc.runtime
    row: tuple[int, int | None] = (0, None)
    async with runtime.sessions() as session:
        for _ in range(100):
            row = (
                await session.execute(
                    select(func.count(), func.max(Column("stream_seq")))
                    .select_from(
                        Table(
                            "outbox",
                            MetaData(),
                            Column("stream_seq"),
                            Column("published_at"),
                            schema="capacity",
                        )
                    )
                    .where(Column("published_at").is_not(None))
                )
            ).one()
            if row[0] == 1:
                break
            await asyncio.sleep(0.05)
    assert row[0] == 1 and row[1] is not None
    # The seq names the row's own entry. (Not simply the log's last one: escalation's
    # consumer may already have announced the unit's trust's new OPEL after it.)
    [entry] = await runtime.stream.read_after(row[1] - 1, count=1)
    assert (entry.seq, entry.type, entry.subject) == (row[1], "beds.updated", "units/RD1-AMU")


async def test_escalation_keeps_every_bed_reported_for_the_same_moment(wicc: Wicc) -> None:
    as_of = "2026-11-20T08:00:00Z"
    for bed in ("B1", "B2", "B3"):
        response = await wicc.client.put(
            f"/capacity/v1/units/RNZ-AMU/bed-status/{bed}",
            json={"status": "O", "as_of": as_of},
            headers=wicc.auth(),
        )
        assert response.status_code == 200, response.text
    for _ in range(100):
        body = (
            await wicc.client.get("/escalation/v1/inputs/RNZ/ga-occupancy", headers=wicc.auth())
        ).json()
        if body["open"] == 3:
            break
        await asyncio.sleep(0.05)
    assert (body["open"], body["occupied"]) == (3, 3)


async def test_a_published_event_carries_the_whole_envelope(wicc: Wicc) -> None:
    before = datetime.now(UTC)
    response = await wicc.put_beds("RD1-ICU", occupied=5)  # no OPEL input: one event
    assert response.status_code == 200, response.text
    after = datetime.now(UTC)
    events: list[Event] = []
    for _ in range(100):
        if events := await wicc.runtime.stream.read_after(0):
            break
        await asyncio.sleep(0.05)
    assert len(events) == 1
    event = events[0]
    async with wicc.runtime.sessions() as session:
        stored_id = await session.scalar(select(CAPACITY_OUTBOX.table.c.event_id))
    assert (event.specversion, event.datacontenttype) == ("1.0", "application/json")
    assert event.id == stored_id  # the id given at the write, kept through the relay
    assert (event.type, event.source, event.subject) == (
        "beds.updated",
        "/capacity",
        "units/RD1-ICU",
    )
    assert before <= event.time <= after
    assert event.data["occupied"] == 5 and event.data["unit_id"] == "RD1-ICU"
    assert event.correlationid == response.headers["x-request-id"]
    assert event.seq == await wicc.runtime.stream.last_seq()


async def _fetchval(wicc: Wicc, sql: str) -> Any:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


_WRITTEN = """
    SELECT (SELECT count(*) FROM capacity.bed_state_history)
         + (SELECT count(*) FROM capacity.care_capacity_history)
         + (SELECT count(*) FROM capacity.sitrep)
         + (SELECT count(*) FROM kernel.audit_log)
"""


async def test_a_write_whose_event_cannot_be_stored_is_not_stored_either(wicc: Wicc) -> None:
    # From now on every outbox insert fails, as a full disk or a broken table would.
    await _fetchval(
        wicc, "ALTER TABLE capacity.outbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID"
    )
    before = await _fetchval(wicc, _WRITTEN)
    beds = await wicc.put_beds("RD1-AMU", occupied=5)
    care = await wicc.client.put(
        "/capacity/v1/providers/CP-HTLAH-N/capacity",
        json={
            "service_type": "dom_care",
            "as_of": datetime.now(UTC).isoformat(),
            "package_starts_per_day": 2,
            "spare_hours_per_week": 40,
        },
        headers=wicc.auth(),
    )
    sitrep = await wicc.client.post(
        "/capacity/v1/sitreps",
        json=sitrep_body("RD1", date=datetime.now(ZoneInfo("Europe/London")).date()),
        headers=wicc.auth(),
    )
    for response in (beds, care, sitrep):
        assert response.status_code == 500, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert await _fetchval(wicc, _WRITTEN) == before  # no figure, history or audit row
    current = await wicc.client.get("/capacity/v1/units/RD1-AMU/beds", headers=wicc.auth())
    assert current.json()["as_of"] is None
