"""Demo data of the courses service: the three kinds of offering, with runs in several states.

- a training course whose run takes enrolments (Ana holds a seat),
- a mini course whose run ended and was closed: Ana and a cohort of 48 museum workers from
  eight countries completed it and hold certificates, Carlos did not (the run ends a few
  seconds after loading, so loading waits for it once),
- a conversatorio in progress (Carlos attends) and another one announced for later,
- a draft offering only coordinators see.

Loading again changes nothing: each offering is looked up by its title first, and a run is
scheduled only for an offering that has none.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from people import Urls, bearer, cohort


def _text(es: str, pt: str, en: str) -> dict[str, str]:
    return {"es": es, "pt": pt, "en": en}


OFFERINGS: list[dict[str, Any]] = [
    {
        "kind": "training_course",
        "title": _text(
            "Conservación preventiva de colecciones",
            "Conservação preventiva de acervos",
            "Preventive conservation of collections",
        ),
        "description": _text(
            "Curso de formación de ocho semanas sobre el control del ambiente, plagas y riesgos.",
            "Curso de formação de oito semanas sobre controle ambiental, pragas e riscos.",
            "An eight-week training course on environment control, pests and risks.",
        ),
        "subject_area": "conservation",
        "hours": "40",
        "completion": {"min_attendance_rate": "0.75", "pass_mark": "60"},
        "publish": True,
    },
    {
        "kind": "mini_course",
        "title": _text(
            "Gestión de riesgos en museos", "Gestão de riscos em museus", "Risk management in museums"
        ),
        "description": _text(
            "Mini Curso Ibermuseos de Capacitación: planes de emergencia para museos pequeños.",
            "Minicurso Ibermuseos de Capacitação: planos de emergência para museus pequenos.",
            "Ibermuseos Mini Course: emergency plans for small museums.",
        ),
        "subject_area": "management",
        "hours": "6",
        "publish": True,
    },
    {
        "kind": "conversatorio",
        "title": _text("El museo del futuro", "O museu do futuro", "The museum of the future"),
        "description": _text(
            "Conversatorio sobre el presente y el futuro de los museos iberoamericanos.",
            "Conversatório sobre o presente e o futuro dos museus ibero-americanos.",
            "A conversatorio on the present and future of Ibero-American museums.",
        ),
        "subject_area": "engagement",
        "hours": "2",
        "certificate": True,
        "publish": True,
    },
    {
        "kind": "conversatorio",
        "title": _text(
            "Museos y comunidades indígenas",
            "Museus e comunidades indígenas",
            "Museums and Indigenous communities",
        ),
        "description": _text(
            "Conversatorio con curadoras indígenas.",
            "Conversatório com curadoras indígenas.",
            "A conversatorio with Indigenous curators.",
        ),
        "subject_area": "mediation",
        "hours": "2",
        "certificate": False,
        "publish": True,
    },
    {
        "kind": "mini_course",
        "title": _text(
            "Públicos digitales (borrador)", "Públicos digitais (rascunho)", "Digital audiences (draft)"
        ),
        "description": _text("En preparación.", "Em preparação.", "In preparation."),
        "subject_area": "communication",
        "hours": "8",
    },
]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"courses demo: {response.request.method} {response.request.url}: {response.text}")
    return response.json()


def _institution(country: str, city: str, name: str) -> dict[str, str]:
    return {"name": name, "type": "museum", "city": city, "country": country}


def load(client: httpx.Client, urls: Urls, tokens: dict[str, str]) -> None:
    base = urls.courses
    coordinator = bearer(tokens["coordinator"])
    existing = {
        o["title"]["es"]: o
        for o in _ok(client.get(f"{base}/offerings?limit=200", headers=coordinator))["items"]
    }
    offerings = {}
    for spec in OFFERINGS:
        title = spec["title"]["es"]
        offerings[title] = existing.get(title) or _ok(
            client.post(f"{base}/offerings", json=spec, headers=coordinator)
        )
    now = datetime.now(UTC).replace(microsecond=0)

    def schedule(
        title: str, sessions: list[tuple[datetime, datetime]], **details: Any
    ) -> dict[str, Any] | None:
        offering = offerings[title]
        runs = _ok(client.get(f"{base}/runs", params={"offering_id": offering["id"]}, headers=coordinator))
        if runs["items"]:
            return None
        body = {
            "offering_id": offering["id"],
            "sessions": [{"starts_at": _iso(s), "ends_at": _iso(e)} for s, e in sessions],
            "instructors": ["demo-instructor"],
            **details,
        }
        created: dict[str, Any] = _ok(client.post(f"{base}/runs", json=body, headers=coordinator))
        return created

    def enrol(
        run: dict[str, Any], who: str, country: str, city: str, museum: str, language: str
    ) -> dict[str, Any]:
        body = {
            "preferred_language": language,
            "timezone": "America/Sao_Paulo" if country == "BR" else "America/Lima",
            "country": country,
            "institution": _institution(country, city, museum),
        }
        enrolled: dict[str, Any] = _ok(
            client.post(f"{base}/runs/{run['id']}/enrolments", json=body, headers=bearer(tokens[who]))
        )
        return enrolled

    # A training course taking enrolments for next year, with a quota per country.
    start = (now + timedelta(days=120)).replace(hour=14, minute=0, second=0)
    training = schedule(
        "Conservación preventiva de colecciones",
        [(start + timedelta(weeks=w), start + timedelta(weeks=w, hours=3)) for w in range(8)],
        timezone="America/Mexico_City",
        modality="hybrid",
        venue={"name": "Museo Nacional de Antropología", "city": "Ciudad de México", "country": "MX"},
        language="es",
        capacity=25,
        quota_per_country=5,
        enrolment_opens_at=_iso(now - timedelta(days=1)),
        enrolment_closes_at=_iso(start - timedelta(days=14)),
    )
    if training:
        enrol(training, "ana", "BR", "Rio de Janeiro", "Museu Nacional", "pt-BR")

    # A mini course that ends a few seconds from now, evaluated and certified when it is closed.
    ends = now + timedelta(seconds=15)
    mini = schedule(
        "Gestión de riesgos en museos",
        [(now - timedelta(days=2, hours=2), now - timedelta(days=2)), (now - timedelta(hours=2), ends)],
        timezone="America/Lima",
        modality="online",
        language="es",
        capacity=60,
        enrolment_opens_at=_iso(now - timedelta(days=10)),
        enrolment_closes_at=_iso(ends - timedelta(seconds=1)),
        eligible_countries=["BR", "PE", "MX", "CO", "CL", "AR", "UY", "PT"],
    )
    if mini:
        ana = enrol(mini, "ana", "BR", "Rio de Janeiro", "Museu Nacional", "pt-BR")
        carlos = enrol(mini, "carlos", "PE", "Cusco", "Museo Inka", "es")
        # A cohort from eight countries who all complete it: enough people for public figures.
        completers = [ana["id"]]
        for member in cohort():
            body = {
                "preferred_language": member.language,
                "timezone": member.timezone,
                "gender": member.gender,
                "country": member.country,
                "institution": _institution(member.country, member.city, member.museum),
            }
            enrolment = _ok(
                client.post(
                    f"{base}/runs/{mini['id']}/enrolments", json=body, headers=bearer(tokens[member.key])
                )
            )
            completers.append(enrolment["id"])
        instructor = bearer(tokens["instructor"])
        for index, session in enumerate(mini["sessions"]):
            marks = [{"enrolment_id": enrolment_id, "present": True} for enrolment_id in completers]
            marks.append({"enrolment_id": carlos["id"], "present": index == 0})
            _ok(
                client.put(
                    f"{base}/runs/{mini['id']}/sessions/{session['session_id']}/attendance",
                    json={"records": marks},
                    headers=instructor,
                )
            )
        time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 0.5)
        closed = _ok(client.post(f"{base}/runs/{mini['id']}/close", headers=coordinator))
        print(f"courses: closed a demo mini course run, {closed['certificates_issued']} certificates issued")

    # A conversatorio under way (enrolment still open) and one announced for later.
    conversation = schedule(
        "El museo del futuro",
        [
            (now - timedelta(hours=1), now + timedelta(hours=1)),
            (now + timedelta(days=7), now + timedelta(days=7, hours=2)),
        ],
        timezone="America/Bogota",
        modality="online",
        language="es",
        capacity=500,
        enrolment_opens_at=_iso(now - timedelta(days=5)),
        enrolment_closes_at=_iso(now + timedelta(days=7)),
    )
    if conversation:
        enrol(conversation, "carlos", "PE", "Cusco", "Museo Inka", "es")
    later = (now + timedelta(days=60)).replace(hour=16, minute=0, second=0)
    schedule(
        "Museos y comunidades indígenas",
        [(later, later + timedelta(hours=2))],
        timezone="America/La_Paz",
        modality="online",
        language="es",
        capacity=300,
        enrolment_opens_at=_iso(later - timedelta(days=30)),
        enrolment_closes_at=_iso(later),
    )
    certificates = _ok(client.get(f"{base}/certificates", headers=bearer(tokens["ana"])))
    for certificate in certificates["items"]:
        print(f"courses: Ana's certificate, verify at {base}/verify/{certificate['verification_code']}")
