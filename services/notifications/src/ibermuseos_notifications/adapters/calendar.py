"""The iCalendar (.ics) file of a run's sessions, in the participant's time zone."""

from datetime import UTC, datetime
from typing import Any

import icalendar

from ..domain.timezones import zone

PRODID = "-//Ibermuseos//Formacion y Capacitacion//ES"


def run_calendar(
    run: dict[str, Any],
    *,
    title: str,
    description: str,
    location: str,
    timezone: str | None,
    uid_domain: str,
    now: datetime | None = None,
) -> bytes:
    """One VEVENT per session of the run; times in `timezone` (with its VTIMEZONE), stable UIDs."""
    tz = zone(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    for number, session in enumerate(run["sessions"], start=1):
        event = icalendar.Event()
        event.add("uid", f"{session['session_id']}@{uid_domain}")
        # RFC 5545: a later version of the same event (same UID) carries a higher SEQUENCE.
        event.add("sequence", int(session.get("sequence", 0)))
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.fromisoformat(session["starts_at"]).astimezone(tz))
        event.add("dtend", datetime.fromisoformat(session["ends_at"]).astimezone(tz))
        event.add("summary", f"{title} ({number}/{len(run['sessions'])})")
        event.add("description", description)
        event.add("location", location)
        calendar.add_component(event)
    if tz is not UTC:
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
