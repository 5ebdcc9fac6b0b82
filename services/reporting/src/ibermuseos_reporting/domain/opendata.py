"""The figures in the shapes donors and open-data portals read: IATI activity results and 360Giving grants.

Both are public files: every count in them is a protected figure, the same as the public API's
(README, "Disclosure control"), and no individual grantee appears.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .disclosure import pool

IATI_VERSION = "2.03"
AID_TYPE_SCHOLARSHIPS_AND_TRAINING = "E01"
SECTOR_CULTURE = "16061"
"""DAC 5-digit sector: Culture and recreation ("including libraries and museums")."""
REGION_AMERICA = "498"
"""DAC region: America, regional (beneficiaries come from South, Central and North America and the Caribbean)."""
PLANNED_START, ACTUAL_START = "1", "2"
"""IATI ActivityDateType codes."""


@dataclass(frozen=True)
class Publisher:
    """Who publishes the files: the program's IATI organisation and activity identifiers."""

    organisation_ref: str
    organisation_name: str
    activity_id: str
    currency: str = "USD"


Period = tuple[int, int]
"""The first and the last year of a result period (whole years)."""


@dataclass(frozen=True)
class Indicator:
    """One result indicator: per period, a total and the published breakdowns (protected counts)."""

    code: str
    title: Mapping[str, str]
    periods: Mapping[Period, int | None]
    dimensions: Mapping[Period, Sequence[tuple[str, str, int]]]
    """period → (dimension name, value, count) of every published cell."""


def _narratives(parent: ET.Element, texts: Mapping[str, str]) -> None:
    for language, value in texts.items():
        narrative = ET.SubElement(parent, "narrative")
        narrative.set("xml:lang", language)
        narrative.text = value


def _start(indicators: Sequence[Indicator], generated: datetime) -> tuple[str, date]:
    """The activity's start (IATI requires one): 1 January of the first year with figures, else planned today."""
    years = [first for indicator in indicators for first, _ in indicator.periods]
    if not years:
        return PLANNED_START, generated.date()
    return ACTUAL_START, min(date(min(years), 1, 1), generated.date())


def iati_activity(publisher: Publisher, indicators: Sequence[Indicator], generated: datetime) -> bytes:
    """An IATI 2.03 activity file: the program as one activity (aid type E01) with its results per year."""
    root = ET.Element(
        "iati-activities", {"version": IATI_VERSION, "generated-datetime": generated.isoformat()}
    )
    activity = ET.SubElement(
        root,
        "iati-activity",
        {
            "last-updated-datetime": generated.isoformat(),
            "xml:lang": "es",
            "default-currency": publisher.currency,
        },
    )
    ET.SubElement(activity, "iati-identifier").text = publisher.activity_id
    reporting = ET.SubElement(activity, "reporting-org", {"ref": publisher.organisation_ref, "type": "40"})
    _narratives(reporting, {"es": publisher.organisation_name})
    _narratives(
        ET.SubElement(activity, "title"),
        {
            "es": "Línea de Formación y Capacitación de Ibermuseos",
            "pt": "Linha de Formação e Capacitação do Ibermuseus",
            "en": "Ibermuseos Training and Capacity Building line",
        },
    )
    _narratives(
        ET.SubElement(activity, "description", {"type": "1"}),
        {
            "es": "Becas de formación, cursos, minicursos y conversatorios para profesionales de museos iberoamericanos.",
            "pt": "Bolsas de formação, cursos, minicursos e conversatórios para profissionais de museus ibero-americanos.",
            "en": "Training grants, courses, mini courses and conversatorios for Ibero-American museum professionals.",
        },
    )
    participating = ET.SubElement(
        activity, "participating-org", {"ref": publisher.organisation_ref, "role": "4", "type": "40"}
    )
    _narratives(participating, {"es": publisher.organisation_name})
    ET.SubElement(activity, "activity-status", {"code": "2"})
    start_type, start = _start(indicators, generated)
    ET.SubElement(activity, "activity-date", {"type": start_type, "iso-date": start.isoformat()})
    ET.SubElement(
        activity, "recipient-region", {"code": REGION_AMERICA, "vocabulary": "1", "percentage": "100"}
    )
    ET.SubElement(activity, "sector", {"code": SECTOR_CULTURE, "vocabulary": "1", "percentage": "100"})
    ET.SubElement(
        activity, "default-aid-type", {"code": AID_TYPE_SCHOLARSHIPS_AND_TRAINING, "vocabulary": "1"}
    )
    for indicator in indicators:
        result = ET.SubElement(activity, "result", {"type": "1", "aggregation-status": "1"})
        _narratives(ET.SubElement(result, "title"), indicator.title)
        element = ET.SubElement(result, "indicator", {"measure": "1", "ascending": "1"})
        _narratives(ET.SubElement(element, "title"), indicator.title)
        ET.SubElement(element, "reference", {"vocabulary": "99", "code": indicator.code})
        for first, last in sorted(indicator.periods):
            total = indicator.periods[(first, last)]
            if total is None:
                continue
            period = ET.SubElement(element, "period")
            ET.SubElement(period, "period-start", {"iso-date": f"{first}-01-01"})
            ET.SubElement(period, "period-end", {"iso-date": f"{last}-12-31"})
            ET.SubElement(period, "actual", {"value": str(total)})
            for name, value, count in indicator.dimensions.get((first, last), ()):
                actual = ET.SubElement(period, "actual", {"value": str(count)})
                ET.SubElement(actual, "dimension", {"name": name, "value": value})
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


