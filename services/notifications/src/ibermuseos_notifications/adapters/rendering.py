"""Templates rendered with Jinja2 in the recipient's language; dates, times and amounts formatted by Babel."""

import html
import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime as DateTime
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from ..application.ports import TemplateError
from ..domain.languages import LanguageChoice
from ..domain.timezones import zone


@dataclass(frozen=True)
class Rendered:
    language: str
    """The locale written and formatted for (pt-BR, es, en ...)."""
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Links:
    """Where the messages send people: the portal pages and the public certificate verification."""

    portal: str
    certificate_verification: str
    """With `{code}` where the verification code goes."""

    def application(self, application_id: str) -> str:
        return f"{self.portal}/applications/{application_id}"

    def accept(self, application_id: str) -> str:
        return f"{self.portal}/applications/{application_id}/acceptance"

    def report(self, application_id: str) -> str:
        return f"{self.portal}/applications/{application_id}/report"

    def evaluation(self, application_id: str) -> str:
        return f"{self.portal}/evaluations/{application_id}"

    @property
    def evaluations(self) -> str:
        return f"{self.portal}/evaluations"

    def enrolment(self, enrolment_id: str) -> str:
        return f"{self.portal}/enrolments/{enrolment_id}"

    def call(self, call_id: str) -> str:
        return f"{self.portal}/calls/{call_id}"

    def verification(self, code: str) -> str:
        return self.certificate_verification.format(code=code)

    @property
    def preferences(self) -> str:
        return f"{self.portal}/preferences"

    @property
    def inbox(self) -> str:
        return f"{self.portal}/inbox"


class Formatter:
    """Dates, times, amounts and country names for one locale and time zone, as templates call them."""

    def __init__(self, locale: str, timezone: str | None) -> None:
        self.locale = Locale.parse(locale, sep="-")
        self.timezone = zone(timezone)

    def money(self, value: dict[str, str]) -> str:
        return format_currency(Decimal(value["amount"]), value["currency"], locale=self.locale)

    def number(self, value: str | float) -> str:
        return format_decimal(Decimal(str(value)), locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.locale)

    def date(self, value: str | date) -> str:
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, "long", locale=self.locale)

    def datetime(self, value: str | DateTime, timezone: str | None = None) -> str:
        """A moment as the reader's clock shows it (or `timezone`'s), with the zone named."""
        moment = DateTime.fromisoformat(value) if isinstance(value, str) else value
        tz = zone(timezone) if timezone else self.timezone
        local = moment.astimezone(tz)
        return (
            f"{format_date(local, 'full', locale=self.locale)}, "
            f"{format_time(local, 'short', locale=self.locale)} "
            f"({get_timezone_name(tz, width='long', locale=self.locale)})"
        )

    def time(self, value: str | DateTime) -> str:
        moment = DateTime.fromisoformat(value) if isinstance(value, str) else value
        return format_time(moment.astimezone(self.timezone), "short", locale=self.locale)

    def day(self, value: str | DateTime) -> str:
        moment = DateTime.fromisoformat(value) if isinstance(value, str) else value
        return format_date(moment.astimezone(self.timezone), "full", locale=self.locale)

    def text(self, localized: dict[str, str] | None, fallback: str = "") -> str:
        """A text given in the three languages, in the reader's (Spanish when missing)."""
        if not localized:
            return fallback
        return localized.get(self.locale.language) or localized.get("es") or fallback

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code, code))

    def countries(self, codes: list[str]) -> str:
        names = sorted(self.country(code) for code in codes)
        return ", ".join(names)


_URL = re.compile(r"https?://[^\s<>()]+[^\s<>().,;:!?]")


def text_to_html(text: str, language: str, subject: str) -> str:
    """The HTML part of a mail: the text's paragraphs, escaped, with its links clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n"
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">\n'
        + "\n".join(paragraphs)
        + "\n</body>\n</html>\n"
    )


class TemplateRenderer:
    """Renders `templates/<language>/<name>.txt`: a `subject` block and a body, in a shared layout."""

    def __init__(self, links: Links) -> None:
        self._links = links
        self._env = Environment(
            loader=PackageLoader("ibermuseos_notifications", "templates"),
            undefined=StrictUndefined,
            autoescape=False,  # noqa: S701 - plain text; the HTML part is escaped by text_to_html
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def render(
        self,
        template: str,
        choice: LanguageChoice,
        context: dict[str, Any],
        *,
        name: str | None,
        timezone: str | None,
    ) -> Rendered:
        try:
            compiled = self._env.get_template(f"{choice.template}/{template}.txt")
            variables = {
                **context,
                "name": name,
                "fmt": Formatter(choice.locale, timezone),
                "links": self._links,
            }
            subject = "".join(compiled.blocks["subject"](compiled.new_context(variables))).strip()
            text = compiled.render(variables).strip() + "\n"
        except TemplateNotFound as missing:
            raise TemplateError(f"no template {missing.name}") from None
        except Exception as error:
            raise TemplateError(f"{choice.template}/{template}: {type(error).__name__}: {error}") from error
        if not subject or "\n" in subject:
            raise TemplateError(f"{choice.template}/{template}: the subject must be one non-empty line")
        text = re.sub(r"\n{3,}", "\n\n", text)
        return Rendered(choice.locale, subject, text, text_to_html(text, choice.locale, subject))
