"""Stages as data, named transitions and the BANT-before-SQL rule."""

from __future__ import annotations

import re

import pytest

from silverplatter.domain.lifecycle import (
    AUTOMATIC_STAGES,
    STAGE_NAMES,
    STAGES_BY_NAME,
    TRANSITIONS,
    LifecycleError,
    StageChange,
    allowed_from,
    sql_requires_bant,
    stage_change,
    transition_between,
)
from silverplatter.storage.schema import contacts


def test_stages_in_lifecycle_order() -> None:
    assert STAGE_NAMES == (
        "subscriber",
        "lead",
        "mql",
        "sql",
        "sal",
        "opportunity",
        "customer",
        "recycled",
        "disqualified",
    )
    assert STAGES_BY_NAME["sal"].label == "Accepted by sales"
    assert STAGES_BY_NAME["mql"].label == "MQL"
    assert set(AUTOMATIC_STAGES) <= set(STAGE_NAMES)


def test_contacts_table_allows_exactly_the_stages() -> None:
    (check,) = [c for c in contacts.constraints if c.name == "ck_contacts_lifecycle_stage"]
    assert tuple(re.findall(r"'(\w+)'", str(check.sqltext))) == STAGE_NAMES  # type: ignore[attr-defined]


def test_every_move_has_one_named_transition() -> None:
    moves = [(origin, step.to_stage) for step in TRANSITIONS for origin in step.from_stages]
    assert len(moves) == len(set(moves))
    for step in TRANSITIONS:
        assert step.meaning.endswith(".")
        assert {*step.from_stages, step.to_stage} <= set(STAGE_NAMES)
        assert step.to_stage not in step.from_stages


@pytest.mark.parametrize(
    ("current", "target", "name"),
    [
        ("subscriber", "lead", "become_lead"),
        ("lead", "mql", "qualify_as_mql"),
        ("mql", "sql", "hand_over_as_sql"),
        ("sql", "sal", "accept"),
        ("sal", "opportunity", "open_opportunity"),
        ("opportunity", "customer", "win"),
        ("mql", "lead", "fade"),
        ("recycled", "lead", "reengage"),
        ("recycled", "mql", "reengage_as_mql"),
        ("sal", "mql", "send_back"),
        ("customer", "recycled", "recycle"),
        ("disqualified", "recycled", "recycle"),
        ("subscriber", "disqualified", "disqualify"),
    ],
)
def test_transition_between(current: str, target: str, name: str) -> None:
    assert transition_between(current, target).name == name


def test_a_refused_move_names_both_stages_and_what_is_allowed() -> None:
    with pytest.raises(LifecycleError) as refused:
        transition_between("lead", "customer")
    assert str(refused.value) == (
        "cannot move from lead to customer; from lead the allowed moves are: "
        "qualify_as_mql → mql, hand_over_as_sql → sql, recycle → recycled, "
        "disqualify → disqualified"
    )


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ("mql", "mql", "the contact is already at stage mql"),
        ("mql", "won", "unknown stage 'won'; stages are: " + ", ".join(STAGE_NAMES)),
        ("prospect", "lead", "unknown stage 'prospect'; stages are: " + ", ".join(STAGE_NAMES)),
    ],
)
def test_refusals(current: str, target: str, message: str) -> None:
    with pytest.raises(LifecycleError, match=re.escape(message)):
        transition_between(current, target)


def test_a_customer_only_leaves_by_recycling_or_disqualifying() -> None:
    assert [step.name for step in allowed_from("customer")] == ["recycle", "disqualify"]


def test_recycling_and_disqualifying_need_a_reason() -> None:
    with pytest.raises(LifecycleError, match=r"^recycle to recycled needs a reason$"):
        stage_change(7, "mql", "recycled", "  ")
    with pytest.raises(LifecycleError, match=r"^disqualify to disqualified needs a reason$"):
        stage_change(7, "sql", "disqualified")
    assert stage_change(7, "mql", "recycled", " budget frozen until 2027 ") == StageChange(
        7, "mql", "recycled", "recycle", "budget frozen until 2027"
    )


def test_a_move_without_a_reason_records_the_transitions_meaning() -> None:
    change = stage_change(3, "sql", "sal")
    assert change == StageChange(
        3, "sql", "sal", "accept", "Sales accepted the handover and works the contact."
    )


@pytest.mark.parametrize(
    ("hard_cta", "bant_complete", "refused"),
    [(True, False, False), (True, True, False), (False, True, False), (False, False, True)],
)
def test_sql_requires_bant_without_a_hard_cta(
    hard_cta: bool, bant_complete: bool, refused: bool
) -> None:
    reason = sql_requires_bant(hard_cta, bant_complete)
    if refused:
        assert reason == (
            "without a hard call to action, a contact needs a complete BANT qualification "
            "(budget, authority, need, timeline) before becoming SQL"
        )
    else:
        assert reason is None
