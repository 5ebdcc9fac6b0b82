"""Matching spellings of one institution: normalisation, known abbreviations, suggestions."""

import pytest
from ibermuseos_reporting.domain.institutions import (
    Abbreviation,
    Candidate,
    InvalidAbbreviation,
    check_abbreviation,
    expand,
    institution_id,
    name_quality,
    normalise,
    spelling_key,
    suggest_duplicates,
)

MNA = Abbreviation("MNA", "Museo Nacional de Antropología", "MX", "Ciudad de México")


def test_case_accents_and_punctuation_do_not_make_another_institution() -> None:
    spellings = [
        "Museo Nacional de Antropología",
        "MUSEO NACIONAL DE ANTROPOLOGIA",
        "museo nacional, de antropología.",
    ]
    assert {normalise(name) for name in spellings} == {"museo nacional de antropologia"}


def test_dotted_initials_and_shortened_words_are_read_whole() -> None:
    assert normalise("M.N.A.") == "mna"
    assert normalise("Museo Nac. de Antropología") == "museo nacional de antropologia"


def test_a_spelling_is_identified_within_its_city_and_country() -> None:
    assert spelling_key("MX", "Ciudad de México", "MNA") == "MX|ciudad de mexico|mna"
    assert spelling_key("MX", "CIUDAD DE MEXICO", "M.N.A.") == spelling_key("MX", "Ciudad de México", "MNA")
    assert spelling_key("CL", "Santiago", "MNBA") != spelling_key("AR", "Buenos Aires", "MNBA")


def test_a_known_abbreviation_is_spelt_out_only_in_its_city_and_country() -> None:
    assert expand("mna", "MX", "ciudad de mexico", [MNA]) == "museo nacional de antropologia"
    assert expand("mna", "MX", "guadalajara", [MNA]) == "mna"
    assert expand("mna", "ES", "ciudad de mexico", [MNA]) == "mna"


def test_an_abbreviation_of_the_city_wins_over_one_of_the_whole_country() -> None:
    country_wide = Abbreviation("MNA", "Museo Nacional de Arte", "MX")
    assert expand("mna", "MX", "ciudad de mexico", [country_wide, MNA]) == "museo nacional de antropologia"
    assert expand("mna", "MX", "puebla", [country_wide, MNA]) == "museo nacional de arte"


def test_an_abbreviation_must_be_one_word_other_than_the_name() -> None:
    with pytest.raises(InvalidAbbreviation) as invalid:
        check_abbreviation(Abbreviation("M N A", "M.N.A.", "MX"))
    assert invalid.value.problems == [
        "abbreviation: must be a single word, e.g. MNA",
    ]
    with pytest.raises(InvalidAbbreviation) as same:
        check_abbreviation(Abbreviation("MNA", "M.N.A.", "MX"))
    assert same.value.problems == ["name: is the abbreviation itself"]
    check_abbreviation(MNA)


def test_the_institution_id_of_a_key_is_stable_and_the_one_postgres_computes() -> None:
    # SELECT md5('MX|ciudad de mexico|museo nacional de antropologia')::uuid
    key = "MX|ciudad de mexico|museo nacional de antropologia"
    assert institution_id(key) == institution_id(key)
    assert str(institution_id("abc")) == "90015098-3cd2-4fb0-d696-3f7d28e17f72"


def test_the_best_written_spelling_is_shown() -> None:
    assert name_quality("Museo Nacional de Antropología") > name_quality("MUSEO NACIONAL DE ANTROPOLOGIA")
    assert name_quality("Museo Nacional de Antropología") > name_quality("Museo Nacional de Antropologia")


def test_alike_names_of_one_city_are_suggested_for_merging() -> None:
    a, b, c = (
        Candidate(institution_id("1"), "museo de arte moderno"),
        Candidate(institution_id("2"), "museo arte moderno"),
        Candidate(institution_id("3"), "archivo historico municipal"),
    )
    pairs = suggest_duplicates([a, b, c])
    assert [(first, second) for first, second, _ in pairs] == [(a, b)]
