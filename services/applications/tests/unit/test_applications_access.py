"""Who may read an application: the object decides, not only the role."""

from ibermuseos_applications.application.access import Actor, is_assigned, may_read, visibility
from ibermuseos_applications.domain.calls import PanelMember


def test_applicants_read_their_own_and_no_one_elses(build) -> None:
    application = build.submitted(build.call(), applicant="ana", country="BR")

    assert may_read(Actor("ana", frozenset({"participant"})), application)
    assert not may_read(Actor("carlos", frozenset({"participant"}), "BR"), application)


def test_focal_points_read_the_submitted_applications_of_their_country_only(build) -> None:
    call = build.call()
    brazilian = build.submitted(call, country="BR")
    draft = build.draft(call, country="BR")

    assert may_read(Actor("focal", frozenset({"focal_point"}), "BR"), brazilian)
    assert not may_read(Actor("focal", frozenset({"focal_point"}), "PE"), brazilian)
    assert not may_read(Actor("focal", frozenset({"focal_point"}), None), brazilian)
    assert not may_read(Actor("focal", frozenset({"focal_point"}), "BR"), draft)


def test_coordinators_read_every_submitted_application_but_no_draft(build) -> None:
    call = build.call()
    coordinator = Actor("coord", frozenset({"coordinator"}), "MX")

    assert may_read(coordinator, build.submitted(call))
    assert not may_read(coordinator, build.draft(call))


def test_evaluators_reach_only_their_assignments(build) -> None:
    call = build.call()
    application = build.submitted(call, country="BR")
    application.assign(
        [PanelMember("ev-es", "ES"), PanelMember("ev-uy", "UY")], terms=call.terms, now=build.now
    )

    assert is_assigned(Actor("ev-es", frozenset({"evaluator"})), application)
    assert not is_assigned(Actor("ev-pt", frozenset({"evaluator"})), application)
    assert not may_read(Actor("ev-es", frozenset({"evaluator"})), application)


def test_listings_follow_the_same_rule() -> None:
    assert visibility(Actor("c", frozenset({"coordinator"}))).all_submitted
    assert visibility(Actor("f", frozenset({"focal_point"}), "PE")).country == "PE"
    plain = visibility(Actor("ana", frozenset({"participant"}), "BR"))
    assert (plain.all_submitted, plain.country) == (False, None)
