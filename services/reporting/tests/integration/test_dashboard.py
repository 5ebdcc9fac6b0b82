"""The dashboard in Debian's headless chromium, on the real service fed through the real broker.

Every number the page shows is an API cell it names (data-source, data-key, data-field, and
data-derived when worked out from cells: a rate, a sum, a country absent from a table), or a label,
a date or a sentence about such cells: the tests fetch the same answers, as the same viewer, and
compare, exactness included (data-exact). Each page is also photographed whole; the PNGs stay in
`.run/artefacts/dashboard/` for people to look at.
"""

import asyncio
import csv
import io
import re
from collections import defaultdict
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
# How the page says, in each language, that figures are rounded (the note under the tiles; a chart's
# text alternative), that figures are exact, and how institutions are counted for the public.
ROUNDED_NOTE = {
    "es": "Cifras redondeadas para proteger a las personas: cada cifra suma pequeños grupos de personas similares, "
    "y el conteo de cada grupo se redondea a un múltiplo de 3, a no más de 2 de su tamaño real",
    "pt": "Números arredondados para proteger as pessoas: cada número soma pequenos grupos de pessoas semelhantes, "
    "e a contagem de cada grupo é arredondada para um múltiplo de 3, a no máximo 2 do seu tamanho real",
    "en": "Figures rounded to protect people: each figure adds up small groups of alike people, and each group's "
    "count is rounded to a multiple of 3, never more than 2 from its true size",
}
ROUNDED_CHART = {
    "es": "Cifras redondeadas para proteger a las personas",
    "pt": "Números arredondados para proteger as pessoas",
    "en": "Figures rounded to protect people",
}
INSTITUTIONS_CHART = {
    "es": "Para el público, las instituciones alcanzadas directamente se cuentan solo hasta donde",
    "pt": "Para o público, as instituições alcançadas diretamente são contadas só até onde",
    "en": "For the public, institutions reached directly are counted only as far as",
}
AMOUNTS_CHART = {
    "es": "Montos calculados de cifras redondeadas",
    "pt": "Valores calculados de números arredondados",
    "en": "Amounts worked out from rounded counts",
}
ALL_EXACT = {"en": "Every figure here is exact (✓), as your token allows"}
SOME_EXACT = {"es": "Las cifras marcadas con ✓ son exactas, como su token permite (su país)"}
INSTITUTION_CHARTS = {"institutionsByCountry", "channel", "institutionsByType"}
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
# every number that is no cell, each chart's text alternative and cells, one chart's CSV, and anything
# wider than the window (with every table opened, as a reader may).
EXTRACT = """JSON.stringify((() => {
  const text = (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === "path") return null;
    if (tag === "text") return el.textContent;
    if (el.closest("svg")) return el.querySelector(".value") ? el.querySelector(".value").textContent : null;
    return el.textContent;
  };
  const cellOf = (el) => ({
    tag: el.tagName.toLowerCase(), source: el.dataset.source, key: el.dataset.key, field: el.dataset.field,
    state: el.dataset.state, value: el.dataset.value, exact: el.dataset.exact, derived: el.dataset.derived || null,
    text: text(el)
  });
  const cells = [...document.querySelectorAll("[data-source]")].map(cellOf);
  const visible = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(".exact-mark").forEach((mark) => mark.remove());
    return copy.textContent;
  };
  const tiles = Object.fromEntries([...document.querySelectorAll("[data-tile]")].map((el) => {
    const figure = el.querySelector(".figure");
    return [el.dataset.tile, { text: visible(figure), value: figure.dataset.value, exact: figure.dataset.exact }];
  }));
  const map = Object.fromEntries([...document.querySelectorAll("#map path[data-country]")].map(
    (el) => [el.dataset.country, el.dataset.state || "none"]));
  // Numbers outside any cell: only in labels, dates, legends and sentences about the cells.
  const WORDS = "th[scope=row], thead, caption, text.label, text.group-title, text.total, .legend, .desc, #as-of, "
    + "#lede, .protection, .map-note, h3, .intro";
  const untagged = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (/[0-9]/.test(node.textContent) && !el.closest("[data-source]") && !el.closest(WORDS)) {
      untagged.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}: ${node.textContent}`);
    }
  }
  const totals = [...document.querySelectorAll("svg text.total")].map((el) => ({
    text: el.textContent, parts: [...el.parentNode.querySelectorAll(".mark")].map((mark) => mark.dataset.value)
  }));
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
  const protection = document.getElementById("protection");
  return {
    lang: document.documentElement.lang, title: document.title, address: location.href,
    headline: visible(document.getElementById("headline")), cells, tiles, map, untagged, totals,
    protection: { hidden: protection.hidden, text: protection.textContent, rounded: protection.dataset.rounded },
    marks: document.querySelectorAll(".exact-mark").length,
    hiddenMarks: document.querySelectorAll(".hidden-cell, .bar.hidden, .shade-hidden, path.member.suppressed").length,
    page: document.body.innerText,
    giving: Boolean(document.querySelector('footer a[href="/open-data/360giving.json"]')),
    width, scrollWidth, wide, csv: window.Dashboard.csvOf("funnel"),
    charts: [...document.querySelectorAll("figure.chart")].map((f) => ({
      id: f.dataset.chart, description: (f.querySelector(".desc") || {}).textContent || null,
      csv: Boolean(f.querySelector("button.csv")), drawn: Boolean(f.querySelector("svg, table")),
      rows: new Set([...f.querySelectorAll("[data-key]")].map((el) => el.dataset.key)).size,
      labels: [...f.querySelectorAll("th[scope=row]")].map((el) => el.textContent),
      cells: [...f.querySelectorAll("[data-source]")].map(cellOf)
    }))
  };
})())"""

