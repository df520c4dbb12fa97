"""Kano analysis (seed 003): which features customers expect, want more of, or would love.

Each respondent answers two questions per feature: how they would feel if
the product **had** it (functional) and if it **did not** (dysfunctional),
each on five answers — 1 like, 2 expect, 3 neutral, 4 live with, 5 dislike.
The pair is classified with the standard Kano evaluation table:

===========  ====  ======  =======  =========  =======
functional   like  expect  neutral  live with  dislike  ← dysfunctional
===========  ====  ======  =======  =========  =======
like         Q     A       A        A          O
expect       R     I       I        I          M
neutral      R     I       I        I          M
live with    R     I       I        I          M
dislike      R     R       R        R          Q
===========  ====  ======  =======  =========  =======

A attractive (excitement), O one-dimensional (performance), M must-be
(threshold), I indifferent, R reverse, Q questionable (a contradictory pair).

Per feature: the count and share of each category (shares of all answers);
the **winning** category — the most frequent, ties broken in the order
M, O, A, I, R, Q (the usual priority: a threshold need first) — and its
**margin** over the runner-up in shares (0 is a tie); the satisfaction
coefficients of Berger et al.::

    Better = (A + O) / (A + O + M + I)       (0 … 1)
    Worse  = −(O + M) / (A + O + M + I)      (−1 … 0)

(None when a feature has only R and Q answers).  Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

CATEGORIES: Final = ("M", "O", "A", "I", "R", "Q")
CATEGORY_NAMES: Final = {
    "A": "Attractive",
    "O": "One-dimensional (performance)",
    "M": "Must-be",
    "I": "Indifferent",
    "R": "Reverse",
    "Q": "Questionable",
}
ANSWERS: Final = {1: "like", 2: "expect", 3: "neutral", 4: "live with", 5: "dislike"}
#: The evaluation table: TABLE[functional − 1][dysfunctional − 1].
TABLE: Final = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)
#: Answer words (and the usual questionnaire wordings) and the number each stands for.
WORDS: Final = {
    "like": 1,
    "i like it": 1,
    "i like it that way": 1,
    "expect": 2,
    "i expect it": 2,
    "it must be that way": 2,
    "must be": 2,
    "must-be": 2,
    "neutral": 3,
    "i am neutral": 3,
    "i'm neutral": 3,
    "live with": 4,
    "live-with": 4,
    "i can live with it": 4,
    "i can live with it that way": 4,
    "tolerate": 4,
    "dislike": 5,
    "i dislike it": 5,
    "i dislike it that way": 5,
}


class BadAnswer(ValueError):
    """An answer that is not 1–5 nor one of the words."""


def answer(raw: Any) -> int:
    """1–5 from a number or a word (case and spacing ignored); :class:`BadAnswer` otherwise."""
    if isinstance(raw, bool):
        raise BadAnswer(_expected(raw))
    if isinstance(raw, int) and 1 <= raw <= 5:
        return raw
    if isinstance(raw, str):
        cleaned = re.sub(r"\s+", " ", raw.strip().lower().rstrip("."))
        if cleaned in ("1", "2", "3", "4", "5"):
            return int(cleaned)
        if cleaned in WORDS:
            return WORDS[cleaned]
    raise BadAnswer(_expected(raw))


def _expected(raw: Any) -> str:
    return f"expected 1–5 or like, expect, neutral, live with, dislike; got {raw!r}"


def classify(functional: int, dysfunctional: int) -> str:
    """The Kano category of one answer pair."""
    if not (1 <= functional <= 5 and 1 <= dysfunctional <= 5):
        raise ValueError(f"answers are 1 to 5, got {functional} and {dysfunctional}")
    return TABLE[functional - 1][dysfunctional - 1]


@dataclass(frozen=True, slots=True)
class FeatureResult:
    feature: str
    counts: dict[str, int]
    answers: int
    #: The winning category; None without answers.
    category: str | None
    runner_up: str | None
    margin: float
    better: float | None
    worse: float | None

    def share(self, category: str) -> float:
        return self.counts[category] / self.answers if self.answers else 0.0

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category] if self.category else "No answers"


def feature_result(feature: str, pairs: Iterable[tuple[int, int]]) -> FeatureResult:
    """Counts, shares, the winner with its margin, Better and Worse for one feature."""
    found = Counter(classify(f, d) for f, d in pairs)
    counts = {category: found.get(category, 0) for category in CATEGORIES}
    total = sum(counts.values())
    if not total:
        return FeatureResult(feature, counts, 0, None, None, 0.0, None, None)
    order = sorted(CATEGORIES, key=lambda c: (-counts[c], CATEGORIES.index(c)))
    first, second = order[0], order[1]
    margin = (counts[first] - counts[second]) / total
    a, o, m, i = counts["A"], counts["O"], counts["M"], counts["I"]
    base = a + o + m + i
    better = (a + o) / base if base else None
    worse = 0.0 - (o + m) / base if base else None  # 0.0 − 0 is 0.0, not −0.0
    return FeatureResult(feature, counts, total, first, second, margin, better, worse)


def evaluate(
    answers: Iterable[tuple[str, int, int]], features: Sequence[str] = ()
) -> list[FeatureResult]:
    """Every feature's result, in the order of ``features`` then of first appearance."""
    by_feature: dict[str, list[tuple[int, int]]] = {name: [] for name in features}
    for feature, functional, dysfunctional in answers:
        by_feature.setdefault(feature, []).append((functional, dysfunctional))
    return [feature_result(name, pairs) for name, pairs in by_feature.items()]


__all__ = [
    "ANSWERS",
    "CATEGORIES",
    "CATEGORY_NAMES",
    "TABLE",
    "BadAnswer",
    "FeatureResult",
    "answer",
    "classify",
    "evaluate",
    "feature_result",
]
