"""The figures as each caller may see them: exact where the viewer may, protected everywhere else.

Every table about people is computed by one function from the microdata (`domain.microdata`):
a cell the viewer may see exactly is the sum of the classes' exact counts, any other cell the
sum of their protected counts. Nothing is hidden, so nothing can be worked out from what is
shown; what the public sees is consistent across every table, filter and file.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ibermuseos_kernel.errors import Forbidden, NotFound

from ..domain import microdata as md
from ..domain.disclosure import BASE, INTERVAL, Viewer, headline
from ..domain.figures import FINE_DIMENSIONS, Filters
from ..domain.opendata import Call, Indicator, Period, Publisher, giving_grants
from .ports import Figures

PROTECTION = {
    "method": "fixed random rounding to base 3 of the microdata's classes",
    "base": BASE,
    "interval": INTERVAL,
    "reference": "README of the reporting service, section 'Disclosure control'",
}
"""Said with every answer that is not entirely exact: how its counts were protected."""


def _filters_out(filters: Filters) -> dict[str, Any]:
    return {"country": filters.country, "program": filters.program, "year": filters.year}


def row_exactness(viewer: Viewer, by: str | None, filters: Filters) -> Callable[[str], bool]:
    """Whether the row of `key` is shown exactly: a focal point's own country, and everything for coordinators."""

    def exact(key: str) -> bool:
        return viewer.exact_for(key if by == "country" else filters.country)

    return exact


def for_signed_in_only(table: str, by: str | None, filters: Filters) -> bool:
    """Whether a question is never answered for the public, so that asking it takes a token.

    Breakdowns fine enough to point at a person, and institutions by program or year (which
    would tell whether anyone from a country took part that year).
    """
    if table == "beneficiaries":
        return by in FINE_DIMENSIONS
    if table == "institutions":
        return filters.program is not None or filters.year is not None
    return False


def check_fine(viewer: Viewer, by: str | None, filters: Filters) -> None:
    """Breakdowns fine enough to point at a person are for focal points (their country) and coordinators."""
    if by not in FINE_DIMENSIONS or viewer.everything:
        return
    if viewer.country is None:
        raise Forbidden(f"the breakdown by {by} is for focal points and coordinators")
    if filters.country != viewer.country:
        raise NotFound(f"no breakdown by {by} for that country")


def _table(
    table: str, by: str | None, filters: Filters, rows: list[dict[str, Any]], exact: bool
) -> dict[str, Any]:
    return {
        "table": table,
        "by": by,
        "filters": _filters_out(filters),
        "rows": rows,
        "exact": exact,
        "protection": None if exact else PROTECTION,
    }


def _all_exact(viewer: Viewer, filters: Filters, rows: list[dict[str, Any]]) -> bool:
    return viewer.exact_for(filters.country) and all(row["exact"] for row in rows)


def _row(key: str, labels: Mapping[str, str], exact: bool, values: dict[str, Any]) -> dict[str, Any]:
    # `suppressed` and `protecting` stay for clients of the earlier, suppressing API: nothing is hidden now.
    return {
        "key": key,
        "label": labels.get(key, key),
        **values,
        "exact": exact,
        "suppressed": [],
        "protecting": [],
    }


async def beneficiaries(
    figures: Figures, viewer: Viewer, filters: Filters, by: str | None, language: str
) -> dict[str, Any]:
    """Unique people who benefited, total and per `by`: exact where the viewer may, protected elsewhere."""
    check_fine(viewer, by, filters)
    data = await figures.microdata()
    total, cells = md.beneficiaries(data, filters, None if by == "institution" else by)
    exact_total = viewer.exact_for(filters.country)
    if by == "institution":  # check_fine let only exact viewers through
        rows = [
            {**row, "exact": True, "suppressed": [], "protecting": []}
            for row in await figures.beneficiaries_by_institution(filters)
        ]
    else:
        exact = row_exactness(viewer, by, filters)
        labels = await figures.labels(language) if by == "offering" else {}
        rows = [
            _row(key, labels, exact(key), {"people": cell.value(exact(key))})
            for key, cell in cells.items()
            if cell.value(exact(key))
        ]
        rows.sort(key=lambda row: (-row["people"], row["key"]))
    body = _table("beneficiaries", by, filters, rows, _all_exact(viewer, filters, rows))
    body["total"] = total.value(exact_total)
    return body


def _quantized(
    amounts: Mapping[str, md.Amount], exact: bool, granted: Mapping[str, md.Tally]
) -> dict[str, str]:
    return {
        currency: str(amount.value(exact).quantize(Decimal("0.01")))
        for currency, amount in sorted(amounts.items())
        if granted[currency].value(exact)
    }


