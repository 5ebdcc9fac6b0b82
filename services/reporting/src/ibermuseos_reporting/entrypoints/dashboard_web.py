"""The dashboard: one page and its assets, all served by reporting itself (no CDN), in Spanish, Portuguese and English."""

from functools import cache
from importlib import resources
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from ..domain.disclosure import Viewer
from .web import cached_bytes

router = APIRouter(tags=["dashboard"])

ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# Everything from this origin only: a page that tried to load from a CDN would fail loudly.
CSP = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"


@cache
def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("dashboard", name).read_bytes()


@router.get("/dashboard", summary="The dashboard of the headline figures", response_class=Response)
async def dashboard(
    request: Request, lang: Annotated[Literal["es", "pt", "en"] | None, Query()] = None
) -> Response:
    language = lang or _preferred(request.headers.get("accept-language", ""))
    page = _asset("index.html").decode().replace("{lang}", language).replace("{version}", _version())
    response = cached_bytes(request, page.encode(), "text/html; charset=utf-8", Viewer.public(), max_age=60)
    response.headers["Content-Security-Policy"] = CSP
    return response


@router.get("/dashboard/assets/{name}", summary="A file of the dashboard", response_class=Response)
async def asset(request: Request, name: Annotated[str, Path(max_length=40)]) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    return cached_bytes(request, _asset(name), ASSETS[name], Viewer.public(), max_age=3600)


@cache
def _version() -> str:
    import hashlib

    return hashlib.sha256(b"".join(_asset(name) for name in sorted(ASSETS))).hexdigest()[:8]


def _preferred(header: str) -> str:
    for part in header.split(","):
        primary = part.split(";")[0].strip().split("-")[0].lower()
        if primary in ("es", "pt", "en"):
            return primary
    return "es"
