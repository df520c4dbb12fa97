"""Kano answers from a survey tool's export, one row per respondent and two columns per
feature, read into the same answer pairs as the one-row-per-answer layout."""

from __future__ import annotations

import pytest

from silverplatter.domain.kano import evaluate
from silverplatter.domain.kano_import import KanoAnswer, parse_answers_csv
from silverplatter.domain.understanding_checks import UnderstandingInvalid

WIDE = (
    "Respondent;Segment;Offline mode (functional);Offline mode (dysfunctional);"
    "Single sign-on: functional;Single sign-on: dysfunctional\n"
    "r1;SMB;like;dislike;expect;dislike\n"
    "r2;SMB;1;5;;\n"
    ";;;;;\n"
    "r3;Enterprise;I like it;neutral;Neutral;5\n"
)


def _problems(content: str) -> list[tuple[str, str]]:
    with pytest.raises(UnderstandingInvalid) as error:
        parse_answers_csv(content)
    return [(e.field, e.message) for e in error.value.errors]


def test_the_wide_layout_gives_one_answer_pair_per_feature_answered() -> None:
    found = parse_answers_csv(WIDE)
    assert found == [
        KanoAnswer("r1", "Offline mode", 1, 5, "SMB"),
        KanoAnswer("r1", "Single sign-on", 2, 5, "SMB"),
        KanoAnswer("r2", "Offline mode", 1, 5, "SMB"),  # r2 left single sign-on blank
        KanoAnswer("r3", "Offline mode", 1, 3, "Enterprise"),
        KanoAnswer("r3", "Single sign-on", 3, 5, "Enterprise"),
    ]
    # Offline mode: O, O, A → O by 1 of 3; Better 3/3, Worse −2/3.  Single sign-on: M, M.
    offline, sso = evaluate((a.feature, a.functional, a.dysfunctional) for a in found)
    assert (offline.category, offline.margin, offline.better, offline.worse) == (
        "O",
        1 / 3,
        1.0,
        -2 / 3,
    )
    assert (sso.category, sso.answers, sso.better, sso.worse) == ("M", 2, 0.0, -1.0)
    # the same pairs in the one-row-per-answer layout read the same
    long = "respondent,feature,functional,dysfunctional,segment\n" + "".join(
        f"{a.respondent},{a.feature},{a.functional},{a.dysfunctional},{a.segment}\n" for a in found
    )
    assert parse_answers_csv(long) == found


def test_wide_header_problems_name_the_column() -> None:
    assert _problems("respondent,age,Offline mode (functional)\nr1,40,like\n") == [
        (
            "row 1, column 'age'",
            "expected respondent, segment or '<feature> (functional)' and "
            "'<feature> (dysfunctional)'",
        ),
        ("row 1", "'Offline mode' has no dysfunctional column ('Offline mode (dysfunctional)')"),
    ]
    assert _problems("Offline mode - functional,Offline mode - dysfunctional\nlike,dislike\n") == [
        ("row 1", "missing the column respondent")
    ]


def test_wide_row_problems_name_row_and_column_and_nothing_is_read() -> None:
    content = (
        "respondent,Offline mode (functional),Offline mode (dysfunctional)\n"
        "r1,like,\n"
        "r2,maybe,dislike\n"
        ",like,dislike\n"
        "r4,like,dislike\n"
        "R4,expect,dislike\n"
    )
    assert _problems(content) == [
        (
            "row 2, column 'Offline mode (dysfunctional)'",
            "answer both questions about 'Offline mode' or neither",
        ),
        (
            "row 3, column 'Offline mode (functional)'",
            "expected 1–5 or like, expect, neutral, live with, dislike; got 'maybe'",
        ),
        ("row 4, column 'respondent'", "required"),
        ("row 6, column 'respondent'", "'R4' answered already (at row 5)"),
    ]
    assert _problems(
        "respondent,Offline mode (functional),Offline mode (dysfunctional)\nr1,,\n"
    ) == [("file", "no answers")]
