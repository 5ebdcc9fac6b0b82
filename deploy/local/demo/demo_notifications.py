"""Demo data of the notifications service: the focal points told of new calls."""

import httpx
from people import PEOPLE, Urls, bearer

# The focal points' language and time zone (their contact comes from the demo people).
FOCAL_POINTS = {"focal_br": ("pt-BR", "America/Sao_Paulo"), "focal_pe": ("es", "America/Lima")}


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    """Name the demo focal points (PUT is idempotent: loading twice changes nothing)."""
    for person in PEOPLE:
        if person.key not in FOCAL_POINTS:
            continue
        language, timezone = FOCAL_POINTS[person.key]
        response = client.put(
            f"{urls.notifications}/focal-points/demo-{person.key}",
            headers=bearer(tokens["coordinator"]),
            json={
                "country": person.country,
                "name": person.name,
                "email": person.email,
                "preferred_language": language,
                "timezone": timezone,
            },
        )
        response.raise_for_status()
    print(f"notifications: focal points {', '.join(sorted(FOCAL_POINTS))} named")


def where_to_look(urls: Urls) -> list[str]:
    return [
        "mail sink      http://127.0.0.1:8025 (every mail the platform sent; files in .run/mail/)",
        f"in-app inbox   {urls.notifications}/inbox (with a participant's token)",
        f"deliveries     {urls.notifications}/deliveries (operator's token: failed and bounced mails)",
    ]
