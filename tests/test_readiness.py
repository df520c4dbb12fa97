"""Readiness: the quick test of a condition and its worded checks always agree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from silverplatter.domain.readiness import ReadinessFacts, _leaves, _leaves_hold, explain
from silverplatter.domain.scoring_model import Condition

EVERY_LEAF = Condition(
    score=20,
    grade="B",
    flag="hard_cta",
    engaged=True,
    touches=3,
    contact_seniority=["C-level", "VP"],
    contact_decision_role="decision_maker",
    engaged_contacts_at_account=2,
    roles_covered_at_account=1,
    account_score=50,
    bant="complete",
)

facts_strategy = st.builds(
    ReadinessFacts,
    tier=st.just("gold"),
    grade_level=st.integers(0, 12),
    score=st.floats(-60, 80),
    flags=st.sets(st.sampled_from(["hard_cta", "other"])).map(frozenset),
    engaged=st.booleans(),
    touches=st.integers(0, 6),
    seniority=st.sampled_from([None, "C-level", "VP", "Manager"]),
    decision_role=st.sampled_from([None, "decision_maker", "user"]),
    engaged_contacts_at_account=st.integers(0, 4),
    roles_covered_at_account=st.integers(0, 3),
    account_score=st.floats(0, 100),
    bant_complete=st.booleans(),
)


@given(facts_strategy, st.sets(st.sampled_from(sorted(EVERY_LEAF.model_fields_set)), min_size=1))
def test_the_quick_test_and_the_worded_checks_agree(facts: ReadinessFacts, keys: set[str]) -> None:
    condition = Condition(**{key: getattr(EVERY_LEAF, key) for key in keys})
    checks = _leaves(condition, facts)
    assert len(checks) == len(keys)
    assert _leaves_hold(condition, facts) == all(check.met for check in checks)
    assert explain(condition, facts) == tuple(checks)