GIVING_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Ind:Identifier",
    "Recipient Ind:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Number of grantees",
    "Last Modified",
)
"""The columns of the 360Giving CSV (the standard's field titles), before the beneficiary locations."""
LOCATION_COLUMN = "Beneficiary Location:{index}:Country Code"
UNKNOWN_COUNTRY = "ZZ"


@dataclass(frozen=True)
class Call:
    """What the 360Giving file says of a call: its year, title and when its grants were first awarded."""

    year: int | None
    title: str | None
    first_award: date | None


def giving_grants(
    publisher: Publisher,
    accepted: Mapping[tuple[str, str, str], tuple[int, Decimal]],
    calls: Mapping[str, Call],
    generated: datetime,
) -> list[dict[str, Any]]:
    """360Giving grant records: one per call, currency and country, small countries pooled (`disclosure.pool`).

    `accepted` holds, per (call, currency, country), the grants accepted and their amount as
    published (protected). Grantees appear only as a number.
    """
    by_call: dict[tuple[str, str], dict[str, tuple[int, Decimal]]] = {}
    for (call_id, currency, country), cell in accepted.items():
        by_call.setdefault((call_id, currency), {})[country] = cell
    records: list[dict[str, Any]] = []
    for (call_id, currency), countries in sorted(by_call.items()):
        call = calls.get(call_id, Call(None, None, None))
        programme = call.title or f"Training Grants {call.year or ''}".strip()
        for group in pool({country: grants for country, (grants, _) in countries.items()}):
            members = sorted(str(key) for key in group.keys)
            amount = sum((countries[country][1] for country in members), Decimal(0))
            suffix = "-".join(members)
            places = [country for country in members if country != UNKNOWN_COUNTRY]
            records.append(
                {
                    "Identifier": f"360G-{publisher.activity_id}-{call_id}-{currency}-{suffix}",
                    "Title": f"{programme}: {group.people} training grants to museum professionals of {', '.join(members)}",
                    "Description": (
                        f"{group.people} training grants of the {call.year or ''} call, aggregated: individual "
                        "grantees are not published, and the number is protected like every public figure."
                    ),
                    "Currency": currency,
                    "Amount Awarded": str(amount.quantize(Decimal("0.01"))),
                    "Award Date": (call.first_award or generated.date()).isoformat(),
                    "Recipient Ind:Identifier": f"360G-{publisher.activity_id}-{call_id}-{suffix}-GRANTEES",
                    "Recipient Ind:Name": f"{group.people} grantees (aggregated)",
                    "Funding Org:Identifier": publisher.organisation_ref,
                    "Funding Org:Name": publisher.organisation_name,
                    "Grant Programme:Code": call_id,
                    "Grant Programme:Title": programme,
                    "Number of grantees": group.people,
                    "Last Modified": generated.isoformat(),
                    "locations": places,
                }
            )
    return records


def giving_csv_rows(records: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The CSV form: the standard's column titles, one numbered column group per beneficiary location."""
    widest = max((len(record["locations"]) for record in records), default=0)
    locations = [LOCATION_COLUMN.format(index=index) for index in range(widest)]
    rows = [
        {
            **{column: record[column] for column in GIVING_COLUMNS},
            **dict(zip(locations, record["locations"], strict=False)),
        }
        for record in records
    ]
    return [*GIVING_COLUMNS, *locations], rows


def giving_package(
    records: Sequence[Mapping[str, Any]], publisher: Publisher, generated: datetime
) -> dict[str, Any]:
    """The JSON form of the 360Giving file (a package of at least one grant: the standard allows no empty one)."""
    assert records, "a 360Giving package holds at least one grant"
    return {
        "version": "1.4",
        "title": "Ibermuseos training grants (aggregated, protected counts)",
        "modified": generated.isoformat(),
        "publisher": {"identifier": publisher.organisation_ref, "name": publisher.organisation_name},
        "grants": [
            {
                "id": record["Identifier"],
                "title": record["Title"],
                "description": record["Description"],
                "currency": record["Currency"],
                "amountAwarded": float(record["Amount Awarded"]),
                "awardDate": record["Award Date"],
                "recipientIndividual": {
                    "id": record["Recipient Ind:Identifier"],
                    "name": record["Recipient Ind:Name"],
                },
                "beneficiaryLocation": [{"countryCode": code} for code in record["locations"]],
                "fundingOrganization": [
                    {"id": record["Funding Org:Identifier"], "name": record["Funding Org:Name"]}
                ],
                "grantProgramme": [
                    {"code": record["Grant Programme:Code"], "title": record["Grant Programme:Title"]}
                ],
                "numberOfGrantees": record["Number of grantees"],
                "dateModified": record["Last Modified"],
            }
            for record in records
        ],
    }
