"""A PostgreSQL that refuses or drops connections is a retryable 503, never a 500 or a hang.

Each outage is the server's own doing, on a real server: a database closed to new
connections, a smart shutdown (57P03 to every new connection), a stopped server
(connection refused), a session ended mid-statement (57P01), a server that accepts
connections and never answers.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.shared.postgres_server import PostgresServer
from tests.support import PROBLEM, Wicc, admin_connection, plain_url, serve, settings_for
from wicc_shared.db import server_unavailable


def assert_retryable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:wicc:problem:unavailable"


async def read_and_write(wicc: Wicc, token: str | None = None) -> list[httpx.Response]:
    """A read, a bed update (with an Idempotency-Key, as a client that will retry sends
    it), and a read with a key the process has not seen yet (checked in the database)."""
    headers = wicc.auth() | {"Idempotency-Key": str(uuid.uuid4())}
    as_of = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    body = {"core_open": 20, "escalation_open": 0, "occupied": 11, "closed": [], "as_of": as_of}
    responses = [
        await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth()),
        await wicc.client.put("/capacity/v1/units/RNZ-AMU/beds", json=body, headers=headers),
    ]
    if token is not None:
        responses.append(await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth(token)))
    return responses


async def test_a_database_closed_to_new_connections_is_a_503_and_nothing_is_written(
    fresh_db: str, redis_url: str, postgres_url: str
) -> None:
    name = fresh_db.partition("?")[0].rsplit("/", 1)[1]
    async with serve(settings_for(fresh_db, redis_url)) as wicc:
        unseen_key = await wicc.key("viewer", org="RNZ")
        admin = await admin_connection(postgres_url)
        try:
            # As for maintenance: no new sessions, and the open ones ended.
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            # The first requests may meet a pooled connection that was ended (a 503
            # already); the ones after must open a connection and are refused (55000).
            for _ in range(3):
                for response in await read_and_write(wicc, unseen_key):
                    assert_retryable(response)
            # A board connecting with that key is refused the same way, in its handshake.
            with pytest.raises(InvalidStatus) as refused:
                async with connect(wicc.ws_url, additional_headers=wicc.auth(unseen_key)):
                    pass
            handshake = refused.value.response
            assert handshake.status_code == 503
            assert handshake.headers["Retry-After"] == "5"
            assert json.loads(handshake.body)["type"] == "urn:wicc:problem:unavailable"
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        finally:
            await admin.close()

        assert [r.status_code for r in await read_and_write(wicc, unseen_key)] == [200, 200, 200]
        history = await asyncpg.connect(plain_url(fresh_db))
        try:
            written = await history.fetchval(
                "SELECT count(*) FROM capacity.bed_state_history WHERE unit_id = 'RNZ-AMU'"
            )
        finally:
            await history.close()
        assert written == 1  # only the update sent once the database was open again


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[PostgresServer]:
    server = PostgresServer(tmp_path)
    await server.start()
    yield server
    server.cleanup()


async def test_a_server_shutting_down_then_stopped_is_a_503_and_serves_again_once_back(
    own_postgres: PostgresServer, redis_url: str
) -> None:
    async with serve(settings_for(own_postgres.url, redis_url)) as wicc:
        unseen_key = await wicc.key("viewer", org="RNZ")
        # A session left open keeps a smart shutdown in its first phase, in which the
        # server answers every new connection "the database system is shutting down".
        held = await asyncpg.connect(plain_url(own_postgres.url))
        own_postgres.begin_smart_shutdown()
        await held.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for _ in range(3):
            for response in await read_and_write(wicc, unseen_key):
                assert_retryable(response)

        await held.close()
        await own_postgres.stop()
        for _ in range(2):  # now the connection itself is refused
            for response in await read_and_write(wicc, unseen_key):
                assert_retryable(response)

        await own_postgres.start()
        assert [r.status_code for r in await read_and_write(wicc, unseen_key)] == [200, 200, 200]


async def test_a_server_that_never_answers_is_a_503_after_the_connect_timeout(
    own_postgres: PostgresServer, redis_url: str
) -> None:
    settings = settings_for(own_postgres.url, redis_url, db_connect_timeout_seconds=0.5)
    async with serve(settings) as wicc:
        unseen_key = await wicc.key("viewer", org="RNZ")
        held = await asyncpg.connect(plain_url(own_postgres.url))
        await held.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        own_postgres.freeze()
        try:
            for _ in range(2):
                started = time.monotonic()
                responses = await read_and_write(wicc, unseen_key)
                # Without a connect timeout each would wait asyncpg's 60 s (the test
                # client gives up after 20 s). Generous: the machine may be busy.
                assert time.monotonic() - started < 10
                for response in responses:
                    assert_retryable(response)
        finally:
            own_postgres.thaw()
        await held.close()
        assert [r.status_code for r in await read_and_write(wicc, unseen_key)] == [200, 200, 200]


async def test_a_session_the_server_ends_mid_statement_is_a_503(
    fresh_db: str, redis_url: str
) -> None:
    async with serve(settings_for(fresh_db, redis_url)) as wicc:
        locker = await asyncpg.connect(plain_url(fresh_db))
        try:
            # Hold the organisation table, so the read waits inside its statement.
            transaction = locker.transaction()
            await transaction.start()
            await locker.execute("LOCK TABLE kernel.organisation IN ACCESS EXCLUSIVE MODE")
            read = asyncio.create_task(
                wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())
            )
            waiting = await _backend_waiting_for_a_lock(locker)
            # What an operator's pg_terminate_backend, or a fast shutdown, does: 57P01.
            assert await locker.fetchval("SELECT pg_terminate_backend($1)", waiting)
            assert_retryable(await read)
            await transaction.rollback()
        finally:
            await locker.close()
        response = await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())
        assert response.status_code == 200


async def test_every_pooled_connection_busy_is_a_503_after_the_pool_timeout(
    fresh_db: str, redis_url: str
) -> None:
    settings = settings_for(
        fresh_db, redis_url, db_pool_size=2, db_max_overflow=0, db_pool_timeout_seconds=0.5
    )
    async with serve(settings) as wicc:
        locker = await asyncpg.connect(plain_url(fresh_db))
        try:
            transaction = locker.transaction()
            await transaction.start()
            # Reads wait on the lock, each holding one of the pool's two connections.
            await locker.execute("LOCK TABLE kernel.organisation IN ACCESS EXCLUSIVE MODE")
            reads = [
                asyncio.create_task(wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth()))
                for _ in range(4)
            ]
            await _backend_waiting_for_a_lock(locker)
            done, _ = await asyncio.wait(reads, timeout=5, return_when=asyncio.FIRST_COMPLETED)
            assert done, "a request waited for a free connection for over 5 s"
            for refused in done:
                assert_retryable(refused.result())
            await transaction.rollback()
            answers = {(await read).status_code for read in reads}
        finally:
            await locker.close()
        assert answers == {200, 503}


async def _backend_waiting_for_a_lock(conn: asyncpg.Connection) -> int:
    for _ in range(200):
        pid = await conn.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.05)
    raise AssertionError("no request waited for the lock")


@pytest.mark.parametrize(
    ("sqlstate", "connecting", "unavailable"),
    [
        ("57P03", True, True),  # cannot_connect_now: starting up or shutting down
        ("53300", True, True),  # too_many_connections
        ("57P01", False, True),  # admin_shutdown: pg_terminate_backend, fast shutdown
        ("57P02", False, True),  # crash_shutdown: another backend crashed
        ("08006", False, True),  # connection_failure
        ("55000", True, True),  # the database does not allow connections
        ("55000", False, False),  # the same code from a statement is a bug
        ("23505", False, False),  # unique_violation
        ("57014", False, False),  # query_canceled (a statement timeout)
        (None, False, False),
    ],
)
def test_which_sqlstates_mean_the_server_cannot_serve_now(
    sqlstate: str | None, connecting: bool, unavailable: bool
) -> None:
    assert server_unavailable(sqlstate, connecting=connecting) is unavailable
