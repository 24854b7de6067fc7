"""Migrations go up, down to base, and up again on a fresh database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support import admin_connection, database_url, plain_url
from wicc import migrate

EXPECTED_TABLES = {
    ("kernel", "organisation"),
    ("kernel", "unit"),
    ("kernel", "api_key"),
    ("kernel", "audit_log"),
    ("capacity", "bed_state"),
    ("capacity", "bed_state_history"),
    ("capacity", "outbox"),
    ("flow", "outbox"),
    ("flow", "board_checkpoint"),
    ("flow", "webhook_endpoint"),
    ("flow", "webhook_delivery"),
    ("flow", "webhook_attempt"),
    ("flow", "webhook_inbox"),
    ("escalation", "outbox"),
    ("escalation", "inbox"),
    ("escalation", "unit_beds"),
}


@pytest.fixture
async def empty_db(postgres_url: str) -> AsyncIterator[str]:
    name = f"wicc_mig_{uuid.uuid4().hex[:12]}"
    conn = await admin_connection(postgres_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield database_url(postgres_url, name)
    conn = await admin_connection(postgres_url)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def _tables(url: str) -> set[tuple[str, str]]:
    conn = await asyncpg.connect(plain_url(url))
    try:
        rows = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('kernel', 'capacity', 'flow', 'escalation') "
            "AND table_name <> 'alembic_version'"
        )
    finally:
        await conn.close()
    return {(r["table_schema"], r["table_name"]) for r in rows}


async def test_upgrade_downgrade_upgrade(empty_db: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_db)
    assert await _tables(empty_db) >= EXPECTED_TABLES

    await asyncio.to_thread(migrate.downgrade, empty_db, "base")
    assert await _tables(empty_db) == set()

    await asyncio.to_thread(migrate.upgrade, empty_db)
    assert await _tables(empty_db) >= EXPECTED_TABLES
    conn = await asyncpg.connect(plain_url(empty_db))
    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO kernel.care_system (code, name, timezone, sitrep_deadline) "
                "VALUES ('s', 's', 'Europe/London', '11:00');"
                "INSERT INTO kernel.organisation (ods, name, kind, system_code, active) "
                "VALUES ('X', 'x', 'acute', 's', true);"
                "INSERT INTO kernel.site (code, org_ods, name, active) "
                "VALUES ('S', 'X', 's', true);"
                "INSERT INTO kernel.unit (id, site_code, org_ods, name, bed_area, active) "
                "VALUES ('U', 'S', 'X', 'u', 'adult_ga', true);"
                "INSERT INTO capacity.bed_state (unit_id, core_open, escalation_open, occupied, "
                "closed, version) VALUES ('U', 1, 0, 5, '[]', 0)"
            )
    finally:
        await conn.close()


async def test_the_models_and_the_migrations_agree(empty_db: str) -> None:
    """Autogenerate finds nothing to do at head: no table is missing from either side."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from wicc.metadata import SCHEMAS, metadata
    from wicc_shared.settings import to_asyncpg_url

    await asyncio.to_thread(migrate.upgrade, empty_db)
    engine = create_async_engine(to_asyncpg_url(empty_db))

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(
            connection,  # type: ignore[arg-type]
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, _parent: type_ != "schema" or name in SCHEMAS,
            },
        )
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    # Alembic's own bookkeeping table is the only one not described by a model.
    differences = [d for d in differences if "alembic_version" not in repr(d)]
    assert differences == []
