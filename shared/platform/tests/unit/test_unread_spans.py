"""Spans nobody reads are not recorded, yet the trace goes on through the records sent within them."""

from ibermuseos_platform import tracing
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import TraceFlags

FRONT_END = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_spans_are_read_only_once_a_processor_takes_them() -> None:
    provider = tracing.ReadTracerProvider()
    assert not tracing.spans_are_read(provider)

    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))

    assert tracing.spans_are_read(provider)


def test_an_unrecorded_span_continues_the_trace_of_the_record_it_handles() -> None:
    parent = tracing.context_from([("traceparent", FRONT_END.encode())])

    span = tracing.unrecorded_span(parent)

    context = span.get_span_context()
    assert not span.is_recording()
    assert format(context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert format(context.span_id, "016x") != "00f067aa0ba902b7"
    with trace.use_span(span):
        (name, value), *_ = tracing.current_trace_headers()
    assert name == "traceparent"
    assert value.startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert value.endswith("-01")


def test_an_unrecorded_span_without_a_parent_starts_a_sampled_trace() -> None:
    first, second = tracing.unrecorded_span(), tracing.unrecorded_span()

    assert first.get_span_context().is_valid
    assert first.get_span_context().trace_flags == TraceFlags.SAMPLED
    assert first.get_span_context().trace_id != second.get_span_context().trace_id
