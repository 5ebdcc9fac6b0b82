"""Event contracts of the Ibermuseos training platform.

Every event is a pydantic model here, one class per version. Importing this package
registers all of them (see `all_events`).
"""

from . import applications, courses, notifications
from .base import Event, EventType, all_events, event_class, events_of
from .envelope import Envelope, EnvelopeError, decode, encode
from .privacy import Pseudonymiser, public_model, to_public
from .topics import Topic, dead_letter_topic, is_public

__all__ = [
    "Envelope",
    "EnvelopeError",
    "Event",
    "EventType",
    "Pseudonymiser",
    "Topic",
    "all_events",
    "applications",
    "courses",
    "dead_letter_topic",
    "decode",
    "encode",
    "event_class",
    "events_of",
    "is_public",
    "notifications",
    "public_model",
    "to_public",
]
