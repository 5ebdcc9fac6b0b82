"""The public verification page: what the certificate says and whether it holds, for people, in es, pt or en.

Styled like the reporting dashboard; everything it uses is served from here (no CDN, no script).
"""

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import Request, Response
from ibermuseos_kernel.errors import NotFound
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..adapters import certificate_texts as texts
from ..adapters import emblem

if TYPE_CHECKING:
    from .certificates import VerificationOut

ASSETS: Mapping[str, str] = {
    "verification.css": "text/css; charset=utf-8",
    "emblem.svg": "image/svg+xml",
}
LANGUAGE_NAMES = (("es", "Español"), ("pt", "Português"), ("en", "English"))
# Everything from this origin, and no script at all.
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ibermuseos_courses", "entrypoints/verification"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def asset(name: str) -> bytes:
    if name == "emblem.svg":
        return emblem.svg().encode()
    return resources.files(__package__).joinpath("verification", name).read_bytes()


@cache
def _version() -> str:
    return hashlib.sha256(b"".join(asset(name) for name in sorted(ASSETS))).hexdigest()[:8]


def page(view: "VerificationOut", language: str) -> str:
    """The page of a verification (`VerificationOut`) in `language`."""
    return (
        _environment()
        .get_template("page.html")
        .render(
            view=view,
            language=language,
            labels=texts.LABELS[language],
            languages=LANGUAGE_NAMES,
            brand=Markup(emblem.svg(colour="#fff")),  # noqa: S704 - our own drawing, no outside text in it
            hours=lambda value: texts.hours(value, language),
            day=lambda value: texts.day(value, language),
            zone=texts.dates_in(view.timezone, language),
            version=_version(),
        )
    )


def asset_response(request: Request, name: str) -> Response:
    """A file of the page, cached for a day (its URL changes with its content)."""
    if name not in ASSETS:
        raise NotFound("No such file")
    content = asset(name)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=ASSETS[name], headers=headers)
