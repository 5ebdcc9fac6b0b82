"""OpenTelemetry traces that follow a request from HTTP through Kafka to every consumer.

The W3C trace context travels in the outbox row and then in the Kafka record's `traceparent`
header, so the consumer's span is a child of the relay's, which is a child of the request's.
Spans are exported over OTLP when the standard `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set;
without it they still give trace ids to logs and to the records that leave the service. The
relay and the consumers then record no span at all (nobody would read it, and recording one
cost a third of the relay's work per event): `start_as_current_span` gives them a span that only
carries the context on.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# Only the W3C trace context is propagated, never baggage: baggage is free text that a caller
# could fill with personal data, and records on the public topics must carry none.
_PROPAGATOR = TraceContextTextMapPropagator()
TRACE_HEADERS = frozenset(_PROPAGATOR.fields)

tracer = trace.get_tracer("ibermuseos_platform")
_IDS = RandomIdGenerator()


class ReadTracerProvider(TracerProvider):
    """The SDK's provider, knowing whether anyone reads its spans (an exporter, or a test's processor)."""

    read = False

    def add_span_processor(self, span_processor: SpanProcessor) -> None:
        self.read = True
        super().add_span_processor(span_processor)


def spans_are_read(provider: object | None = None) -> bool:
    """Whether spans started now reach anyone; a provider installed by someone else is taken to say yes."""
    provider = trace.get_tracer_provider() if provider is None else provider
    return not isinstance(provider, ReadTracerProvider) or provider.read


def unrecorded_span(context: Context | None = None) -> Span:
    """A span nobody records: a child of the one in `context` (or a new trace, sampled as the SDK
    would), so that logs and the records sent within it carry the trace on."""
    parent = trace.get_current_span(context).get_span_context()
    if parent.is_valid:
        return NonRecordingSpan(
            SpanContext(
                parent.trace_id,
                _IDS.generate_span_id(),
                is_remote=False,
                trace_flags=parent.trace_flags,
                trace_state=parent.trace_state,
            )
        )
    return NonRecordingSpan(
        SpanContext(
            _IDS.generate_trace_id(),
            _IDS.generate_span_id(),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )
    )


def start_as_current_span(
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any],
    context: Context | None = None,
    links: Sequence[Link] = (),
) -> AbstractContextManager[Span]:
    """The span a piece of work runs in: recorded when spans are read, else only its context."""
    if spans_are_read():
        return tracer.start_as_current_span(
            name, context=context, kind=kind, attributes=dict(attributes), links=links
        )
    return trace.use_span(unrecorded_span(context), end_on_exit=True)


def configure_tracing(service: str) -> None:
    """Install the SDK's tracer provider once per process, exporting over OTLP when configured."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = ReadTracerProvider(resource=Resource.create({"service.name": service}))
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
