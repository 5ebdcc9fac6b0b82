"""OpenTelemetry traces that follow a request from HTTP through Kafka to every consumer.

The W3C trace context travels in the outbox row and then in the Kafka record's `traceparent`
header, so the consumer's span is a child of the relay's, which is a child of the request's.
Spans are exported over OTLP when the standard `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set;
without it they still give trace ids to logs and to the records that leave the service.
"""

import os
from collections.abc import Iterable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# Only the W3C trace context is propagated, never baggage: baggage is free text that a caller
# could fill with personal data, and records on the public topics must carry none.
_PROPAGATOR = TraceContextTextMapPropagator()
TRACE_HEADERS = frozenset(_PROPAGATOR.fields)

tracer = trace.get_tracer("ibermuseos_platform")


def configure_tracing(service: str) -> None:
    """Install the SDK's tracer provider once per process, exporting over OTLP when configured."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def current_trace_headers() -> list[tuple[str, str]]:
    """The trace context of the current span, as headers to send along."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return sorted(carrier.items())


def context_from(headers: Iterable[Sequence[Any]]) -> Context:
    """The trace context that `headers` (Kafka's or an outbox row's name/value pairs) carry, if any."""
    carrier = {
        name: value.decode(errors="replace") if isinstance(value, bytes) else value
        for name, value in headers
        if name in TRACE_HEADERS
    }
    return _PROPAGATOR.extract(carrier)


def without_trace_headers(headers: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(name, value) for name, value in headers if name not in TRACE_HEADERS]
