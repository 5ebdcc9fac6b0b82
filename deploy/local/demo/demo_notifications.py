"""Demo data of the notifications service."""

import httpx
from people import Urls


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    """Nothing to load yet."""


def where_to_look(urls: Urls) -> list[str]:
    return [f"in-app inbox   {urls.notifications}/inbox (with a participant's token)"]