def _rows(
    cells: Mapping[str, Any],
    exact: Callable[[str], bool],
    labels: Mapping[str, str],
    more: Callable[[Any, bool, dict[str, int]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """A row per cell with any count (as shown): its counts, and what `more` derives from the cell and them."""
    rows = []
    for key in sorted(cells):
        cell, shown_exactly = cells[key], exact(key)
        counts = {name: tally.value(shown_exactly) for name, tally in cell.counts.items()}
        if any(counts.values()):
            rows.append(_row(key, labels, shown_exactly, {**counts, **more(cell, shown_exactly, counts)}))
    return rows


async def grants(
    figures: Figures, viewer: Viewer, filters: Filters, by: str, language: str
) -> dict[str, Any]:
    """Applications, eligibility, awards and amounts: exact where the viewer may, protected elsewhere."""
    cells = md.grants(await figures.microdata(), filters, by)
    labels = await figures.labels(language) if by == "call" else {}

    def amounts(cell: md.GrantCell, exact: bool, _: dict[str, int]) -> dict[str, Any]:
        return {
            name: _quantized(by_currency, exact, cell.granted[name])
            for name, by_currency in cell.amounts.items()
        }

    rows = _rows(cells, row_exactness(viewer, by, filters), labels, amounts)
    return _table("grants", by, filters, rows, _all_exact(viewer, filters, rows))


async def courses(
    figures: Figures, viewer: Viewer, filters: Filters, by: str, language: str
) -> dict[str, Any]:
    """Enrolments, completion rate and hours certified: exact where the viewer may, protected elsewhere."""
    cells = md.courses(await figures.microdata(), filters, by)
    labels = await figures.labels(language) if by == "offering" else {}

    def rate_and_hours(cell: md.CourseCell, exact: bool, counts: dict[str, int]) -> dict[str, Any]:
        hours = cell.hours.value(exact)
        return {
            # From the counts as shown: a rate says nothing the two counts do not.
            "completion_rate": round(counts["completed"] / counts["evaluated"], 4)
            if counts["evaluated"]
            else None,
            "hours_certified": f"{hours.normalize():f}" if hours else "0",
        }

    rows = _rows(cells, row_exactness(viewer, by, filters), labels, rate_and_hours)
    return _table("courses", by, filters, rows, _all_exact(viewer, filters, rows))


# ------------------------------------------------------------------------- institutions


def check_institutions(viewer: Viewer, filters: Filters) -> bool:
    """Whether the viewer sees the institutions exactly; the public sees them for the whole program only.

    Counted by program or year, institutions reached directly would tell whether anyone from a
    country took part that year (README, "Disclosure control").
    """
    if viewer.exact_for(filters.country):
        return True
    if filters.program is None and filters.year is None:
        return False
    if viewer.country is None:
        raise Forbidden("institutions by program or year are for focal points and coordinators")
    raise Forbidden("institutions by program or year are shown for your own country only")


async def institutions(figures: Figures, viewer: Viewer, filters: Filters, by: str | None) -> dict[str, Any]:
    """Institutions reached, each counted once; for the public, those reached directly up to what people's
    protected counts allow."""
    if check_institutions(viewer, filters):
        summary, exact_rows = await figures.institutions(filters, by)
        body = _table(
            "institutions",
            by,
            filters,
            [{**row, "exact": True, "suppressed": []} for row in exact_rows],
            True,
        )
        return {**body, **summary}
    cells = await public_institutions(figures, filters.country)
    summary = _institution_summary(cells)
    if by is None:
        rows: list[dict[str, Any]] = []
    elif by == "channel":
        rows = [
            {"key": channel, "label": channel, "institutions": summary[channel]}
            for channel in ("direct", "through_replication_only")
        ]
    else:
        field = "country" if by == "country" else "type"
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for cell in cells:
            grouped[str(cell[field])].append(cell)
        rows = [
            {
                "key": key,
                "label": key,
                **{
                    ("institutions" if k == "total" else k): v for k, v in _institution_summary(group).items()
                },
            }
            for key, group in grouped.items()
        ]
        rows = [row for row in rows if row["institutions"]]
        rows.sort(key=lambda row: (-row["institutions"], row["key"]))
    body = _table(
        "institutions", by, filters, [{**row, "exact": False, "suppressed": []} for row in rows], False
    )
    return {**body, **summary}


async def public_institutions(figures: Figures, country: str | None) -> list[dict[str, Any]]:
    """Per country and type of institution: reached through replication only, and directly up to the allowance."""
    allowance = md.institution_allowance(await figures.microdata())
    return [
        {**cell, "direct": min(cell["direct"], allowance.get((cell["country"], cell["type"]), 0))}
        for cell in await figures.institution_reach()
        if country is None or cell["country"] == country
    ]


def _institution_summary(cells: list[dict[str, Any]]) -> dict[str, int]:
    direct = sum(cell["direct"] for cell in cells)
    replication = sum(cell["through_replication_only"] for cell in cells)
    return {"total": direct + replication, "direct": direct, "through_replication_only": replication}


# ----------------------------------------------------------------------------- others


async def applications_by_country(figures: Figures, viewer: Viewer) -> dict[str, Any]:
    """Applications submitted by country of residence: exact for who may, protected for everyone else."""
    cells = md.applications_by_country(await figures.microdata())
    by_country = {
        country: cell.value(viewer.exact_for(country))
        for country, cell in sorted(cells.items())
        if cell.value(viewer.exact_for(country))
    }
    return {"total": sum(by_country.values()), "by_country": by_country}


async def headline_figures(figures: Figures, viewer: Viewer, language: str) -> dict[str, Any]:
    """The program's headline ("N museum professionals benefited, and M institutions"), computed from the projections."""
    data = await figures.microdata()
    exact = viewer.everything
    people, by_program = md.beneficiaries(data, Filters(), "program")
    _, by_country = md.beneficiaries(data, Filters(), "country")
    if exact:
        summary, _ = await figures.institutions(Filters(), None)
    else:
        summary = _institution_summary(await public_institutions(figures, None))
    shown = people.value(exact)
    return {
        "beneficiaries": shown,
        "institutions": summary["total"],
        "institutions_direct": summary["direct"],
        "institutions_through_replication_only": summary["through_replication_only"],
        "countries": sum(1 for key, cell in by_country.items() if key != "ZZ" and cell.value(exact)),
        "by_program": {
            key: cell.value(exact) for key, cell in sorted(by_program.items()) if cell.value(exact)
        },
        "text": headline(shown, summary["total"], language),
        "language": language,
        "exact": exact,
        "protection": None if exact else PROTECTION,
    }


async def giving_records(figures: Figures, publisher: Publisher, generated: datetime) -> list[dict[str, Any]]:
    """The 360Giving records: accepted grants per call, currency and country, as the public figures count them."""
    accepted = md.accepted_grants(await figures.microdata())
    calls = {
        key: Call(call["year"], call["title_en"], call["first_award"].date() if call["first_award"] else None)
        for key, call in (await figures.calls()).items()
    }
    published = {key: (count.protected, amount.protected) for key, (count, amount) in accepted.items()}
    return giving_grants(publisher, published, calls, generated)


async def iati_indicators(source: Figures) -> list[Indicator]:
    """The IATI results, from the public figures: people per year (by country and gender), grantees per year,
    and institutions over the whole program (the public sees them only so: README)."""
    public = Viewer.public()
    years = await beneficiaries(source, public, Filters(), "year", "en")
    people: dict[Period, int | None] = {}
    dimensions: dict[Period, list[tuple[str, str, int]]] = {}
    grantees: dict[Period, int | None] = {}
    for row in years["rows"]:
        year = int(row["key"])
        period = (year, year)
        for dimension in ("country", "gender"):
            body = await beneficiaries(source, public, Filters(year=year), dimension, "en")
            people[period] = body["total"]
            dimensions.setdefault(period, []).extend(
                (dimension, cell["key"], cell["people"]) for cell in body["rows"]
            )
        grantees[period] = (
            await beneficiaries(source, public, Filters(program="training_grants", year=year), None, "en")
        )["total"]
    reached = await institutions(source, public, Filters(), None)
    whole = {(min(people)[0], max(people)[1]): reached["total"]} if people else {}
    return [
        Indicator(
            "beneficiaries",
            {
                "en": "Museum professionals trained (unique people)",
                "es": "Profesionales de museos formados (personas únicas)",
                "pt": "Profissionais de museus formados (pessoas únicas)",
            },
            people,
            dimensions,
        ),
        Indicator(
            "grantees",
            {
                "en": "Training grants accepted (unique grantees)",
                "es": "Becas de formación aceptadas (personas becadas únicas)",
                "pt": "Bolsas de formação aceitas (bolsistas únicos)",
            },
            grantees,
            {},
        ),
        Indicator(
            "institutions",
            {
                "en": "Institutions reached, directly and through replication (whole program)",
                "es": "Instituciones alcanzadas, directamente y por replicación (todo el programa)",
                "pt": "Instituições alcançadas, diretamente e por replicação (todo o programa)",
            },
            whole,
            {},
        ),
    ]
