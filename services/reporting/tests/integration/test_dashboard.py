"""The dashboard in Debian's headless chromium, on the real service fed through the real broker.

Every number the page shows is an API cell it names (data-source, data-key, data-field), or
worked out from such cells (data-derived): the tests fetch the same answers and compare. Each
page is also photographed whole; the PNGs stay in `.run/artefacts/dashboard/` for people to look at.
"""

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

ARTEFACTS = Path(__file__).resolve().parents[4] / ".run" / "artefacts" / "dashboard"
TITLES = {
    "es": "Ibermuseos · Formación y Capacitación: el programa en cifras",
    "pt": "Ibermuseus · Formação e Capacitação: o programa em números",
    "en": "Ibermuseos · Training and Capacity Building: the program in figures",
}
MEMBERS = {
    "AD",
    "AR",
    "BO",
    "BR",
    "CL",
    "CO",
    "CR",
    "CU",
    "DO",
    "EC",
    "ES",
    "GT",
    "HN",
    "MX",
    "NI",
    "PA",
    "PE",
    "PT",
}
MEMBERS |= {"PY", "SV", "UY", "VE"}

# What the page shows, read in the browser: every cell that names its API source, the map, the tiles,
# one chart's CSV, and anything wider than the window (with every table opened, as a reader may).
EXTRACT = """JSON.stringify((() => {
  const text = (el) => el.tagName.toLowerCase() === "path" ? null
    : el.closest("svg") ? (el.querySelector(".value") ? el.querySelector(".value").textContent : null)
    : el.textContent;
  const cells = [...document.querySelectorAll("[data-source]")].map((el) => ({
    tag: el.tagName.toLowerCase(), source: el.dataset.source, key: el.dataset.key, field: el.dataset.field,
    state: el.dataset.state, value: el.dataset.value, derived: el.dataset.derived || null, text: text(el)
  }));
  const tiles = Object.fromEntries([...document.querySelectorAll("[data-tile]")].map((el) => {
    const figure = el.querySelector(".figure");
    return [el.dataset.tile, { text: figure.textContent, value: figure.dataset.value, derived: figure.dataset.derived || null }];
  }));
  const map = Object.fromEntries([...document.querySelectorAll("#map path[data-country]")].map(
    (el) => [el.dataset.country, el.dataset.state || "none"]));
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest("svg") || ["svg", "text"].includes(el.tagName.toLowerCase()))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); })
    .map((el) => {
      const r = el.getBoundingClientRect(), chart = el.closest("[data-chart]");
      return `${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className} in ${chart ? chart.dataset.chart : "page"}: ${Math.round(r.left)}–${Math.round(r.right)}`;
    });
  const scrollWidth = document.documentElement.scrollWidth;
  document.querySelectorAll("details").forEach((d) => { d.open = false; });
  return {
    lang: document.documentElement.lang, title: document.title,
    headline: document.getElementById("headline").textContent, cells, tiles, map,
    width, scrollWidth, wide, csv: window.Dashboard.csvOf("funnel"),
    charts: [...document.querySelectorAll("figure.chart")].map((f) => ({
      id: f.dataset.chart, description: (f.querySelector(".desc") || {}).textContent || null,
      csv: Boolean(f.querySelector("button.csv")), drawn: Boolean(f.querySelector("svg, table"))
    }))
  };
})())"""

# The same page as printed: the buttons and language links gone, every chart and table still there.
PRINTED = """JSON.stringify({
  controls: [...document.querySelectorAll(".actions, .tools, .skip")].filter((el) => getComputedStyle(el).display !== "none").length,
  charts: [...document.querySelectorAll("figure.chart")].filter((el) => el.getBoundingClientRect().height > 0).length,
  background: getComputedStyle(document.body).backgroundColor
})"""


@pytest.fixture(scope="module")
async def program(reporting_fed_with: Any, module_program: Any) -> AsyncIterator[str]:
    """A generated program of some size: most cells shown, a few hidden."""
    async with reporting_fed_with(module_program.published) as fed:
        yield fed.service.url


