"""Demo data of the reporting service."""

import httpx
from people import Urls


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    """Nothing to load yet."""


def where_to_look(urls: Urls) -> list[str]:
    return [f"figures        {urls.reporting}/figures/applications"]
