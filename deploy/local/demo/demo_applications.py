"""Demo data of the applications service."""

import httpx
from people import Urls, bearer

DEMO_CALL_ID = "5b2f9a64-0c1e-4f6a-9d38-2f4e1c7b9a01"


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    response = client.post(
        f"{urls.applications}/applications",
        headers=bearer(tokens["ana"], "demo-ana-application"),
        json={
            "call_id": DEMO_CALL_ID,
            "call_year": 2027,
            "applicant": {
                "name": "Ana Souza",
                "email": "ana.souza@museu.example",
                "preferred_language": "pt-BR",
                "gender": "female",
                "role": "Conservadora",
                "country_of_residence": "BR",
            },
            "institution": {
                "name": "Museu Nacional",
                "type": "museum",
                "city": "Rio de Janeiro",
                "country": "BR",
            },
            "activity": {
                "title": "Curso internacional de conservación preventiva",
                "organiser": "INAH",
                "kind": "course",
                "host_country": "MX",
                "host_city": "Ciudad de México",
                "starts_on": "2027-05-10",
                "ends_on": "2027-05-21",
                "modality": "in_person",
            },
            "requested": {"amount": "1800.00", "currency": "USD"},
            "motivation": "Levar a conservação preventiva para o acervo etnográfico do museu.",
            "replication_commitment": True,
        },
    )
    response.raise_for_status()
    print(f"applications: demo application {response.json()['id']}")
