"""Kafka clients built from settings: the relay's producer, the topic admin, the readiness probe, the FastStream broker."""

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from ibermuseos_contracts import Topic, dead_letter_topic

from .settings import KafkaSettings

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36
FOREVER = "-1"


class _Client(Protocol):
    async def start(self) -> None: ...


async def start_or_close(
    client: _Client, close: Callable[[], Awaitable[None]], timeout: float | None = None
) -> None:
    """Start an aiokafka client; if that fails or is cancelled, close it without leaking a connection.

    A start cancelled half-way can leave the bootstrap connection open inside aiokafka, so the
    start is let finish (it is bounded by the client's request timeout) before closing.
    """
    starting = asyncio.ensure_future(client.start())
    try:
        await asyncio.wait_for(asyncio.shield(starting), timeout)
    except BaseException:
        with contextlib.suppress(BaseException):
            await starting
        await close()
        raise


def _ssl_context(settings: KafkaSettings) -> ssl.SSLContext | None:
    if settings.security_protocol not in ("SSL", "SASL_SSL"):
        return None
    context = ssl.create_default_context(cafile=settings.ssl_ca_file)
    if settings.ssl_cert_file is not None:
        context.load_cert_chain(settings.ssl_cert_file, settings.ssl_key_file)
    return context


def _sasl_credentials(settings: KafkaSettings) -> tuple[str, str] | None:
    if not settings.security_protocol.startswith("SASL_"):
        return None
    if settings.sasl_username is None or settings.sasl_password is None:
        raise ValueError(f"{settings.security_protocol} needs a SASL username and password")
    return settings.sasl_username, settings.sasl_password.get_secret_value()


def connection(settings: KafkaSettings) -> dict[str, Any]:
    """What every aiokafka client (producer, consumer, admin) needs to reach the brokers: their
    addresses, TLS and SASL. Pass it as `**connection(settings)`."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
        "ssl_context": _ssl_context(settings),
    }
    credentials = _sasl_credentials(settings)
    if credentials is not None:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"], options["sasl_plain_password"] = credentials
    return options


def _broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """The same TLS and SASL in FastStream's terms."""
    context = _ssl_context(settings)
    credentials = _sasl_credentials(settings)
    if credentials is None:
        return None if context is None else BaseSecurity(context, use_ssl=True)
    sasl = {"SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512, "PLAIN": SASLPlaintext}
    return sasl[settings.sasl_mechanism](*credentials, ssl_context=context, use_ssl=context is not None)


def new_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """An idempotent producer that waits for every in-sync replica (aiokafka's defaults are weaker)."""
    return AIOKafkaProducer(
        **connection(settings),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=30_000,
    )


def new_broker(settings: KafkaSettings, client_id: str) -> KafkaBroker:
    """The FastStream broker a service's subscribers hang on; it never creates topics itself."""
    return KafkaBroker(
        settings.bootstrap_servers,
        security=_broker_security(settings),
        client_id=client_id,
        allow_auto_create_topics=False,
        enable_idempotence=True,
        acks="all",
        logger=logging.getLogger(f"{client_id}.kafka"),
    )


@dataclass(frozen=True)
class TopicConfig:
    """A topic as the platform creates it: partitions, replication and retention set explicitly."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)


def published_topics(topics: Iterable[Topic], settings: KafkaSettings) -> list[TopicConfig]:
    """The private and public topics of the aggregates a service publishes."""
    configs: list[TopicConfig] = []
    for topic in topics:
        configs.append(
            _config(settings.topic(topic.private), settings, retention_ms=str(settings.private_retention_ms))
        )
        # Reporting and data consumers rebuild from the start of the public topics.
        configs.append(_config(settings.topic(topic.public), settings, retention_ms=FOREVER))
    return configs


def dead_letter_topics(consumed: Iterable[str], settings: KafkaSettings) -> list[TopicConfig]:
    """The dead-letter topic of each topic a service consumes (names already namespaced)."""
    return [
        _config(dead_letter_topic(name), settings, retention_ms=str(settings.private_retention_ms))
        for name in consumed
    ]


def _config(name: str, settings: KafkaSettings, *, retention_ms: str) -> TopicConfig:
    return TopicConfig(
        name=name,
        partitions=settings.partitions,
        replication_factor=settings.replication_factor,
        configs={"retention.ms": retention_ms},
    )


async def ensure_topics(settings: KafkaSettings, topics: Iterable[TopicConfig]) -> list[str]:
    """Create the topics that do not exist yet; returns the names it created."""
    wanted = list({topic.name: topic for topic in topics}.values())
    if not wanted:
        return []
    admin = AIOKafkaAdminClient(**connection(settings), request_timeout_ms=15_000)
    await start_or_close(admin, admin.close)
    try:
        response = await admin.create_topics(
            [
                NewTopic(
                    name=topic.name,
                    num_partitions=topic.partitions,
                    replication_factor=topic.replication_factor,
                    topic_configs=topic.configs,
                )
                for topic in wanted
            ]
        )
    finally:
        await admin.close()
    created: list[str] = []
    for name, code, *message in response.topic_errors:
        if code == 0:
            created.append(name)
        elif code != TOPIC_ALREADY_EXISTS:
            raise RuntimeError(f"could not create topic {name}: error {code} {message}")
    if created:
        log.info("created topics", extra={"topics": created})
    return created


class KafkaProbe:
    """Answers whether the broker is reachable, for readiness; keeps one admin connection."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._settings = settings
        self._admin: AIOKafkaAdminClient | None = None

    async def __call__(self) -> None:
        if self._admin is None:
            admin = AIOKafkaAdminClient(**connection(self._settings), request_timeout_ms=3_000)
            await start_or_close(admin, admin.close, timeout=3)
            self._admin = admin
        try:
            await asyncio.wait_for(self._admin.list_topics(), timeout=3)
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        if self._admin is not None:
            admin, self._admin = self._admin, None
            await admin.close()
