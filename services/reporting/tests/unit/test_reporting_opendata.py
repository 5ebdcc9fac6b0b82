"""The open-data files: IATI activity results and 360Giving grants, with nobody singled out.

The IATI file is checked against the official IATI 2.03 schema and codelists, vendored unedited in
`tests/schemas/iati-2.03`, and the 360Giving file (JSON, and CSV read back into JSON by the
standard's column titles) against the official 360Giving JSON Schemas in `tests/schemas/360giving`
(origins in their READMEs).
"""

import csv
import io
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ibermuseos_reporting.domain.opendata import (
    Call,
    Indicator,
    Publisher,
    giving_csv_rows,
    giving_grants,
    giving_package,
    iati_activity,
)
from lxml import etree
from reporting_standards import giving_package_from_csv, giving_validator

PUBLISHER = Publisher("XM-IBERMUSEOS", "Programa Ibermuseos", "XM-IBERMUSEOS-FORMACION")
NOW = datetime(2027, 12, 31, tzinfo=UTC)
IATI = Path(__file__).parents[1] / "schemas" / "iati-2.03"

TITLES = {
    "en": "Museum professionals trained",
    "es": "Profesionales formados",
    "pt": "Profissionais formados",
}
INDICATORS = [
    Indicator(
        "beneficiaries",
        TITLES,
        {(2025, 2025): 39, (2026, 2026): None, (2027, 2027): 12},
        {
            (2025, 2025): [("country", "BR", 21), ("gender", "female", 24)],
            (2027, 2027): [("country", "BR", 6)],
        },
    ),
    Indicator("grantees", TITLES, {(2026, 2026): None}, {}),  # nothing to say: no period at all
    Indicator("institutions", TITLES, {(2025, 2027): 9}, {}),  # the whole program, one period
]


@pytest.fixture(scope="module")
def iati_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(IATI / "iati-activities-schema.xsd"))


@pytest.mark.parametrize("indicators", [INDICATORS, []], ids=["figures", "no figures yet"])
def test_the_iati_file_is_valid_against_the_official_2_03_schema(
    iati_schema: etree.XMLSchema, indicators: list[Indicator]
) -> None:
    document = etree.fromstring(iati_activity(PUBLISHER, indicators, NOW))
    assert iati_schema.validate(document), iati_schema.error_log


def test_the_schema_rejects_an_activity_without_a_start_date(iati_schema: etree.XMLSchema) -> None:
    document = etree.fromstring(iati_activity(PUBLISHER, INDICATORS, NOW))
    activity = document.find("iati-activity")
    activity.remove(activity.find("activity-date"))
    assert not iati_schema.validate(document)
    assert "activity-date" in str(iati_schema.error_log)


def test_the_activity_starts_in_the_first_year_with_figures_or_is_planned_from_today() -> None:
    def start(indicators: list[Indicator]) -> tuple[str | None, str | None]:
        date = etree.fromstring(iati_activity(PUBLISHER, indicators, NOW)).find("iati-activity/activity-date")
        return date.get("type"), date.get("iso-date")

    assert start(INDICATORS) == ("2", "2025-01-01")  # actual start
    assert start([]) == ("1", "2027-12-31")  # planned start


def _codes(codelist: str) -> set[str]:
    path = IATI / "codelists" / f"{codelist}.xml"
    assert path.exists(), f"the file uses the IATI codelist {codelist}: vendor it (see {IATI / 'README.md'})"
    items = etree.parse(path).iter("codelist-item")
    return {item.findtext("code") for item in items if item.get("status") != "withdrawn"}


def test_every_coded_value_of_the_iati_file_is_in_its_official_codelist() -> None:
    document = etree.fromstring(iati_activity(PUBLISHER, INDICATORS, NOW))
    used = set()
    for mapping in etree.parse(IATI / "codelist-mapping.xml").iter("mapping"):
        path, condition = mapping.findtext("path"), mapping.findtext("condition")
        if condition:  # e.g. sector codes are DAC codes only when @vocabulary is 1
            element, _, attribute = path.rpartition("/")
            path = f"{element}[{condition}]/{attribute}"
        values = {str(value) for value in document.xpath(path)}
        if values:
            codelist = mapping.find("codelist").get("ref")
            assert values <= _codes(codelist), (path, codelist, values)
            used.add(codelist)
    # Every vendored codelist is used and checked: aid type E01, activity status, result type, indicator
    # vocabulary and measure, sector and region with their vocabularies, organisation type and role…
    assert used == {path.stem for path in (IATI / "codelists").glob("*.xml")}


