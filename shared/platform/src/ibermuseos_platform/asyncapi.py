"""The AsyncAPI 3.0 document of a service: the events it publishes and consumes, with CloudEvents headers.

Built from the contracts rather than from FastStream's handler signatures, because the
consumers take raw records (to dead-letter what does not parse) and the relay publishes
outside FastStream; the contracts are what data consumers rely on.
"""

from collections.abc import Iterable
from typing import Any

from ibermuseos_contracts import Event, public_model
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .settings import KafkaSettings

CLOUDEVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0, Kafka binary mode, plus the ids that follow one request across services",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_type": {"type": "string", "examples": ["org.ibermuseos.applications.ApplicationSubmitted.v1"]},
        "ce_source": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the aggregate id, also the Kafka key"},
        "content-type": {"type": "string", "const": "application/json"},
        "correlation_id": {"type": "string"},
        "causation_id": {"type": "string", "description": "ce_id of the event that caused this one"},
    },
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"],
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def asyncapi_document(
    *,
    service: str,
    version: str,
    description: str,
    kafka: KafkaSettings,
    publishes: Iterable[type[Event]],
    consumes: Iterable[type[Event]] = (),
    consumes_public: bool = True,
) -> dict[str, Any]:
    """AsyncAPI 3.0: channels per topic, a message per event and tier, schemas from the contracts."""
    published = sorted(set(publishes), key=lambda cls: str(cls.event_type))
    consumed = sorted(set(consumes), key=lambda cls: str(cls.event_type))
    # (topic, message name, model, event, tier)
    entries: list[tuple[str, str, type[BaseModel], type[Event], str]] = []
    for event in published:
        name = f"{event.event_type.name}V{event.event_type.version}"
        entries.append((event.topic.private, name, event, event, "private"))
        entries.append((event.topic.public, name + "Public", public_model(event), event, "public"))
    for event in consumed:
        name = f"{event.event_type.name}V{event.event_type.version}"
        if consumes_public:
            entries.append((event.topic.public, name + "Public", public_model(event), event, "public"))
        else:
            entries.append((event.topic.private, name, event, event, "private"))

    models = sorted({entry[2] for entry in entries}, key=lambda model: model.__name__)
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = definitions.get("$defs", {})
    schemas["CloudEventsHeaders"] = CLOUDEVENTS_HEADERS

    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, name, model, event, tier in entries:
        channel = channels.setdefault(
            _channel_id(topic),
            {
                "address": kafka.topic(topic),
                "description": f"{tier} tier of {event.topic.source}'s {event.topic.aggregate} events; key: {event.subject_field}",
                "messages": {},
                "bindings": {"kafka": {"topic": kafka.topic(topic), "partitions": kafka.partitions}},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        messages[name] = {
            "name": name,
            "title": f"{event.event_type} ({tier})",
            "summary": (event.__doc__ or "").strip().splitlines()[0] if event.__doc__ else "",
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
            "correlationId": {"location": "$message.header#/correlation_id"},
            "bindings": {"kafka": {"key": {"type": "string", "description": event.subject_field}}},
        }

    operations: dict[str, Any] = {}
    for topic, name, _model, event, _tier in entries:
        action = "send" if event in published else "receive"
        operations[f"{action}{name}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
            "messages": [{"$ref": f"#/channels/{_channel_id(topic)}/messages/{name}"}],
        }

    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"Ibermuseos {service}", "version": version, "description": description},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": kafka.bootstrap_servers, "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
