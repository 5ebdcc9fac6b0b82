"""The eligibility rules a call configures, checked automatically at submission.

Each broken rule gives a Reason: a stable code and its explanation in the program's three
languages, so that the applicant is told in their own language why.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from ibermuseos_contracts.applications import Reason
from ibermuseos_contracts.common import Modality
from ibermuseos_contracts.types import Localized

from .calls import CallTerms
from .forms import Form
from .values import money


@dataclass(frozen=True)
class History:
    """What the service knows about the applicant beyond this application."""

    other_applications_same_email: int = 0
    """Applications to the same call, submitted and not withdrawn, under another account with the same e-mail."""
    awarded_in_years: frozenset[int] = field(default_factory=frozenset)
    """Years of the calls in which the person (by account or e-mail) was awarded a grant they did not decline."""


def _reason(code: str, es: str, pt: str, en: str) -> Reason:
    return Reason(code=code, explanation=Localized(es=es, pt=pt, en=en))


def _countries(codes: Iterable[str]) -> str:
    return ", ".join(sorted(codes))


def check(terms: CallTerms, form: Form, history: History) -> list[Reason]:
    """Every eligibility rule of the call the application breaks (empty when it is eligible)."""
    reasons: list[Reason] = []
    applicant, activity = form.applicant, form.activity
    residence = applicant.country_of_residence
    if residence not in terms.eligible_residence_countries:
        eligible = _countries(terms.eligible_residence_countries)
        reasons.append(
            _reason(
                "residence_not_eligible",
                f"La convocatoria no admite residentes de {residence}. Países admitidos: {eligible}.",
                f"A convocatória não admite residentes de {residence}. Países admitidos: {eligible}.",
                f"The call does not accept residents of {residence}. Eligible countries: {eligible}.",
            )
        )
    if activity.host_country not in terms.eligible_host_countries:
        eligible = _countries(terms.eligible_host_countries)
        reasons.append(
            _reason(
                "host_country_not_eligible",
                f"La actividad se realiza en {activity.host_country}, que no es un país sede admitido ({eligible}).",
                f"A atividade é realizada em {activity.host_country}, que não é um país-sede admitido ({eligible}).",
                f"The activity is held in {activity.host_country}, which is not an eligible host country ({eligible}).",
            )
        )
    if activity.kind not in terms.eligible_activity_kinds:
        eligible = ", ".join(terms.eligible_activity_kinds)
        reasons.append(
            _reason(
                "activity_kind_not_eligible",
                f"La convocatoria no financia actividades del tipo «{activity.kind}» (admitidas: {eligible}).",
                f"A convocatória não financia atividades do tipo «{activity.kind}» (admitidas: {eligible}).",
                f"The call does not fund activities of kind '{activity.kind}' (eligible: {eligible}).",
            )
        )
    if terms.requires_mobility and (
        activity.host_country == residence or activity.modality is Modality.ONLINE
    ):
        reasons.append(
            _reason(
                "no_mobility",
                "La convocatoria financia la movilidad: la actividad debe ser presencial o híbrida y "
                "realizarse en un país distinto del de residencia.",
                "A convocatória financia a mobilidade: a atividade deve ser presencial ou híbrida e "
                "realizar-se em um país diferente do de residência.",
                "The call funds mobility: the activity must be held in person or hybrid, in a country "
                "other than the applicant's country of residence.",
            )
        )
    starts, ends = activity.starts_on, activity.ends_on
    if (
        starts is not None
        and ends is not None
        and (starts < terms.activities_from or ends > terms.activities_until)
    ):
        window = f"{terms.activities_from.isoformat()} – {terms.activities_until.isoformat()}"
        reasons.append(
            _reason(
                "activity_outside_window",
                f"La actividad ({starts.isoformat()} – {ends.isoformat()}) no cae dentro del periodo "
                f"que financia la convocatoria ({window}).",
                f"A atividade ({starts.isoformat()} – {ends.isoformat()}) não está dentro do período "
                f"financiado pela convocatória ({window}).",
                f"The activity ({starts.isoformat()} – {ends.isoformat()}) is not within the period the "
                f"call funds ({window}).",
            )
        )
    requested, cap = form.budget.total, terms.max_per_grant
    if requested > cap:
        asked, most = f"{money(requested)} {terms.currency}", f"{money(cap)} {terms.currency}"
        reasons.append(
            _reason(
                "amount_over_cap",
                f"El monto solicitado ({asked}) supera el máximo por beca ({most}).",
                f"O valor solicitado ({asked}) excede o máximo por bolsa ({most}).",
                f"The requested amount ({asked}) exceeds the maximum per grant ({most}).",
            )
        )
    if terms.requires_replication_commitment and form.replication_commitment is not True:
        reasons.append(
            _reason(
                "no_replication_commitment",
                "La convocatoria exige el compromiso de replicar lo aprendido en la institución.",
                "A convocatória exige o compromisso de replicar o aprendido na instituição.",
                "The call requires a commitment to replicate what is learned at the applicant's institution.",
            )
        )
    if history.other_applications_same_email:
        reasons.append(
            _reason(
                "duplicate_application",
                "Ya existe otra solicitud a esta convocatoria con el mismo correo electrónico: "
                "se admite una por persona.",
                "Já existe outra candidatura a esta convocatória com o mesmo e-mail: "
                "admite-se uma por pessoa.",
                "Another application to this call has the same e-mail address: one per person is allowed.",
            )
        )
    if terms.not_awarded_in_last_calls:
        window_years = range(terms.year - terms.not_awarded_in_last_calls, terms.year)
        recent = sorted(year for year in history.awarded_in_years if year in window_years)
        if recent:
            years = ", ".join(str(year) for year in recent)
            last = terms.not_awarded_in_last_calls
            reasons.append(
                _reason(
                    "recently_awarded",
                    f"La persona recibió una beca en la convocatoria {years}; no se admiten personas "
                    f"becadas en las últimas {last} convocatorias.",
                    f"A pessoa recebeu uma bolsa na convocatória {years}; não se admitem pessoas "
                    f"contempladas nas últimas {last} convocatórias.",
                    f"The applicant was awarded a grant in the {years} call; people awarded in the last "
                    f"{last} calls are not eligible.",
                )
            )
    return reasons


def coordinator_reason(explanation: Localized) -> Reason:
    """A reason a coordinator gives in screening, written by them in the three languages."""
    return Reason(code="coordinator_decision", explanation=explanation)