@pytest.fixture(scope="module")
async def first_year(reporting_fed_with: Any, module_scenario: Any) -> AsyncIterator[str]:
    """The hand-computed scenario: one call, six beneficiaries, nearly every cell hidden."""
    async with reporting_fed_with(module_scenario.published) as fed:
        yield fed.service.url


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["es", "pt", "en"])
async def test_the_dashboard_shows_the_apis_numbers_readably_at_laptop_and_phone_widths(
    program: str, browser: Any, lang: str, width: int
) -> None:
    page = await browser.open(f"{program}/dashboard?lang={lang}", width=width, extract=EXTRACT)
    on_paper, pdf = await browser.printed(extract=PRINTED)
    await asyncio.to_thread(_keep, f"program-{lang}-{width}.png", page.screenshot)
    if width == 1280:
        await asyncio.to_thread(_keep, f"program-{lang}.pdf", pdf)
    seen = page.values
    async with httpx.AsyncClient(base_url=program, timeout=30) as http:
        answers = await _answers(http, seen["cells"])
        headline = (await http.get("/figures/headline", params={"lang": lang})).json()
        kinds = (await http.get("/figures/courses", params={"by": "program", "lang": lang})).json()
        calls = (await http.get("/figures/grants", params={"by": "call", "lang": lang})).json()
        by_country = (await http.get("/figures/beneficiaries", params={"by": "country"})).json()

    assert page.errors == []
    assert (seen["lang"], seen["title"]) == (lang, TITLES[lang])
    states = _assert_cells_are_the_apis(seen["cells"], answers)
    assert states["shown"] > 150
    assert states["suppressed"]
    assert states["protecting"]
    assert {cell["source"].split("?")[0] for cell in seen["cells"]} >= {
        "/figures/headline",
        "/figures/beneficiaries",
        "/figures/institutions",
        "/figures/grants",
        "/figures/courses",
    }
    # The headline says the true figures, not "more than" one less.
    assert _digits(seen["headline"].split()[0]) == str(headline["beneficiaries"])
    assert re.search(r"more than|más de|mais de", seen["headline"], re.IGNORECASE) is None
    assert [seen["tiles"][name]["value"] for name in ("beneficiaries", "countries", "institutions")] == [
        str(headline[name]) for name in ("beneficiaries", "countries", "institutions")
    ]
    for tile, field in (("certificates", "certificates"), ("hours", "hours_certified")):
        total = sum(Decimal(row[field]) for row in kinds["rows"])
        assert Decimal(seen["tiles"][tile]["value"]) == total
        assert _digits(seen["tiles"][tile]["text"]) == str(total)
    # The map: every member country with figures in its state, the others drawn without.
    expected_map = {row["key"]: _state(row, "people") for row in by_country["rows"] if row["key"] in MEMBERS}
    assert {code: state for code, state in seen["map"].items() if state != "none"} == expected_map
    assert set(seen["map"]) == MEMBERS
    assert {"shown", "suppressed", "protecting"} <= set(expected_map.values())
    # Every chart: described in words (the table by country is words), drawn, downloadable; the CSV is the API's.
    assert len(seen["charts"]) >= 14
    described = [chart["description"] or chart["id"] == "countryTable" for chart in seen["charts"]]
    assert all(described), seen["charts"]
    assert all(chart["csv"] and chart["drawn"] for chart in seen["charts"]), seen["charts"]
    _assert_csv_is_the_apis(seen["csv"], calls)
    # Readable at this width: nothing wider than the window, nothing to scroll sideways (tables open or not).
    assert seen["wide"] == []
    assert seen["scrollWidth"] <= seen["width"]
    assert page.overflow == []
    assert _png_width(page.screenshot) == width
    # Printable: the controls are left off the paper, the charts are not.
    assert on_paper == {"controls": 0, "charts": len(seen["charts"]), "background": "rgb(255, 255, 255)"}
    assert pdf.startswith(b"%PDF")


