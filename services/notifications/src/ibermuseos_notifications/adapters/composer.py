"""A message made ready for its channel: rendered text and HTML, and the calendar file when it speaks of a run."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..domain.languages import LanguageChoice
from ..domain.messages import Channel, Message
from ..domain.recipes import CANCELLING_CALENDAR, WITH_CALENDAR
from .calendar import Organizer, run_calendar
from .rendering import Formatter, Rendered, TemplateRenderer


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposedMail:
    language: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


class MessageComposer:
    def __init__(self, renderer: TemplateRenderer, uid_domain: str, organizer: Organizer) -> None:
        self._renderer = renderer
        self._uid_domain = uid_domain
        self._organizer = organizer

    def compose(
        self,
        message: Message,
        context: dict[str, Any],
        choice: LanguageChoice,
        *,
        name: str | None,
        timezone: str | None,
        address: str | None = None,
    ) -> ComposedMail:
        rendered = self._renderer.render(message.template, choice, context, name=name, timezone=timezone)
        attachments: tuple[Attachment, ...] = ()
        run = context.get("run")
        if message.channel is Channel.EMAIL and run:
            if message.template in WITH_CALENDAR:
                attachments = (self.calendar(run, rendered, choice, timezone),)
            elif message.template in CANCELLING_CALENDAR and context.get("was_enrolled"):
                attachments = (self.calendar(run, rendered, choice, timezone, cancel=True, attendee=address),)
        return ComposedMail(rendered.language, rendered.subject, rendered.text, rendered.html, attachments)

    def calendar(
        self,
        run: dict[str, Any],
        rendered: Rendered,
        choice: LanguageChoice,
        timezone: str | None,
        now: datetime | None = None,
        *,
        cancel: bool = False,
        attendee: str | None = None,
    ) -> Attachment:
        """The run's sessions as an .ics in the participant's time zone, to add or (`cancel`) to remove."""
        fmt = Formatter(choice.locale, timezone)
        venue = run.get("venue")
        location = (
            f"{venue['name']}, {venue['city']}, {fmt.country(venue['country'])}"
            if venue
            else {"es": "En línea", "pt": "On-line", "en": "Online"}[choice.template]
        )
        data = run_calendar(
            run,
            title=fmt.text(run["title"]),
            description=rendered.subject,
            location=location,
            timezone=timezone,
            uid_domain=self._uid_domain,
            organizer=self._organizer,
            cancel=cancel,
            attendee=attendee,
            now=now,
        )
        method = "CANCEL" if cancel else "PUBLISH"
        return Attachment("ibermuseos-sessions.ics", "text/calendar", data, {"method": method})