def test_the_iati_activity_is_scholarships_and_training_with_results_by_year_country_and_gender() -> None:
    indicator = Indicator(
        "beneficiaries",
        {"en": "Museum professionals trained"},
        {(2026, 2026): None, (2027, 2027): 12},
        {(2027, 2027): [("country", "BR", 6), ("gender", "female", 9)]},
    )
    root = ET.fromstring(iati_activity(PUBLISHER, [indicator], NOW))  # noqa: S314 - our own output
    activity = root.find("iati-activity")
    assert activity is not None
    assert activity.find("default-aid-type").get("code") == "E01"  # type: ignore[union-attr]
    periods = activity.findall("result/indicator/period")
    assert len(periods) == 1  # the suppressed year is left out
    actuals = periods[0].findall("actual")
    assert [a.get("value") for a in actuals] == ["12", "6", "9"]
    assert [(d.get("name"), d.get("value")) for a in actuals for d in a.findall("dimension")] == [
        ("country", "BR"),
        ("gender", "female"),
    ]


CALL = str(uuid.uuid4())
CALLS = {CALL: Call(2027, "Training grants 2027", date(2027, 6, 1))}


def accepted(**countries: tuple[int, str]) -> dict[tuple[str, str, str], tuple[int, Decimal]]:
    return {
        (CALL, "USD", country): (grants, Decimal(amount)) for country, (grants, amount) in countries.items()
    }


def test_grants_are_published_per_country_with_small_countries_pooled_and_no_grantee_named() -> None:
    records = giving_grants(
        PUBLISHER, accepted(BR=(6, "10800"), PE=(3, "5400"), CL=(3, "5400"), AR=(0, "0")), CALLS, NOW
    )
    assert [(r["locations"], r["Number of grantees"], r["Amount Awarded"]) for r in records] == [
        (["BR"], 6, "10800.00"),
        (["CL", "PE"], 6, "10800.00"),
    ]
    assert all(r["Recipient Ind:Name"].endswith("grantees (aggregated)") for r in records)
    assert records[0]["Award Date"] == "2027-06-01"


def test_a_pool_of_small_countries_is_published_whatever_its_size() -> None:
    records = giving_grants(PUBLISHER, accepted(PE=(3, "4500"), BR=(9, "16200")), CALLS, NOW)
    assert [(r["locations"], r["Number of grantees"]) for r in records] == [(["BR"], 9), (["PE"], 3)]


def test_nothing_is_published_while_every_call_counts_no_grantee() -> None:
    assert giving_grants(PUBLISHER, accepted(PE=(0, "0")), CALLS, NOW) == []


# ------------------------------------------------------------------------------ 360Giving schema


@pytest.mark.parametrize(
    "cells",
    [
        accepted(BR=(6, "10800"), PE=(3, "5400"), CL=(3, "5400")),
        accepted(PE=(3, "4500")),
        accepted(ZZ=(3, "4500"), MX=(12, "21000")),
    ],
    ids=["countries and a pool", "only a pool", "country not known"],
)
def test_every_360giving_file_is_valid_against_the_official_schemas(cells: dict[Any, Any]) -> None:
    validator = giving_validator()
    records = giving_grants(PUBLISHER, cells, CALLS, NOW)

    package = giving_package(records, PUBLISHER, NOW)
    errors = [error.message for error in validator.iter_errors(package)]
    assert errors == [], errors
    columns, rows = giving_csv_rows(records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    errors = [error.message for error in validator.iter_errors(giving_package_from_csv(out.getvalue()))]
    assert errors == [], errors


def test_the_official_schema_rejects_a_file_without_grants() -> None:
    # Why the service answers 404 rather than serve a file while it has no grant to publish.
    assert not giving_validator().is_valid({"grants": []})