async def test_a_small_program_shows_its_hidden_cells_as_such(first_year: str, browser: Any) -> None:
    page = await browser.open(f"{first_year}/dashboard?lang=pt", width=1280, extract=EXTRACT)
    await asyncio.to_thread(_keep, "first-year-pt-1280.png", page.screenshot)
    seen = page.values
    async with httpx.AsyncClient(base_url=first_year, timeout=30) as http:
        answers = await _answers(http, seen["cells"])
        by_country = (await http.get("/figures/beneficiaries", params={"by": "country"})).json()

    assert page.errors == []
    assert (seen["lang"], seen["title"]) == ("pt", TITLES["pt"])
    states = _assert_cells_are_the_apis(seen["cells"], answers)
    assert states["suppressed"] > 20
    assert states["protecting"]
    assert seen["map"] == {code: "suppressed" for code in ("BR", "CL", "MX", "PE")} | {
        code: "none" for code in MEMBERS - {"BR", "CL", "MX", "PE"}
    }
    assert {row["key"] for row in by_country["rows"]} == {"BR", "CL", "MX", "PE"}
    assert seen["headline"].startswith("6 profissionais de museus de 4 países beneficiados e 6 instituições")
    # A total of hidden cells is withheld too; so are the grantees, fewer than five.
    assert {name: seen["tiles"][name]["text"][0] for name in ("certificates", "hours", "grantees")} == {
        "certificates": "–",
        "hours": "–",
        "grantees": "<",
    }
    assert seen["wide"] == []
    assert page.overflow == []


# ------------------------------------------------------------------ checking against the API


async def _answers(http: httpx.AsyncClient, cells: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's answer to every request the page's cells name, asked again by the test."""
    sources = sorted({cell["source"] for cell in cells})
    return {source: (await http.get(source)).json() for source in sources}


def _row(body: dict[str, Any], key: str) -> dict[str, Any]:
    if key == "":
        return body
    return next(row for row in body["rows"] if str(row["key"]) == key)


def _state(row: dict[str, Any], field: str) -> str:
    if row.get(field) is not None:
        return "shown"
    assert field in row["suppressed"], (field, row)
    return "protecting" if field in row.get("protecting", []) else "suppressed"


def _assert_cells_are_the_apis(cells: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, int]:
    """Each cell on the page: the API's value (or its mark where the API hides it), written as the page writes it."""
    states = {"shown": 0, "suppressed": 0, "protecting": 0}
    for cell in cells:
        row = _row(answers[cell["source"]], cell["key"])
        where = f"{cell['source']} {cell['key']} {cell['field']}: {cell}"
        if cell["derived"]:
            numerator, denominator = cell["derived"].split("/")
            parts = [_state(row, numerator), _state(row, denominator)]
            hidden = [state for state in parts if state != "shown"]
            expected_state = hidden[0] if hidden else "shown"
            value: Any = row[numerator] / row[denominator] if not hidden and row[denominator] else None
        else:
            name, _, currency = cell["field"].partition(".")
            expected_state = _state(row, name)
            value = row[name]
            if isinstance(value, dict):
                value = value.get(currency, "0")
        assert cell["state"] == expected_state, where
        states[expected_state] += 1
        if expected_state != "shown":
            assert cell["value"] == "", where
            if cell["text"] is not None:
                assert ("–" if expected_state == "protecting" else "<5") in cell["text"], where
            continue
        if value is None:
            continue
        assert (
            Decimal(cell["value"]) == Decimal(str(value)) or abs(float(cell["value"]) - float(value)) < 1e-9
        ), where
        if cell["text"] is not None:
            assert _digits(cell["text"]) == _written(cell["field"], value), where
    return states


def _written(field: str, value: Any) -> str:
    """The digits the page shows for a value: rates as whole percentages, amounts and hours rounded."""
    number = Decimal(str(value))
    if field.endswith("_rate"):
        number *= 100
    return str(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_csv_is_the_apis(text: str, calls: dict[str, Any]) -> None:
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {row["key"] for row in calls["rows"]}
    for call in calls["rows"]:
        written = rows[call["key"]]
        assert written["label"] == call["label"]
        for field in ("applications", "eligible", "awarded", "accepted", "declined", "reports"):
            assert written[field] == ("" if call[field] is None else str(call[field])), (field, written)
        assert set(filter(None, written["suppressed"].split(";"))) >= set(call["suppressed"]) - {
            "amount_awarded",
            "amount_accepted",
        }


def _keep(name: str, content: bytes) -> None:
    """A picture of the page for people to look at: `.run/artefacts/dashboard/`."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / name).write_bytes(content)


def _png_width(png: bytes) -> int:
    header = png[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big")
