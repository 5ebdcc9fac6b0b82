"""One trace follows a request from HTTP through the outbox and Kafka to the consumer that applies it."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI
from ibermuseos_contracts import Envelope, Pseudonymiser
from ibermuseos_platform.consumer import EventConsumer
from ibermuseos_platform.dead_letters import DeadLetterPublisher
from ibermuseos_platform.outbox import Outbox
from ibermuseos_platform.settings import HttpSettings
from ibermuseos_platform.testing.kafka import KafkaTestClient
from ibermuseos_platform.testing.probe import PROBES, ProbeRecordedV1, probe_relay
from ibermuseos_platform.tracing import configure_tracing
from ibermuseos_platform.web import create_app
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("probe_topics")]

KEY = Pseudonymiser(b"integration-test-pseudonym-key!!")
FRONT_END_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
FRONT_END_SPAN = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span finished in this process while the test runs."""
    configure_tracing("platform-test")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def probe_app(engine: AsyncEngine, outbox: Outbox) -> FastAPI:
    router = APIRouter()
    sessions = async_sessionmaker(engine)

    @router.post("/probes/{probe_id}", status_code=201)
    async def record_probe(probe_id: str) -> None:
        async with sessions() as session, session.begin():
            await outbox.record(
                session, [ProbeRecordedV1(probe_id=probe_id, sequence=1, person_id="p1", person_name="Ana")]
            )

    return create_app(
        title="probe",
        version="0",
        description="",
        lifespan=no_lifespan,
        routers=[router],
        asyncapi={},
        http=HttpSettings(),
    )


@asynccontextmanager
async def no_lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


def one(spans: list[ReadableSpan], kind: SpanKind, name_start: str) -> ReadableSpan:
    found = [span for span in spans if span.kind == kind and span.name.startswith(name_start)]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[int]:
    by_id = {other.context.span_id: other for other in spans}
    chain = []
    parent = parent_of(span)
    while parent is not None:
        chain.append(parent)
        parent = parent_of(by_id[parent]) if parent in by_id else None
    return chain


def hex_id(number: int, width: int) -> str:
    return format(number, f"0{width}x")


async def test_the_consumer_span_continues_the_trace_of_the_request_that_caused_the_event(
    engine: AsyncEngine,
    metadata: MetaData,
    kafka: KafkaTestClient,
    spans: InMemorySpanExporter,
    dead_letter_producer: AIOKafkaProducer,
) -> None:
    probe_id = f"traced-{uuid.uuid4().hex[:6]}"
    settings = kafka.settings()
    outbox = Outbox(metadata.tables["outbox"], KEY)
    relay = probe_relay(engine, metadata.tables["outbox"], settings, service="test-tracing")
    consumer = EventConsumer(
        name=f"test-tracing-{uuid.uuid4().hex[:6]}",
        handlers={ProbeRecordedV1: apply_nothing},
        public=True,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        inbox=metadata.tables["inbox"],
        dead_letters=DeadLetterPublisher(lambda: dead_letter_producer, "test-tracing"),
        kafka=settings,
    )
    spans.clear()

    transport = httpx.ASGITransport(app=probe_app(engine, outbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
        response = await client.post(
            f"/probes/{probe_id}",
            headers={
                "traceparent": f"00-{FRONT_END_TRACE}-{FRONT_END_SPAN}-01",
                "baggage": "applicant.email=ana%40museo.example",
            },
        )
    assert response.status_code == 201
    try:
        assert await relay.publish_pending() == 1
    finally:
        await relay.close()
    public = [
        record
        for record in await kafka.read(
            PROBES.public, until=lambda rs: any(r.key == probe_id.encode() for r in rs), settle=0.5
        )
        if record.key == probe_id.encode()
    ]
    await consumer.handle_batch(public)

    finished = list(spans.get_finished_spans())
    request = one(finished, SpanKind.SERVER, "POST /probes/{probe_id}")
    sending = one(finished, SpanKind.PRODUCER, f"send {settings.topic(PROBES.private)}")
    applying = one(finished, SpanKind.CONSUMER, f"process {settings.topic(PROBES.public)}")
    assert {hex_id(span.context.trace_id, 32) for span in (request, sending, applying)} == {FRONT_END_TRACE}
    assert parent_of(request) == int(FRONT_END_SPAN, 16)
    assert request.context.span_id in ancestors(sending, finished)
    assert parent_of(applying) == sending.context.span_id
    assert dict(request.attributes or {})["http.response.status_code"] == 201

    headers = dict(public[0].headers)
    assert headers["traceparent"].decode() == (
        f"00-{FRONT_END_TRACE}-{hex_id(sending.context.span_id, 16)}-01"
    )
    assert "baggage" not in headers, "baggage may carry personal data and never leaves the request"
    envelope = Envelope.from_headers(public[0].headers)
    assert dict(applying.attributes or {})["cloudevents.event_id"] == str(envelope.id)


async def apply_nothing(session: AsyncSession, event: Any, envelope: Envelope) -> None:
    """The effect does not matter here, only the span around it."""
