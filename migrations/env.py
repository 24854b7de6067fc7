"""Alembic environment: async engine, one schema per service plus `kernel`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from wicc.metadata import SCHEMAS, metadata
from wicc_shared.settings import WiccSettings, to_asyncpg_url

VERSION_SCHEMA = "kernel"


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url") or WiccSettings().database_url
    if not url:
        raise RuntimeError("set DATABASE_URL (or pass sqlalchemy.url) to run migrations")
    return to_asyncpg_url(url)


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    return type_ != "schema" or name in SCHEMAS


def _run(connection: Connection) -> None:
    for schema in SCHEMAS:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_name=_include_name,
        version_table_schema=VERSION_SCHEMA,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run against a database")
asyncio.run(_run_async())