# The same page as printed: the buttons and language links gone, every chart and table still there.
PRINTED = """JSON.stringify({
  controls: [...document.querySelectorAll(".actions, .tools, .skip")].filter((el) => getComputedStyle(el).display !== "none").length,
  charts: [...document.querySelectorAll("figure.chart")].filter((el) => el.getBoundingClientRect().height > 0).length,
  protection: document.getElementById("protection").getBoundingClientRect().height > 0,
  background: getComputedStyle(document.body).backgroundColor
})"""


@pytest.fixture(scope="module")
async def program(reporting_fed_with: Any, module_program: Any) -> AsyncIterator[Any]:
    """A generated program of some size: ten countries, three years, three calls."""
    async with reporting_fed_with(module_program.published) as fed:
        yield fed


@pytest.fixture(scope="module")
async def first_year(reporting_fed_with: Any, module_scenario: Any) -> AsyncIterator[Any]:
    """The hand-computed scenario: one call, six beneficiaries in four countries, nearly every cell small."""
    async with reporting_fed_with(module_scenario.published) as fed:
        yield fed


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["es", "pt", "en"])
async def test_the_dashboard_shows_the_apis_rounded_numbers_readably_at_laptop_and_phone_widths(
    program: Any, browser: Any, lang: str, width: int
) -> None:
    url = program.service.url
    page = await browser.open(f"{url}/dashboard?lang={lang}", width=width, extract=EXTRACT)
    on_paper, pdf = await browser.printed(extract=PRINTED)
    await asyncio.to_thread(_keep, f"program-{lang}-{width}.png", page.screenshot)
    if width == 1280:
        await asyncio.to_thread(_keep, f"program-{lang}.pdf", pdf)
    seen = page.values
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        answers = await _answers(http, seen["cells"], {})
        headline = (await http.get("/figures/headline", params={"lang": lang})).json()
        calls = (await http.get("/figures/grants", params={"by": "call", "lang": lang})).json()
        by_country = (await http.get("/figures/beneficiaries", params={"by": "country"})).json()
        giving = await http.get("/open-data/360giving.json")

    assert page.errors == []
    assert (seen["lang"], seen["title"]) == (lang, TITLES[lang])
    assert seen["giving"] is (giving.status_code == 200) is True
    # Every number is the API's, as rounded for the public: nothing hidden (a rate of nothing evaluated is
    # missing), nothing marked exact.
    states = _assert_cells_are_the_apis(seen["cells"], answers)
    assert set(states) <= {"shown", "missing"}
    assert states["shown"] > 300
    assert seen["untagged"] == []
    _assert_totals_add_up(seen["totals"])
    assert (seen["marks"], seen["hiddenMarks"]) == (0, 0)
    assert "✓" not in seen["page"]
    assert "<5" not in seen["page"]
    assert {cell["source"].split("?")[0] for cell in seen["cells"]} == {
        "/figures/headline",
        "/figures/beneficiaries",
        "/figures/institutions",
        "/figures/grants",
        "/figures/courses",
    }
    # Said once, under the figures: they are rounded, and how (the API's base and interval).
    assert seen["protection"]["hidden"] is False
    assert seen["protection"]["rounded"] == "true"
    assert seen["protection"]["text"].startswith(ROUNDED_NOTE[lang])
    assert seen["page"].count(ROUNDED_NOTE[lang]) == 1
    # The headline says the figures published, as the API's own sentence does.
    assert _digits(seen["headline"].split()[0]) == str(headline["beneficiaries"])
    assert _digits(headline["text"].split()[0]) == str(headline["beneficiaries"])
    assert re.search(r"more than|más de|mais de", seen["headline"] + headline["text"], re.IGNORECASE) is None
    assert [seen["tiles"][name]["value"] for name in ("beneficiaries", "countries", "institutions")] == [
        str(headline[name]) for name in ("beneficiaries", "countries", "institutions")
    ]
    # The map: every member country published in its state, the others (none, or rounded to 0) without.
    expected_map = {row["key"]: "shown" for row in by_country["rows"] if row["key"] in MEMBERS}
    assert {code: state for code, state in seen["map"].items() if state != "none"} == expected_map
    assert set(seen["map"]) == MEMBERS
    # Every chart: described in words (the table by country is words), drawn, downloadable; its text
    # alternative says how its figures are protected and tells no number that is not the API's.
    assert len(seen["charts"]) >= 14
    for chart in seen["charts"]:
        assert (chart["csv"], chart["drawn"]) == (True, True), chart["id"]
        if chart["id"] == "countryTable":
            continue
        kind = (
            INSTITUTIONS_CHART
            if chart["id"] in INSTITUTION_CHARTS
            else AMOUNTS_CHART
            if chart["id"] == "amounts"
            else ROUNDED_CHART
        )
        assert kind[lang] in chart["description"], chart
        _assert_description_tells_the_charts_numbers(chart)
    _assert_csv_is_the_apis(seen["csv"], calls)
    # Readable at this width: nothing wider than the window, nothing to scroll sideways (tables open or not).
    assert seen["wide"] == []
    assert seen["scrollWidth"] <= seen["width"]
    assert page.overflow == []
    assert _png_width(page.screenshot) == width
    # Printable: the controls are left off the paper, the charts and the note on rounding are not.
    assert on_paper == {
        "controls": 0,
        "charts": len(seen["charts"]),
        "protection": True,
        "background": "rgb(255, 255, 255)",
    }
    assert pdf.startswith(b"%PDF")


