"""Who may read an application: the object decides, not only the role."""

from ibermuseos_applications.application.access import is_assigned, may_read, visibility
from ibermuseos_applications.domain.calls import PanelMember
from ibermuseos_kernel.caller import Caller, Role


def test_applicants_read_their_own_and_no_one_elses(build) -> None:
    application = build.submitted(build.call(), applicant="ana", country="BR")

    assert may_read(Caller("ana", frozenset({Role.PARTICIPANT})), application)
    assert not may_read(Caller("carlos", frozenset({Role.PARTICIPANT}), "BR"), application)


def test_focal_points_read_the_submitted_applications_of_their_country_only(build) -> None:
    call = build.call()
    brazilian = build.submitted(call, country="BR")
    draft = build.draft(call, country="BR")

    assert may_read(Caller("focal", frozenset({Role.FOCAL_POINT}), "BR"), brazilian)
    assert not may_read(Caller("focal", frozenset({Role.FOCAL_POINT}), "PE"), brazilian)
    assert not may_read(Caller("focal", frozenset({Role.FOCAL_POINT}), None), brazilian)
    assert not may_read(Caller("focal", frozenset({Role.FOCAL_POINT}), "BR"), draft)


def test_coordinators_read_every_submitted_application_but_no_draft(build) -> None:
    call = build.call()
    coordinator = Caller("coord", frozenset({Role.COORDINATOR}), "MX")

    assert may_read(coordinator, build.submitted(call))
    assert not may_read(coordinator, build.draft(call))


def test_evaluators_reach_only_their_assignments(build) -> None:
    call = build.call()
    application = build.submitted(call, country="BR")
    evaluation = build.evaluation(application)
    evaluation.assign(
        [PanelMember("ev-es", "ES"), PanelMember("ev-uy", "UY")],
        application=application,
        terms=call.terms,
        now=build.now,
    )

    assert is_assigned(Caller("ev-es", frozenset({Role.EVALUATOR})), evaluation)
    assert not is_assigned(Caller("ev-pt", frozenset({Role.EVALUATOR})), evaluation)
    assert not may_read(Caller("ev-es", frozenset({Role.EVALUATOR})), application)


def test_listings_follow_the_same_rule() -> None:
    assert visibility(Caller("c", frozenset({Role.COORDINATOR}))).all_submitted
    assert visibility(Caller("f", frozenset({Role.FOCAL_POINT}), "PE")).country == "PE"
    plain = visibility(Caller("ana", frozenset({Role.PARTICIPANT}), "BR"))
    assert (plain.all_submitted, plain.country) == (False, None)
