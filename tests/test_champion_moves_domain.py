"""The rules that recognise a person at a new account, and what makes them a champion."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from silverplatter.domain.champion_moves import (
    ChampionFacts,
    PersonRecord,
    champion_reasons,
    display_name,
    due_on,
    find_match,
    fold_name,
    linkedin_key,
    linkedin_stored_forms,
    name_key,
    name_lookup_forms,
    opening_title,
    risk_title,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
T1 = datetime(2025, 6, 1, tzinfo=UTC)
T2 = datetime(2026, 1, 1, tzinfo=UTC)
DOMAINS = {"old.example": 1, "new.example": 2, "third.example": 3}


def person(
    contact_id: int,
    account_id: int | None,
    email: str,
    *,
    first: str | None = "Jane",
    last: str | None = "Doe",
    linkedin: str | None = None,
    at: datetime = T0,
) -> PersonRecord:
    return PersonRecord(contact_id, account_id, email, first, last, linkedin, at)


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("https://www.linkedin.com/in/jane-doe", "jane-doe"),
        ("http://linkedin.com/in/Jane-Doe/", "jane-doe"),
        ("linkedin.com/in/jane-doe?trk=x", "jane-doe"),
        ("https://fi.linkedin.com/in/JANE-DOE/details/experience/", "jane-doe"),
        ("  https://WWW.LinkedIn.com/in/j%C3%B6rg-m  ", "jörg-m"),
        ("https://www.linkedin.com/company/acme", None),
        ("https://example.com/in/jane-doe", None),
        ("", None),
        (None, None),
    ],
)
def test_linkedin_profiles_reduce_to_their_slug(raw: str | None, slug: str | None) -> None:
    assert linkedin_key(raw) == slug


def test_a_profile_is_looked_up_under_its_stored_spellings() -> None:
    assert linkedin_stored_forms("jane-doe") == ("https://www.linkedin.com/in/jane-doe",)
    assert linkedin_stored_forms("jörg-m") == (
        "https://www.linkedin.com/in/j%c3%b6rg-m",
        "https://www.linkedin.com/in/jörg-m",
    )


def test_names_compare_without_case_accents_or_extra_spaces() -> None:
    assert fold_name("  Jörg   Müller ") == "jorg muller"
    assert name_key("ANNA", "Öberg") == name_key("anna", "oberg") == ("anna", "oberg")
    assert name_key("Anna", None) is None
    assert name_key("  ", "Öberg") is None
    assert name_lookup_forms("Müller") == ("muller", "müller")
    assert name_lookup_forms("Straße") == ("strasse", "straße")


def test_the_same_linkedin_profile_at_another_account_matches() -> None:
    old = person(1, 1, "jane@old.example", linkedin="https://www.linkedin.com/in/jane-doe")
    new = person(2, 2, "jd@gmail.example", first="J.", linkedin="linkedin.com/in/Jane-Doe/", at=T1)
    found = find_match(new, [old, new], domain_accounts=DOMAINS)
    assert found is not None
    assert (found.earlier.contact_id, found.matched_by) == (1, "linkedin")


def test_name_and_a_new_domain_owned_by_the_new_account_match() -> None:
    old = person(1, 1, "jane@old.example")
    new = person(2, 2, "jane.doe@new.example", first="JANE", last="  doé", at=T1)
    found = find_match(new, [old], domain_accounts=DOMAINS)
    assert found is not None and found.matched_by == "name_domain"


@pytest.mark.parametrize(
    ("new", "why"),
    [
        (person(2, 2, "jane@old.example", at=T1), "same e-mail domain"),
        (person(2, 2, "jane@gmail.example", at=T1), "domain belongs to no account"),
        (person(2, 2, "jane@third.example", at=T1), "domain belongs to another account"),
        (person(2, 2, "jane@new.example", first=None, at=T1), "no first name"),
        (person(2, 2, "jane@new.example", last="Dough", at=T1), "another last name"),
        (person(2, 1, "jane@new.example", at=T1), "same account"),
        (person(2, None, "jane@new.example", at=T1), "no account"),
        (person(0, 2, "jane@new.example", at=T0), "created before the other record"),
        (
            person(2, 2, "jane@new.example", linkedin="linkedin.com/in/jane-doe-2", at=T1),
            "different LinkedIn profiles: a look-alike",
        ),
    ],
)
def test_look_alikes_do_not_match(new: PersonRecord, why: str) -> None:
    old = person(1, 1, "jane@old.example", linkedin="https://www.linkedin.com/in/jane-doe")
    assert find_match(new, [old], domain_accounts=DOMAINS) is None, why


def test_a_name_at_several_other_accounts_or_a_crowded_name_is_ambiguous() -> None:
    first = person(1, 1, "jane@old.example")
    second = person(3, 3, "jane@third.example")
    new = person(9, 2, "jane@new.example", at=T1)
    assert find_match(new, [first, second], domain_accounts=DOMAINS) is None
    crowded = frozenset({("jane", "doe")})
    assert find_match(new, [first], domain_accounts=DOMAINS, crowded_names=crowded) is None


def test_linkedin_beats_a_name_and_the_latest_earlier_record_wins() -> None:
    by_profile = person(1, 1, "old@old.example", first="X", linkedin="linkedin.com/in/jane-doe")
    by_name = person(3, 3, "jane@third.example", at=T1)
    new = person(9, 2, "jane@new.example", linkedin="linkedin.com/in/jane-doe", at=T2)
    found = find_match(new, [by_name, by_profile], domain_accounts=DOMAINS)
    assert found is not None and (found.earlier.contact_id, found.matched_by) == (1, "linkedin")
    older = person(4, 3, "j@third.example", linkedin="linkedin.com/in/jane-doe", at=T1)
    found = find_match(new, [by_profile, older], domain_accounts=DOMAINS)
    assert found is not None and found.earlier.contact_id == 4
    same_time = person(5, 1, "k@old.example", linkedin="linkedin.com/in/jane-doe", at=T0)
    found = find_match(new, [same_time, by_profile], domain_accounts=DOMAINS)
    assert found is not None and found.earlier.contact_id == 5


def test_champion_reasons_are_named_and_a_plain_move_has_none() -> None:
    assert champion_reasons(ChampionFacts()) == ()
    assert champion_reasons(ChampionFacts(decision_role="user", score=59.9)) == ()
    facts = ChampionFacts(
        decision_role="economic_buyer",
        lifecycle_stage="opportunity",
        score=60.0,
        open_or_won_opportunities=2,
        handed_over=True,
    )
    assert champion_reasons(facts) == (
        "decision role economic buyer",
        "lifecycle stage OPPORTUNITY",
        "2 open or won opportunities",
        "handed over to sales",
        "score 60",
    )
    assert champion_reasons(ChampionFacts(open_or_won_opportunities=1)) == (
        "1 open or won opportunity",
    )


def test_task_words_and_due_dates() -> None:
    assert display_name(" Jane ", "Doe", "j@x.example") == "Jane Doe"
    assert display_name(None, " ", "j@x.example") == "j@x.example"
    assert risk_title("Jane Doe", "Old Oy", "New AB") == "risk: Jane Doe left Old Oy for New AB"
    assert opening_title("Jane Doe", "Old Oy", "New AB") == (
        "opening: Jane Doe joined New AB from Old Oy, who knew us at Old Oy"
    )
    assert due_on(True, date(2026, 3, 2)) == date(2026, 3, 4)
    assert due_on(False, date(2026, 3, 2)) == date(2026, 3, 16)