async def test_a_small_program_shows_its_rounded_figures_and_leaves_out_rows_of_zero(
    first_year: Any, browser: Any
) -> None:
    url = first_year.service.url
    page = await browser.open(f"{url}/dashboard?lang=pt", width=1280, extract=EXTRACT)
    await asyncio.to_thread(_keep, "first-year-pt-1280.png", page.screenshot)
    seen = page.values
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        answers = await _answers(http, seen["cells"], {})
        by_country = (await http.get("/figures/beneficiaries", params={"by": "country"})).json()
        headline = (await http.get("/figures/headline", params={"lang": "pt"})).json()
        giving = await http.get("/open-data/360giving.json")

    assert page.errors == []
    # The footer links to the 360Giving file only while there is one (none while no grantee is published).
    assert seen["giving"] is (giving.status_code == 200)
    assert set(_assert_cells_are_the_apis(seen["cells"], answers)) <= {"shown", "missing"}
    assert seen["untagged"] == []
    assert (seen["marks"], seen["hiddenMarks"]) == (0, 0)
    assert seen["protection"]["text"].startswith(ROUNDED_NOTE["pt"])
    # Six people in four countries, one to three each: as published, multiples of 3, countries of 0 left out.
    published = {row["key"]: row["people"] for row in by_country["rows"]}
    assert all(people % 3 == 0 and people > 0 for people in published.values())
    assert set(published) <= {"BR", "CL", "MX", "PE"}
    assert seen["map"] == {code: "shown" if code in published else "none" for code in MEMBERS}
    countries = "país" if headline["countries"] == 1 else "países"
    assert seen["headline"].startswith(
        f"{headline['beneficiaries']} profissionais de museus de {headline['countries']} {countries}"
    )
    assert seen["wide"] == []
    assert page.overflow == []


