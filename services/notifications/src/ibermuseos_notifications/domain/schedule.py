"""When reminders are due: before a grantee's report deadline, the day before a run starts, retries."""

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def report_reminder_moments(
    due_on: date,
    days_before: Iterable[int],
    local_time: time,
    timezone: tzinfo,
    now: datetime,
) -> dict[int, datetime]:
    """Days before → the moment (UTC) to remind a grantee of their report, for the moments still ahead.

    A reminder whose moment has passed (a grant accepted late) is not sent: the acceptance
    confirmation already states the due date.
    """
    moments: dict[int, datetime] = {}
    for days in sorted(set(days_before), reverse=True):
        moment = datetime.combine(due_on - timedelta(days=days), local_time, tzinfo=timezone).astimezone(UTC)
        if moment > now:
            moments[days] = moment
    return moments


def run_reminder_moment(
    first_session_starts_at: datetime, hours_before: float, now: datetime
) -> datetime | None:
    """When to remind a participant of a run, or None when that moment has passed."""
    moment = first_session_starts_at - timedelta(hours=hours_before)
    return moment if moment > now else None


def retry_delay(attempt: int, *, base_seconds: float, cap_seconds: float, jitter: bool = True) -> timedelta:
    """Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base … up to cap (with jitter)."""
    seconds = min(cap_seconds, base_seconds * 2.0 ** min(attempt - 1, 20))
    if jitter:
        seconds *= random.uniform(0.8, 1.0)
    return timedelta(seconds=seconds)
