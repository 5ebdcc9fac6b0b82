"""PostgreSQL through async SQLAlchemy: engines, sessions, the platform's own tables, and column types
that let a service map its aggregates (SQLAlchemy's imperative mapping) without converting by hand."""

import ssl
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ibermuseos_kernel.paging import Page
from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Enum,
    Identity,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from .settings import DatabaseSettings

S = TypeVar("S", bound=Select[Any])

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with the naming convention Alembic needs to name constraints the same everywhere."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def tls(ssl_mode: str | None, root_cert: Path | None) -> dict[str, Any]:
    """asyncpg's connect arguments for TLS as libpq names its modes (verify-full checks the host name)."""
    if ssl_mode is None:
        return {}
    if ssl_mode not in ("verify-ca", "verify-full"):
        return {"ssl": ssl_mode}
    context = ssl.create_default_context(cafile=root_cert)
    context.check_hostname = ssl_mode == "verify-full"
    return {"ssl": context}


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """The service's engine; connections are checked before use so a restarted database heals."""
    return create_async_engine(
        settings.url.get_secret_value(),
        pool_size=settings.pool_size,
        pool_pre_ping=True,
        echo=settings.echo,
        connect_args=tls(settings.ssl_mode, settings.ssl_root_cert),
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def add_platform_tables(metadata: MetaData) -> None:
    """Add the outbox, inbox and idempotency tables to a service's metadata (and so its migrations)."""
    Table(
        "outbox",
        metadata,
        Column("position", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("public_topic", String(200), nullable=True),
        Column("key", String(200), nullable=False),
        Column("headers", JSONB, nullable=False),
        # The exact JSON each tier publishes, kept as text so the relay sends it untouched.
        Column("payload", Text, nullable=False),
        Column("public_payload", Text, nullable=True),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_unsent", "position", postgresql_where=text("sent_at IS NULL")),
    )
    Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("outcome", String(20), nullable=False, server_default="processed"),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(255), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class JsonDocument(TypeDecorator[Any]):
    """A JSONB column holding a typed value (a pydantic model, a dataclass, a list of them): pydantic
    writes it as JSON and reads it back as that type."""

    impl = JSONB
    cache_ok = True

    def __init__(self, kind: Any) -> None:
        super().__init__()
        self.kind = kind
        self._adapter: TypeAdapter[Any] = TypeAdapter(kind)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self._adapter.dump_python(value, mode="json")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self._adapter.validate_python(value)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        """What the document is compared with or operated on (a key, a path) is plain JSONB's business."""
        return self.impl_instance.coerce_compared_value(op, value)


def enum_column(kind: type[StrEnum], length: int = 30) -> Enum:
    """A VARCHAR column holding a StrEnum's values (not its names), read back as its members."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def on_page(query: S, page: Page) -> S:
    """The rows of `query` an offset page holds."""
    return query.limit(page.limit).offset(page.offset)


async def count_rows(session: AsyncSession, query: Select[Any]) -> int:
    """How many rows `query` finds in all, whatever page or order it asks for."""
    counted = select(func.count()).select_from(query.order_by(None).limit(None).offset(None).subquery())
    return int(await session.scalar(counted) or 0)