async def test_a_coordinator_sees_every_figure_exact_and_marked_so(first_year: Any, browser: Any) -> None:
    token = first_year.issuer.token("coordinator-1", roles=["coordinator"])
    page, answers = await _signed_in(first_year, browser, token, "en", "first-year-coordinator-en-1280.png")
    seen = page.values

    assert page.errors == []
    assert "token" not in seen["address"]  # taken out of the address: a copied link never carries it
    assert set(_assert_cells_are_the_apis(seen["cells"], answers)) <= {"shown", "missing"}
    assert {cell["exact"] for cell in seen["cells"]} == {"true"}
    assert seen["marks"] > 100
    # The hand-computed scenario, exactly (tests/conftest.py).
    assert seen["headline"] == (
        "6 museum professionals from 4 countries have benefited, and 6 institutions have been reached"
    )
    people = {cell["key"]: cell["value"] for cell in seen["cells"] if cell["tag"] == "path"}
    assert people == {"MX": "3", "PE": "1", "CL": "1", "BR": "1"}
    assert seen["protection"]["text"].startswith(ALL_EXACT["en"])
    assert seen["protection"]["rounded"] == "false"
    assert not any(ROUNDED_CHART["en"] in (chart["description"] or "") for chart in seen["charts"])
    assert seen["untagged"] == []
    assert page.overflow == []
    await _assert_back_to_the_public_view(first_year, browser, "es")


async def test_a_focal_point_sees_its_country_exact_and_marked_so_and_the_others_rounded(
    program: Any, browser: Any
) -> None:
    token = program.issuer.token("focal-pe", roles=["focal_point"], country="PE")
    page, answers = await _signed_in(program, browser, token, "es", "program-focal-point-pe-es-1280.png")
    seen = page.values

    assert page.errors == []
    assert set(_assert_cells_are_the_apis(seen["cells"], answers)) <= {"shown", "missing"}
    exact = [cell for cell in seen["cells"] if cell["exact"] == "true"]
    assert exact, "Peru's rows are exact for Peru's focal point"
    assert {cell["key"] for cell in exact} == {"PE"}
    assert seen["map"]["PE"] == "shown"
    assert seen["protection"]["text"].startswith(SOME_EXACT["es"])
    assert ROUNDED_NOTE["es"] in seen["protection"]["text"]
    assert seen["untagged"] == []
    assert page.overflow == []
    await _assert_back_to_the_public_view(program, browser, "pt")


async def _signed_in(
    fed: Any, browser: Any, token: str, lang: str, artefact: str
) -> tuple[Any, dict[str, Any]]:
    """The page opened with a token (`#token=`), and the API's answers to its requests with that token."""
    page = await browser.open(
        f"{fed.service.url}/dashboard?lang={lang}#token={token}", width=1280, extract=EXTRACT
    )
    await asyncio.to_thread(_keep, artefact, page.screenshot)
    async with httpx.AsyncClient(base_url=fed.service.url, timeout=30) as http:
        return page, await _answers(http, page.values["cells"], {"Authorization": f"Bearer {token}"})


async def _assert_back_to_the_public_view(fed: Any, browser: Any, lang: str) -> None:
    """The way back: "#token=" forgets the token, and the public's figures show again, none marked exact."""
    public = await browser.open(f"{fed.service.url}/dashboard?lang={lang}#token=", width=390, extract=EXTRACT)
    assert public.errors == []
    assert (public.values["marks"], public.values["protection"]["rounded"]) == (0, "true")
    assert {cell["exact"] for cell in public.values["cells"]} == {"false"}


# ------------------------------------------------------------------ checking against the API


async def _answers(
    http: httpx.AsyncClient, cells: list[dict[str, Any]], headers: dict[str, str]
) -> dict[str, Any]:
    """The API's answer to every request the page's cells name, asked again by the test as the same viewer."""
    sources = sorted({cell["source"] for cell in cells})
    return {source: (await http.get(source, headers=headers)).json() for source in sources}


