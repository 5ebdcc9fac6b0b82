"""Aggregates remember the events they cause until the unit of work writes them to the outbox."""

from ibermuseos_contracts import Event


class RecordsEvents:
    """Mixin for an aggregate: `_record` an event when something happens, the unit of work pulls them."""

    def _record(self, event: Event) -> None:
        pending: list[Event] = self.__dict__.setdefault("_pending_events", [])
        pending.append(event)

    def pull_events(self) -> list[Event]:
        events: list[Event] = self.__dict__.pop("_pending_events", [])
        return events
