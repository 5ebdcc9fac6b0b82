import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
from ibermuseos_contracts import Envelope, EnvelopeError, decode, encode
from ibermuseos_contracts.applications import ApplicationSubmittedV1

Factory = Callable[..., ApplicationSubmittedV1]


def test_headers_follow_cloudevents_binary_mode_and_carry_correlation(
    application_submitted: Factory,
) -> None:
    event = application_submitted()
    envelope = Envelope.for_event(event, correlation_id="req-1", causation_id="evt-0")

    headers = dict(envelope.to_headers())

    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"org.ibermuseos.applications.ApplicationSubmitted.v1"
    assert headers["ce_source"] == b"applications"
    assert headers["ce_subject"] == str(event.application_id).encode()
    assert headers["content-type"] == b"application/json"
    assert headers["correlation_id"] == b"req-1"
    assert headers["causation_id"] == b"evt-0"
    assert uuid.UUID(headers["ce_id"].decode()) == envelope.id
    assert datetime.fromisoformat(headers["ce_time"].decode()).tzinfo is not None


def test_envelope_and_event_survive_the_round_trip(application_submitted: Factory) -> None:
    event = application_submitted()
    envelope = Envelope.for_event(event)

    read = Envelope.from_headers(envelope.to_headers())

    assert read == envelope
    assert decode(read, encode(event), public=False) == event


def test_a_new_correlation_starts_with_the_event_itself(application_submitted: Factory) -> None:
    envelope = Envelope.for_event(application_submitted())

    assert envelope.correlation_id == str(envelope.id)
    assert envelope.causation_id is None


def test_every_missing_header_is_named() -> None:
    with pytest.raises(EnvelopeError) as error:
        Envelope.from_headers([("ce_specversion", b"1.0"), ("ce_type", b"x")])

    for name in ("ce_id", "ce_source", "ce_time", "ce_subject"):
        assert f"missing header {name}" in str(error.value)


def test_malformed_attributes_are_refused_with_their_reason(application_submitted: Factory) -> None:
    headers = dict(Envelope.for_event(application_submitted()).to_headers())
    headers["ce_id"] = b"not-a-uuid"
    headers["ce_time"] = b"yesterday"
    headers["content-type"] = b"text/plain"

    with pytest.raises(EnvelopeError) as error:
        Envelope.from_headers(headers.items())

    message = str(error.value)
    assert "ce_id 'not-a-uuid' is not a UUID" in message
    assert "ce_time 'yesterday'" in message
    assert "content-type text/plain" in message


def test_a_value_that_breaks_the_contract_is_refused_with_every_problem(
    application_submitted: Factory,
) -> None:
    envelope = Envelope.for_event(application_submitted())

    with pytest.raises(EnvelopeError) as error:
        decode(envelope, b'{"application_id": "nope"}', public=False)

    message = str(error.value)
    assert "application_id" in message
    assert "call_id: Field required" in message


def test_an_undeclared_type_is_refused() -> None:
    envelope = Envelope(
        type="org.ibermuseos.applications.ApplicationSubmitted.v9",
        source="applications",
        subject="x",
    )

    with pytest.raises(EnvelopeError, match="no contract declares"):
        decode(envelope, b"{}", public=False)


def test_readers_ignore_fields_added_by_newer_writers(application_submitted: Factory) -> None:
    event = application_submitted()
    envelope = Envelope.for_event(event)
    newer = encode(event)[:-1] + b',"added_later":"optional"}'

    assert decode(envelope, newer, public=False) == event


def test_the_aggregate_id_is_the_subject(application_submitted: Factory) -> None:
    event = application_submitted()

    assert event.subject == str(event.application_id)
    assert ApplicationSubmittedV1.subject_field == "application_id"
    assert Envelope.for_event(event).subject == str(event.application_id)
