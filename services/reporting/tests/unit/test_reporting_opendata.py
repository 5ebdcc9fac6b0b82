"""The open-data files: IATI activity results and 360Giving grants, with nobody singled out.

The IATI file is checked against the official IATI 2.03 schema and codelists, vendored unedited in
`tests/schemas/iati-2.03` (origin in its README).
"""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from ibermuseos_reporting.domain.opendata import Indicator, Publisher, giving_grants, iati_activity
from lxml import etree

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
        {2025: 40, 2026: None, 2027: 12},
        {2025: [("country", "BR", 20), ("gender", "female", 25)], 2027: [("country", "BR", 7)]},
    ),
    Indicator("grantees", TITLES, {2026: None}, {}),  # every year suppressed: no period at all
    Indicator("institutions", TITLES, {2025: 9, 2027: 3}, {}),
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
        {2026: None, 2027: 12},
        {2027: [("country", "BR", 7), ("gender", "female", 8)]},
    )
    root = ET.fromstring(iati_activity(PUBLISHER, [indicator], NOW))  # noqa: S314 - our own output
    activity = root.find("iati-activity")
    assert activity is not None
    assert activity.find("default-aid-type").get("code") == "E01"  # type: ignore[union-attr]
    periods = activity.findall("result/indicator/period")
    assert len(periods) == 1  # the suppressed year is left out
    actuals = periods[0].findall("actual")
    assert [a.get("value") for a in actuals] == ["12", "7", "8"]
    assert [(d.get("name"), d.get("value")) for a in actuals for d in a.findall("dimension")] == [
        ("country", "BR"),
        ("gender", "female"),
    ]


def test_grants_are_published_per_country_with_small_countries_pooled_and_no_grantee_named() -> None:
    call = uuid.uuid4()

    def row(country: str, grants: int, amount: str) -> dict[str, object]:
        return {
            "call_id": call,
            "call_year": 2027,
            "title_es": "Becas 2027",
            "title_en": "Training grants 2027",
            "country": country,
            "currency": "USD",
            "grants": grants,
            "amount": Decimal(amount),
            "first_accepted": NOW,
            "last_accepted": NOW,
        }

    records, withheld = giving_grants(
        PUBLISHER, [row("BR", 6, "9000"), row("PE", 2, "3000"), row("CL", 3, "4500")], NOW
    )
    assert withheld == 0
    assert [
        (r["Beneficiary Location:Country Code"], r["Number of grantees"], r["Amount Awarded"])
        for r in records
    ] == [
        ("BR", 6, "9000.00"),
        ("CL;PE", 5, "7500.00"),
    ]
    assert all(r["Recipient Ind:Name"].endswith("grantees (aggregated)") for r in records)


def test_a_call_with_fewer_than_five_grantees_is_withheld() -> None:
    call = uuid.uuid4()
    rows = [
        {
            "call_id": call,
            "call_year": 2027,
            "country": "PE",
            "currency": "USD",
            "grants": 3,
            "amount": Decimal("4500"),
            "last_accepted": NOW,
        }
    ]
    assert giving_grants(PUBLISHER, rows, NOW) == ([], 3)
