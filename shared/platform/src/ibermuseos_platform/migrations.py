"""Alembic's environment, shared: each service's `migrations/env.py` calls `run_migrations`."""

import asyncio
import os
from pathlib import Path

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from .db import tls


def _migrate(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str, metadata: MetaData, connect_args: dict[str, object]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, metadata)
    await engine.dispose()


def run_migrations(metadata: MetaData, url_variable: str) -> None:
    """Migrate the database given by the test harness, or by the service's URL variable (with the TLS of
    its SSL_MODE and SSL_ROOT_CERT siblings, e.g. APPLICATIONS_DATABASE__SSL_MODE)."""
    url = context.config.attributes.get("database_url") or os.environ.get(url_variable)
    if not url:
        raise SystemExit(f"set {url_variable} to the database to migrate")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    group = url_variable.removesuffix("URL")
    root_cert = os.environ.get(group + "SSL_ROOT_CERT")
    connect_args = tls(os.environ.get(group + "SSL_MODE"), Path(root_cert) if root_cert else None)
    asyncio.run(_run_online(url, metadata, connect_args))
