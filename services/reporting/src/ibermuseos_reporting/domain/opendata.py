"""The figures in the shapes donors and open-data portals read: IATI activity results and 360Giving grants.

Both are public files: every number in them is already suppressed or pooled so that no
cell counts fewer than five people, and no individual grantee appears.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .disclosure import THRESHOLD, disclosure_groups

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


@dataclass(frozen=True)
class Indicator:
    """One result indicator: per year, a total and the published breakdowns (already suppressed)."""

    code: str
    title: Mapping[str, str]
    per_year: Mapping[int, int | None]
    dimensions: Mapping[int, Sequence[tuple[str, str, int]]]
    """year → (dimension name, value, count) of every published cell."""


def _narratives(parent: ET.Element, texts: Mapping[str, str]) -> None:
    for language, value in texts.items():
        narrative = ET.SubElement(parent, "narrative")
        narrative.set("xml:lang", language)
        narrative.text = value


def _start(indicators: Sequence[Indicator], generated: datetime) -> tuple[str, date]:
    """The activity's start (IATI requires one): 1 January of the first year with figures, else planned today."""
    years = [year for indicator in indicators for year in indicator.per_year]
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
        for year in sorted(indicator.per_year):
            total = indicator.per_year[year]
            if total is None:
                continue
            period = ET.SubElement(element, "period")
            ET.SubElement(period, "period-start", {"iso-date": f"{year}-01-01"})
            ET.SubElement(period, "period-end", {"iso-date": f"{year}-12-31"})
            ET.SubElement(period, "actual", {"value": str(total)})
            for name, value, count in indicator.dimensions.get(year, ()):
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
    "Beneficiary Location:Country Code",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
    "Number of grantees",
    "Last Modified",
)


def giving_grants(
    publisher: Publisher, accepted: Sequence[Mapping[str, Any]], generated: datetime
) -> tuple[list[dict[str, Any]], int]:
    """360Giving-style grant records: one per call, currency and country (or pooled countries), never per person.

    Countries with fewer than five grantees in a call are pooled; a pool still too small
    joins the smallest record, so every record stands for at least five grantees. Returns
    the records and the number of grants withheld because a whole call had fewer than five.
    """
    calls: dict[tuple[Any, str], list[Mapping[str, Any]]] = {}
    for row in accepted:
        calls.setdefault((row["call_id"], row["currency"]), []).append(row)
    records: list[dict[str, Any]] = []
    withheld = 0
    for (call_id, currency), rows in sorted(calls.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        by_country = {row["country"]: int(row["grants"]) for row in rows}
        groups, dropped = disclosure_groups(by_country)
        withheld += dropped
        for group in groups:
            members = [row for row in rows if row["country"] in group.keys]
            countries = sorted(str(key) for key in group.keys)
            amount = sum((Decimal(row["amount"]) for row in members), Decimal(0))
            year = members[0]["call_year"]
            programme = members[0].get("title_en") or f"Training Grants {year}"
            suffix = "-".join(countries)
            records.append(
                {
                    "Identifier": f"360G-{publisher.activity_id}-{call_id}-{currency}-{suffix}",
                    "Title": f"{programme}: {group.people} training grants to museum professionals of {', '.join(countries)}",
                    "Description": (
                        f"{group.people} training grants of the {year} call, aggregated: "
                        "individual grantees are not published."
                    ),
                    "Currency": currency,
                    "Amount Awarded": str(amount.quantize(Decimal("0.01"))),
                    "Award Date": max(row["last_accepted"] for row in members).date().isoformat(),
                    "Recipient Ind:Identifier": f"360G-{publisher.activity_id}-{call_id}-{suffix}-GRANTEES",
                    "Recipient Ind:Name": f"{group.people} grantees (aggregated)",
                    "Beneficiary Location:Country Code": ";".join(countries),
                    "Funding Org:Identifier": publisher.organisation_ref,
                    "Funding Org:Name": publisher.organisation_name,
                    "Grant Programme:Title": programme,
                    "Number of grantees": group.people,
                    "Last Modified": generated.isoformat(),
                }
            )
    return records, withheld


def giving_package(
    records: Sequence[Mapping[str, Any]], withheld: int, generated: datetime
) -> dict[str, Any]:
    """The JSON form of the 360Giving file."""
    return {
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
                "beneficiaryLocation": [
                    {"countryCode": code} for code in record["Beneficiary Location:Country Code"].split(";")
                ],
                "fundingOrganization": [
                    {"id": record["Funding Org:Identifier"], "name": record["Funding Org:Name"]}
                ],
                "grantProgramme": [{"title": record["Grant Programme:Title"]}],
                "numberOfGrantees": record["Number of grantees"],
                "dateModified": record["Last Modified"],
            }
            for record in records
        ],
        "withheld": {
            # How many would itself be a count of fewer than five people: only whether any were.
            "any": withheld > 0,
            "reason": f"calls with fewer than {THRESHOLD} grantees are not published, to protect them",
        },
        "generated": generated.isoformat(),
    }
