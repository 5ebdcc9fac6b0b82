"""The open-data files: IATI activity results and 360Giving grants, with nobody singled out."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

from ibermuseos_reporting.domain.opendata import Indicator, Publisher, giving_grants, iati_activity

PUBLISHER = Publisher("XM-IBERMUSEOS", "Programa Ibermuseos", "XM-IBERMUSEOS-FORMACION")
NOW = datetime(2027, 12, 31, tzinfo=UTC)


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
