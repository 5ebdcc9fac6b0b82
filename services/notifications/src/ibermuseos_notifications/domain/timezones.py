"""Time zones and quiet hours: non-urgent messages wait until the recipient's morning."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from ibermuseos_kernel import zones

# The usual zone of each member country, for people whose events carry none (applicants).
COUNTRY_ZONES = {
    "AD": "Europe/Andorra",
    "AR": "America/Argentina/Buenos_Aires",
    "BO": "America/La_Paz",
    "BR": "America/Sao_Paulo",
    "CL": "America/Santiago",
    "CO": "America/Bogota",
    "CR": "America/Costa_Rica",
    "CU": "America/Havana",
    "DO": "America/Santo_Domingo",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "GT": "America/Guatemala",
    "HN": "America/Tegucigalpa",
    "MX": "America/Mexico_City",
    "NI": "America/Managua",
    "PA": "America/Panama",
    "PE": "America/Lima",
    "PT": "Europe/Lisbon",
    "PY": "America/Asuncion",
    "SV": "America/El_Salvador",
    "UY": "America/Montevideo",
    "VE": "America/Caracas",
}


def zone(name: str | None) -> tzinfo:
    """The IANA zone `name`, or UTC when it is missing or not a zone's name (stored before names were checked)."""
    if not name or not zones.is_zone(name):
        return UTC
    return zones.zone(name)


def zone_of_country(country: str | None) -> str:
    return COUNTRY_ZONES.get(country or "", "UTC")


@dataclass(frozen=True)
class QuietHours:
    """A daily window in local time (it may span midnight) when only urgent messages go out."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now: datetime, timezone: tzinfo) -> datetime:
        """`now` if it is outside the quiet hours of `timezone`, else the moment they end (in UTC)."""
        local = now.astimezone(timezone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return now
        end_day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        end = datetime.combine(end_day, self.end, tzinfo=timezone)
        # A wall-clock time that does not exist (a DST gap) is read the way zoneinfo reads it;
        # converting through UTC normalises it to a real instant.
        return end.astimezone(UTC)
