"""The dashboard's files: served by the service itself, vendored unedited, and nothing run or loaded from elsewhere."""

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from ibermuseos_platform.problems import install_problem_handlers
from ibermuseos_reporting.entrypoints import dashboard_web

DASHBOARD = Path(dashboard_web.__file__).parent / "dashboard"
VENDOR = DASHBOARD / "vendor"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(dashboard_web.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as http:
        yield http


def test_every_vendored_file_is_the_one_vendor_md_names_with_its_licence() -> None:
    listed = dict(
        re.findall(r"^\| `([^`]+)` \| [^|]+ \| [^|]+ \| [^|]+ \| `([0-9a-f]{64})` \|$", _vendor_md(), re.M)
    )
    on_disk = {path.name for path in VENDOR.iterdir()} - {"VENDOR.md"}
    assert set(listed) == on_disk
    for name, sha256 in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == sha256, name
    packages = set(re.findall(r"^\| `[^`]+` \| ([a-z0-9-]+) \|", _vendor_md(), re.M))
    assert {f"{package}.LICENSE" for package in packages} <= on_disk


async def test_the_page_runs_only_its_own_files_under_a_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/dashboard", params={"lang": "en"})
    page = response.text
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert re.findall(r"\sstyle=|\son[a-z]+=", page) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", page) == []


async def test_every_file_the_page_names_is_served_and_compressed_for_who_asks(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/dashboard")).text
    named = re.findall(r"\"(/dashboard/assets/[^\"?]+)(?:\?v=[0-9a-f]+)?\"", page)
    assert {"/dashboard/assets/d3.min.js", "/dashboard/assets/countries-50m.json"} <= set(named)
    for path in named:
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, path
        compressed = await client.get(path, headers={"Accept-Encoding": "gzip, br"})
        if path.endswith(".svg"):
            continue
        assert compressed.headers["content-encoding"] == "gzip", path
        assert compressed.content == plain.content  # httpx undoes the gzip
        assert compressed.num_bytes_downloaded < len(plain.content) / 2, path
    assert (await client.get("/dashboard/assets/secrets.env")).status_code == 404


@pytest.mark.parametrize(
    ("query", "accept", "lang"),
    [
        ({}, "pt-BR,pt;q=0.9", "pt"),
        ({}, "fr, en;q=0.5", "en"),
        ({}, "de", "es"),
        ({"lang": "en"}, "pt", "en"),
    ],
)
async def test_the_page_speaks_the_language_asked_for(
    client: httpx.AsyncClient, query: dict[str, str], accept: str, lang: str
) -> None:
    page = (await client.get("/dashboard", params=query, headers={"Accept-Language": accept})).text
    assert f'<html lang="{lang}">' in page
    assert f'data-lang="{lang}"' in page


def _vendor_md() -> str:
    return (VENDOR / "VENDOR.md").read_text()
