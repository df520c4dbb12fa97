"""Reading scoring model files: the default is valid; every error names its line and field."""

from __future__ import annotations

import pytest

from silverplatter.domain.grades import describe_step, parse_step, threshold_level
from silverplatter.domain.model_file import ModelInvalid, default_model_text, parse_model

GOOD = """\
[model]
name = "Small"

[[grading.criteria]]
field = "contact.seniority"
in = ["C-level"]
match = "+2/3"

[[engagement.rules]]
event = "page_view"
points = 1

[[engagement.rules]]
event = "form_submit"
cta = "hard"
points = 40
flag = "hard_cta"

[thresholds.default]
mql = { score = 20 }
sql = { flag = "hard_cta" }
"""


def _errors(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(text)
    return [(error.line, error.field, error.message) for error in caught.value.errors]


def test_the_shipped_default_model_is_valid() -> None:
    model = parse_model(default_model_text())
    assert model.model.name == "B2B default"
    assert len(model.grading.criteria) == 6 and len(model.engagement.rules) == 13
    assert model.half_life(1) == 14.0 and model.half_life(0) == 45.0
    assert model.rule_name(6) == "asked for contact, a demo or a quote"
    assert model.rule_name(0) == "page_view"


def test_a_small_model_falls_back_to_the_default_thresholds() -> None:
    model = parse_model(GOOD)
    assert model.thresholds.for_tier("bronze").mql.score == 20
    assert model.silence is None


def test_a_wrong_value_names_its_line_and_field() -> None:
    text = GOOD.replace("points = 40", 'points = "forty"')
    assert _errors(text) == [
        (
            16,
            "engagement.rules.1.points",
            "Input should be a valid number, unable to parse string as a number",
        )
    ]


def test_an_unknown_key_is_an_error_not_ignored() -> None:
    text = GOOD.replace('cta = "hard"', 'cat = "hard"')
    assert _errors(text) == [(15, "engagement.rules.1.cat", "unknown key 'cat'")]


def test_an_unknown_grading_field_lists_the_known_ones() -> None:
    line, field, message = _errors(GOOD.replace("contact.seniority", "contact.shoe_size"))[0]
    assert (line, field) == (5, "grading.criteria.0.field")
    assert message.startswith("unknown field 'contact.shoe_size'; expected one of")


def test_inline_threshold_errors_point_at_their_line() -> None:
    text = GOOD.replace("mql = { score = 20 }", 'mql = { score = 20, grade = "Q" }')
    assert _errors(text) == [
        (20, "thresholds.default.mql.grade", "expected a grade such as A+, B or D-, got 'Q'")
    ]


def test_a_syntax_error_names_its_line() -> None:
    [(line, field, message)] = _errors(GOOD.replace('name = "Small"', 'name = "Small'))
    assert (line, field) == (2, "syntax")
    assert "line 2" in message


def test_missing_thresholds_for_a_tier_are_named() -> None:
    text = GOOD.replace("[thresholds.default]", "[thresholds.gold]")
    [(line, field, message)] = _errors(text)
    assert (line, field) == (19, "thresholds")
    assert message.startswith("no thresholds for tier silver, bronze, unclassified")


def test_two_caps_on_one_rule_are_refused() -> None:
    text = GOOD.replace("points = 1\n", "points = 1\ncap_per_day = 5\ncap_per_week = 9\n")
    [(line, field, message)] = _errors(text)
    assert (line, field, message) == (
        9,
        "engagement.rules.0",
        "give cap_per_day or cap_per_week, not both",
    )


@pytest.mark.parametrize(
    ("step", "thirds", "words"),
    [("+2/3", 2, "+2/3"), ("-1", -3, "-1"), (0, 0, "0"), ("+4/3", 4, "+1 1/3"), (1, 3, "+1")],
)
def test_grade_steps_are_thirds_of_a_letter(step: str | int, thirds: int, words: str) -> None:
    assert parse_step(step) == thirds
    assert describe_step(thirds) == words


def test_a_plain_letter_threshold_includes_its_minus_grade() -> None:
    assert threshold_level("B") == 7  # B- counts as B
    assert threshold_level("B+") == 9
    assert threshold_level("F") == 0
