"""The public verification page as people see it, in a real browser (Debian's headless chromium): in Spanish,
Portuguese and English (by `?lang=` or the browser's Accept-Language), at a phone's and a laptop's width, for a
valid and a revoked certificate. What it shows equals the JSON of the same URL, written for people (hours as
"12,5 h", dates in words in the certificate's stated zone); it logs no error and nothing sticks out sideways.
Screenshots are kept in .run/artefacts/verification/."""

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = pytest.mark.integration

ARTEFACTS = Path(__file__).resolve().parents[4] / ".run" / "artefacts" / "verification"
WIDTHS = (390, 1280)
# How each language is asked for: ?lang=, or only the browser's Accept-Language (weights count).
ASKED = {
    "es": ({}, {"Accept-Language": "es-MX,es;q=0.9"}),
    "pt": ({"lang": "pt"}, {"Accept-Language": "en;q=0.9"}),
    "en": ({}, {"Accept-Language": "fr-FR, pt;q=0.5, en-GB;q=0.8"}),
}
MONTHS = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}  # fmt: skip
VERDICT = {
    "valid": {"es": "Certificado válido", "pt": "Certificado válido", "en": "Valid certificate"},
    "revoked": {"es": "Certificado revocado", "pt": "Certificado revogado", "en": "Revoked certificate"},
}
ZONE = {"es": "Ciudad de México", "pt": "Cidade do México", "en": "Mexico City"}  # the run's zone (conftest)
ACCENT = (0x7A, 0x1F, 0x3D)
SHOWN = """JSON.stringify({
  lang: document.documentElement.lang,
  title: document.title,
  fields: Object.fromEntries([...document.querySelectorAll('[data-field]')].map(e => [e.dataset.field, e.textContent.trim()])),
  days: Object.fromEntries([...document.querySelectorAll('time[data-field]')].map(e => [e.dataset.field, e.getAttribute('datetime')])),
  links: [...document.querySelectorAll('a')].map(a => a.getAttribute('href')),
})"""


def in_words(day: str, language: str) -> str:
    """2027-05-21 as people write it: 21 de mayo de 2027, 21 May 2027."""
    year, month, number = (int(part) for part in day.split("-"))
    name = MONTHS[language][month - 1]
    return f"{number} {name} {year}" if language == "en" else f"{number} de {name} de {year}"


def as_hours(value: str, language: str) -> str:
    text = f"{Decimal(value).normalize():f}"
    return f"{text if language == 'en' else text.replace('.', ',')}\u00a0h"


def check_screenshot(png: bytes, width: int, name: str) -> None:
    """Kept for people to look at; the header in the program's colour shows the stylesheet applied."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / name).write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.width == width
    assert image.height > 600
    assert image.getpixel((4, 4)) == ACCENT


async def served_as_a_page_with_no_script(api: Any, code: str) -> None:
    """In the language asked for, under a policy that allows no script, with its files from this origin."""
    page = await api.http.get(
        f"{api.url}/verify/{code}", headers={"Accept": "text/html", "Accept-Language": "pt-BR"}
    )
    assert page.status_code == 200
    assert page.headers["content-language"] == "pt"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script" not in policy
    assert "<script" not in page.text
    for asset, media_type in (("verification.css", "text/css"), ("emblem.svg", "image/svg+xml")):
        served = await api.http.get(f"{api.url}/verify/assets/{asset}")
        assert served.status_code == 200
        assert served.headers["content-type"].startswith(media_type)
    assert (await api.http.get(f"{api.url}/verify/assets/secrets.txt")).status_code == 404


async def test_the_page_shows_what_the_json_says_for_people_in_three_languages_at_two_widths(
    api: Any, browser: Any
) -> None:
    valid, revoked = await api.certificates("mini_course", ["lucia", "mateus"], hours="12.5")
    reason = "Se detectó un error en el registro de asistencia"
    response = await api.http.post(
        f"{api.url}/certificates/{revoked['id']}/revoke", json={"reason": reason}, headers=api.coordinator
    )
    assert response.status_code == 200, response.text

    await served_as_a_page_with_no_script(api, valid["verification_code"])
    for state, certificate in (("valid", valid), ("revoked", revoked)):
        code = certificate["verification_code"]
        said = (await api.http.get(f"{api.url}/verify/{code}")).json()
        assert said["status"] == state
        assert said["timezone"] == "America/Mexico_City"
        for language, (query, headers) in ASKED.items():
            url = f"{api.url}/verify/{code}" + (f"?lang={query['lang']}" if query else "")
            for width in WIDTHS:
                page = await browser.open(url, width=width, extract=SHOWN, headers=headers)
                assert page.errors == [], page.errors
                assert page.overflow == [], (language, width, page.overflow)
                check_screenshot(page.screenshot, width, f"{state}-{language}-{width}.png")
                shown, days = page.values["fields"], page.values["days"]
                assert page.values["lang"] == language
                assert shown["verdict"] == VERDICT[state][language]
                assert shown["holder_name"] == said["holder_name"]
                assert shown["heading"] == said["heading"][language]
                assert shown["statement"] == said["statement"][language]
                assert shown["title"] == said["title"][language]
                assert shown["issuer"] == said["issuer"]
                assert shown["signatory_name"] == said["signatory"]["name"]
                assert shown["signatory_role"] == said["signatory"]["role"][language]
                assert shown["verification_code"] == code
                assert shown["hours"] == as_hours(said["hours"], language)
                for field in ("completed_on", "issued_on") + (("revoked_on",) if state == "revoked" else ()):
                    assert days[field] == said[field]
                    assert shown[field] == in_words(said[field], language)
                assert ZONE[language] in shown["zone"]
                if state == "revoked":
                    assert shown["revocation_reason"] == said["revocation_reason"] == reason
                    assert not any("/pdf" in link for link in page.values["links"])
                else:
                    assert "revocation_reason" not in shown
                    assert f"{code}/pdf?lang={language}" in page.values["links"]