def _row(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    if key == "":
        return body
    return next((row for row in body["rows"] if str(row["key"]) == key), None)


def _state(row: dict[str, Any], field: str) -> str:
    """Shown; hidden as the API names it; or missing (a rate of nothing evaluated)."""
    if row.get(field) is not None:
        return "shown"
    if field in row.get("protecting", []):
        return "protecting"
    return "suppressed" if field in row["suppressed"] else "missing"


def _value(row: dict[str, Any], field: str) -> Any:
    name, _, currency = field.partition(".")
    value = row[name]
    return value.get(currency, "0") if isinstance(value, dict) else value


def _expected(cell: dict[str, Any], body: dict[str, Any]) -> tuple[str, Any, bool]:
    """What the API says of the cell: its state, its value and whether it is exact."""
    derived, key, field = cell["derived"], cell["key"], cell["field"]
    if derived == "sum":
        parts = [(_state(row, field.partition(".")[0]), row) for row in body["rows"]]
        shown = [row for state, row in parts if state == "shown"]
        exact = all(row["exact"] for row in body["rows"]) if body["rows"] else body["exact"]
        if len(shown) < len(parts) and not shown:
            return "withheld", None, exact
        return "shown", sum(Decimal(str(_value(row, field))) for row in shown), exact
    if derived == "absent":
        assert _row(body, key) is None, cell  # a country of 0 (as published) is left out of the table
        return ("missing", None, body["exact"]) if field.endswith("_rate") else ("shown", 0, body["exact"])
    row = _row(body, key)
    assert row is not None, cell
    if derived:
        numerator, denominator = derived.split("/")
        parts = [_state(row, numerator), _state(row, denominator)]
        hidden = [state for state in parts if state != "shown"]
        if hidden:
            return hidden[0], None, row["exact"]
        if not row[denominator]:  # e.g. a call's awards rounded to 0: no rate to tell
            return "missing", None, row["exact"]
        return "shown", row[numerator] / row[denominator], row["exact"]
    return _state(row, field.partition(".")[0]), _value(row, field), row["exact"]


def _assert_cells_are_the_apis(cells: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, int]:
    """Each cell on the page: the API's value and exactness (or its mark where the API hides it), written
    as the page writes it, with the mark of an exact figure where the API says it is exact."""
    states: dict[str, int] = defaultdict(int)
    for cell in cells:
        where = f"{cell['source']} {cell['key']} {cell['field']}: {cell}"
        state, value, exact = _expected(cell, answers[cell["source"]])
        assert (cell["state"], cell["exact"]) == (state, str(exact).lower()), where
        states[state] += 1
        if state != "shown":
            assert cell["value"] == "", where
            if cell["text"] is not None:
                assert {"protecting": "–", "withheld": "–", "suppressed": "<5", "missing": "—"}[
                    state
                ] in cell["text"], where
            continue
        if value is None:
            continue
        assert (
            Decimal(cell["value"]) == Decimal(str(value)) or abs(float(cell["value"]) - float(value)) < 1e-9
        ), where
        if cell["text"] is not None:
            assert _digits(cell["text"]) == _written(cell["field"], value), where
            assert ("✓" in cell["text"]) == exact, where
    return dict(states)


def _written(field: str, value: Any) -> str:
    """The digits the page shows for a value: rates as whole percentages, amounts and hours rounded."""
    number = Decimal(str(value))
    if field.endswith("_rate"):
        number *= 100
    return str(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_totals_add_up(totals: list[dict[str, Any]]) -> None:
    """A stacked bar's total is the sum of its parts."""
    for total in totals:
        assert _digits(total["text"]) == str(sum(int(part) for part in total["parts"])), total


def _assert_description_tells_the_charts_numbers(chart: dict[str, Any]) -> None:
    """A chart's text alternative tells only the chart's numbers: a cell, the sum of a series, how many rows,
    a label, the rounding's base and interval."""
    cells = {(cell["key"], cell["field"]): cell for cell in chart["cells"] if cell["state"] == "shown"}
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for (_, field), cell in cells.items():
        sums[field] += Decimal(cell["value"])
    told = {_written(field, cell["value"]) for (_, field), cell in cells.items()}
    told |= {_written(field, total) for field, total in sums.items()}
    told |= {str(chart["rows"]), "3", "2"}
    told |= {_digits(number) for label in chart["labels"] for number in _numbers(label)}
    told |= {key for key, _ in cells}
    assert set(map(_digits, _numbers(chart["description"]))) <= told, chart


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d{1,3}(?:[.,\u00a0\u202f]\d{3})+|\d+", text)


def _assert_csv_is_the_apis(text: str, calls: dict[str, Any]) -> None:
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {row["key"] for row in calls["rows"]}
    for call in calls["rows"]:
        written = rows[call["key"]]
        assert written["label"] == call["label"]
        for field in (
            "applications",
            "eligible",
            "awarded",
            "net_awarded",
            "on_waitlist",
            "accepted",
            "reports",
        ):
            assert written[field] == str(call[field]), (field, written)
        for currency, amount in call["amount_net_awarded"].items():
            assert Decimal(written[f"amount_net_awarded.{currency}"]) == Decimal(amount), written
        assert (written["exact"], written["suppressed"]) == (str(call["exact"]), ""), written


def _keep(name: str, content: bytes) -> None:
    """A picture of the page for people to look at: `.run/artefacts/dashboard/`."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / name).write_bytes(content)


def _png_width(png: bytes) -> int:
    header = png[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big")
