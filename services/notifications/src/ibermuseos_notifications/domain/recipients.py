"""What the service keeps of a person: how to reach them, in which language and time zone, and their choices."""

from dataclasses import dataclass, field
from datetime import datetime

from .messages import Category
from .timezones import QuietHours


@dataclass(frozen=True)
class Contact:
    """Contact details as an event carries them; a missing time zone keeps the one known."""

    person_id: str
    name: str | None
    email: str | None
    preferred_language: str | None
    timezone: str | None
    timezone_known: bool
    """False when the zone is only guessed from the country of residence."""


@dataclass
class Recipient:
    person_id: str
    name: str | None = None
    email: str | None = None
    preferred_language: str | None = None
    timezone: str | None = None
    email_invalid_since: datetime | None = None
    opted_out: frozenset[Category] = field(default_factory=frozenset)
    quiet_hours: QuietHours | None = None
    """Their own quiet hours, when they set them; else the service's."""

    def wants(self, category: Category) -> bool:
        """Decisions and confirmations always reach a person; optional categories unless they opted out."""
        return not (category.optional and category in self.opted_out)

    @property
    def reachable_by_email(self) -> bool:
        return bool(self.email) and self.email_invalid_since is None
