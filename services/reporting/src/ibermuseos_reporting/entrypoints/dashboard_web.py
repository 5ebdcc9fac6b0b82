"""The dashboard: one page and its assets, all served by reporting itself (no CDN), in Spanish, Portuguese and English."""

import gzip
import hashlib
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from ibermuseos_kernel.errors import NotFound
from ibermuseos_platform.inputs import Line

from ..domain.disclosure import Viewer
from .web import cached_bytes

router = APIRouter(tags=["dashboard"])

JS = "text/javascript; charset=utf-8"
ASSETS = {
    "dashboard.js": ("dashboard.js", JS),
    "charts.js": ("charts.js", JS),
    "map.js": ("map.js", JS),
    "texts.js": ("texts.js", JS),
    "dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    "favicon.svg": ("favicon.svg", "image/svg+xml"),
    # Vendored unedited from npm (vendor/VENDOR.md says which versions and their sha256).
    "d3.min.js": ("vendor/d3.min.js", JS),
    "topojson-client.min.js": ("vendor/topojson-client.min.js", JS),
    "countries-50m.json": ("vendor/countries-50m.json", "application/json"),
}
# Everything from this origin only: a page that tried to load from a CDN, run an inline script or
# be framed by another site would fail loudly.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSET_MAX_AGE = 86_400
"""Assets are named with the page's version (`?v=`), so a day of caching never mixes two versions."""


@cache
def _asset(name: str) -> bytes:
    path, _ = ASSETS[name]
    return resources.files(__package__).joinpath("dashboard", *path.split("/")).read_bytes()


@cache
def _gzipped(name: str) -> bytes:
    return gzip.compress(_asset(name), compresslevel=6, mtime=0)


@router.get("/dashboard", summary="The dashboard of the program's figures", response_class=Response)
async def dashboard(
    request: Request, lang: Annotated[Literal["es", "pt", "en"] | None, Query()] = None
) -> Response:
    language = lang or _preferred(request.headers.get("accept-language", ""))
    page = _page().replace("{lang}", language)
    response = cached_bytes(request, page.encode(), "text/html; charset=utf-8", Viewer.public(), max_age=60)
    # The platform's edge adds the headers every answer carries; the page's own policy is its own.
    response.headers["Content-Security-Policy"] = CSP
    return response


@router.get("/dashboard/assets/{name}", summary="A file of the dashboard", response_class=Response)
async def asset(request: Request, name: Annotated[Line, Path(max_length=40)]) -> Response:
    if name not in ASSETS:
        raise NotFound("No such file of the dashboard")
    media_type = ASSETS[name][1]
    compress = media_type != "image/svg+xml" and "gzip" in request.headers.get("accept-encoding", "")
    content = _gzipped(name) if compress else _asset(name)
    response = cached_bytes(request, content, media_type, Viewer.public(), max_age=ASSET_MAX_AGE)
    if compress:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Authorization, Accept-Encoding"
    return response


@cache
def _page() -> str:
    return _asset_text("index.html").replace("{version}", _version())


def _asset_text(name: str) -> str:
    return resources.files(__package__).joinpath("dashboard", name).read_text()


@cache
def _version() -> str:
    return hashlib.sha256(b"".join(_asset(name) for name in sorted(ASSETS))).hexdigest()[:8]


def _preferred(header: str) -> str:
    for part in header.split(","):
        primary = part.split(";")[0].strip().split("-")[0].lower()
        if primary in ("es", "pt", "en"):
            return primary
    return "es"
