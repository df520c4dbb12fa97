"""Kano classification of a fixed answer set against categories and coefficients worked out
by hand with the standard evaluation table (functional row, dysfunctional column)."""

from __future__ import annotations

import pytest

from silverplatter.domain.kano import BadAnswer, answer, classify, evaluate, feature_result

#: (feature, functional, dysfunctional) — 1 like, 2 expect, 3 neutral, 4 live with, 5 dislike.
ANSWERS = [
    # Offline mode: like/dislike ×3 → O; like/neutral ×2 → A; expect/dislike ×2 → M;
    # neutral/neutral → I; like/like → Q; dislike/like → R.
    *[("Offline mode", 1, 5)] * 3,
    *[("Offline mode", 1, 3)] * 2,
    *[("Offline mode", 2, 5)] * 2,
    ("Offline mode", 3, 3),
    ("Offline mode", 1, 1),
    ("Offline mode", 5, 1),
    # Single sign-on: expect/dislike ×4 and neutral/dislike ×2 → M ×6; like/dislike → O;
    # neutral/neutral → I.
    *[("Single sign-on", 2, 5)] * 4,
    *[("Single sign-on", 3, 5)] * 2,
    ("Single sign-on", 1, 5),
    ("Single sign-on", 3, 3),
    # Dark theme: like/neutral ×2, like/live with → A ×3; neutral/neutral ×2, live with/
    # neutral → I ×3; dislike/neutral → R.
    *[("Dark theme", 1, 3)] * 2,
    ("Dark theme", 1, 4),
    *[("Dark theme", 3, 3)] * 2,
    ("Dark theme", 4, 3),
    ("Dark theme", 5, 3),
]


def test_the_evaluation_table() -> None:
    table = [[classify(f, d) for d in range(1, 6)] for f in range(1, 6)]
    assert table == [
        ["Q", "A", "A", "A", "O"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "R", "R", "R", "Q"],
    ]
    with pytest.raises(ValueError, match="answers are 1 to 5"):
        classify(0, 3)


def test_categories_winner_margin_and_coefficients_of_a_fixed_answer_set() -> None:
    found = {r.feature: r for r in evaluate(ANSWERS)}
    assert list(found) == ["Offline mode", "Single sign-on", "Dark theme"]

    offline = found["Offline mode"]
    assert offline.counts == {"M": 2, "O": 3, "A": 2, "I": 1, "R": 1, "Q": 1}
    assert offline.answers == 10
    # O leads with 3 of 10; A and M tie at 2 and M comes first in the order M, O, A, I:
    # margin (3 − 2)/10 = 0.1.  Better (A+O)/(A+O+M+I) = 5/8; Worse −(O+M)/8 = −5/8.
    assert (offline.category, offline.runner_up) == ("O", "M")
    assert offline.margin == pytest.approx(0.1)
    assert (offline.better, offline.worse) == (0.625, -0.625)
    assert offline.share("O") == 0.3

    sso = found["Single sign-on"]
    assert sso.counts == {"M": 6, "O": 1, "A": 0, "I": 1, "R": 0, "Q": 0}
    # M 6 of 8; O and I tie at 1 (O first): margin 5/8.  Better 1/8; Worse −7/8.
    assert (sso.category, sso.runner_up, sso.margin) == ("M", "O", 0.625)
    assert (sso.better, sso.worse) == (0.125, -0.875)
    assert sso.category_name == "Must-be"

    dark = found["Dark theme"]
    assert dark.counts == {"M": 0, "O": 0, "A": 3, "I": 3, "R": 1, "Q": 0}
    # A and I tie at 3 of 7: A wins by the order, margin 0.  Better 3/6; Worse 0/6.
    assert (dark.category, dark.runner_up, dark.margin) == ("A", "I", 0.0)
    assert (dark.better, dark.worse) == (0.5, 0.0)


def test_a_feature_without_answers_or_with_only_reverse_and_questionable_ones() -> None:
    empty = evaluate([], ["Export"])[0]
    assert (empty.category, empty.answers, empty.better, empty.category_name) == (
        None,
        0,
        None,
        "No answers",
    )
    odd = feature_result("Ads", [(5, 1), (1, 1)])
    assert (odd.category, odd.runner_up, odd.better, odd.worse) == ("R", "Q", None, None)


def test_answers_are_numbers_or_words() -> None:
    assert [answer(x) for x in (1, "2", " Like ", "I expect it", "must-be", "neutral")] == [
        1,
        2,
        1,
        2,
        2,
        3,
    ]
    assert [answer(x) for x in ("I can live with it.", "LIVE  WITH", "dislike")] == [4, 4, 5]
    for bad in (0, 6, "maybe", True, None, 2.5):
        with pytest.raises(BadAnswer, match="expected 1–5 or like, expect, neutral"):
            answer(bad)
