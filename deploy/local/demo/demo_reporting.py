"""Demo data of the reporting service: it reads its figures from the public events of the others;
here only a known abbreviation is taught to institution matching (idempotent: a fixed key, and 409 is fine)."""

import httpx
from people import Urls, bearer


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    response = client.post(
        f"{urls.reporting}/institutions/abbreviations",
        headers=bearer(tokens["coordinator"], "demo-reporting-abbreviation-mhn"),
        json={
            "abbreviation": "MHN",
            "name": "Museu Histórico Nacional",
            "country": "BR",
            "city": "Rio de Janeiro",
        },
    )
    if response.status_code not in (201, 409):
        response.raise_for_status()
    print("reporting: institution matching knows MHN (Museu Histórico Nacional, Rio de Janeiro)")


def where_to_look(urls: Urls) -> list[str]:
    return [
        f"dashboard      {urls.reporting}/dashboard   (?lang=es|pt|en)",
        f"headline       {urls.reporting}/figures/headline?lang=en",
        f"figures        {urls.reporting}/figures/beneficiaries?by=country   (also institutions, grants, courses; .csv)",
        f"freshness      {urls.reporting}/freshness",
        f"open data      {urls.reporting}/open-data/iati-activity.xml   {urls.reporting}/open-data/360giving.json",
    ]
