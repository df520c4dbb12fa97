"""Features as of a cut-off: exact values on the fixed lead world, and no leakage."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from lead_world import NOW, build_world, event
from query_plans import plan_of_last_statement
from silverplatter.domain.lifecycle import StageChange
from silverplatter.domain.predictive_features import (
    OTHER,
    OUTCOMES,
    FeatureTable,
    account_rollups,
    category_codes,
    encode,
    learn_features,
    rows_of,
)
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import active_model
from silverplatter.storage import predictive_sql
from silverplatter.storage.engagement import state_of
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle import apply_stage_changes
from silverplatter.storage.predictive_sql import FeatureQuery, account_own_events, gather
from silverplatter.storage.recompute_sql import hits_select, rule_rows
from silverplatter.storage.schema import contacts, events

CUTOFF = NOW - timedelta(days=60)

PAST = [
    event("page_view", "ceo@acme.fi", 61, url="/pricing"),
    event("page_view", "ceo@acme.fi", 100, url="/pricing"),
    event("email_open", "ceo@acme.fi", 200),
    event("email_open", "ceo@acme.fi", 500),
    event("form_submit", "ops@acme.fi", 70, cta="soft", form="guide_download"),
    event("webinar_attended", "director@pohja.fi", 80),
    event("project_announced", "@acme.fi", 65),
    event("project_announced", "@acme.fi", 200),
]
FUTURE = [
    event("page_view", "ceo@acme.fi", 10, url="/pricing"),
    event("meeting_held", "buyer@kauppa.se", 5),
    event("form_submit", "ops@acme.fi", 59.9, cta="hard", form="demo_request"),
    event("project_announced", "@acme.fi", 1),
]


def _keyed(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [{**item, "idempotency_key": f"{prefix}{n}"} for n, item in enumerate(items)]


def _query(engine: Engine, **extra: Any) -> FeatureQuery:
    with engine.begin() as connection:
        model = active_model(connection, now=NOW)
    return FeatureQuery(
        cutoff=CUTOFF,
        event_types=("page_view", "email_open", "form_submit", "meeting_held"),
        model=model,
        **extra,
    )


def _world(engine: Engine, items: list[dict[str, Any]]) -> dict[str, int]:
    with engine.begin() as connection:
        ids = build_world(connection)
        active_model(connection, now=NOW)
        ingest_events(connection, _keyed(items, "p"), now=NOW, score=False)
    return ids


def _row(table: FeatureTable, contact_id: int) -> dict[str, Any]:
    index = int(np.flatnonzero(table.contact_ids == contact_id)[0])
    return {name: values[index] for name, values in table.columns.items()}


@pytest.mark.storage
def test_behaviour_counts_windows_recency_and_account_engagement(engine: Engine) -> None:
    ids = _world(engine, PAST + FUTURE)
    with engine.connect() as connection:
        table = gather(connection, _query(engine))
    ceo = _row(table, ids["ceo@acme.fi"])
    assert [ceo[f"events.page_view.{w}"] for w in ("30d", "90d", "365d", "all")] == [1, 2, 2, 2]
    assert [ceo[f"events.email_open.{w}"] for w in ("30d", "90d", "365d", "all")] == [0, 0, 1, 2]
    assert ceo["events.meeting_held.all"] == 0
    assert ceo["events.days_since_last"] == pytest.approx(1.0)
    assert ceo["events.days_since_first"] == pytest.approx(440.0)
    assert ceo["events.all.90d"] == 2
    assert ceo["account.events.90d"] == 1
    assert ceo["account.contacts"] == 2
    assert ceo["account.engaged_contacts.90d"] == 2
    assert ceo["contact.age_days"] == pytest.approx(340.0)
    assert ceo["contact.seniority"] == "C-level"
    assert ceo["account.employees"] == 400
    assert ceo["stage_at_cutoff"] == "subscriber"
    assert ceo["grade.level"] == 12
    solo = _row(table, ids["solo@example.org"])
    assert math.isnan(solo["account.contacts"])
    assert math.isnan(solo["events.days_since_last"])
    assert solo["score.engagement"] == 0.0


@pytest.mark.storage
def test_engagement_at_the_cutoff_is_the_engines_score_then(engine: Engine) -> None:
    ids = _world(engine, PAST)
    with engine.connect() as connection:
        table = gather(connection, _query(engine))
    with engine.begin() as connection:
        recompute(connection, now=CUTOFF)
        engine_scores = dict(
            connection.execute(select(contact_scores.c.contact_id, contact_scores.c.score)).all()
        )
    for contact_id in ids.values():
        assert _row(table, contact_id)["score.engagement"] == pytest.approx(
            engine_scores[contact_id], rel=1e-9, abs=1e-9
        )
    assert engine_scores[ids["ceo@acme.fi"]] > 0


@pytest.mark.storage
def test_outcome_is_reaching_the_stage_within_the_horizon(engine: Engine) -> None:
    ids = _world(engine, PAST)
    with engine.begin() as connection:
        moves = [
            (ids["ceo@acme.fi"], "subscriber", "sql", CUTOFF + timedelta(days=10)),
            (ids["ops@acme.fi"], "subscriber", "sql", CUTOFF + timedelta(days=40)),
            (ids["director@pohja.fi"], "subscriber", "sql", CUTOFF - timedelta(days=1)),
            (ids["buyer@kauppa.se"], "subscriber", "disqualified", CUTOFF + timedelta(days=1)),
        ]
        _move(connection, moves)
    with engine.connect() as connection:
        table = gather(connection, _query(engine, outcome=OUTCOMES["sql"], horizon_days=30))
    assert table.outcome is not None
    labels = dict(zip(table.contact_ids.tolist(), table.outcome.tolist(), strict=True))
    # director was SQL before the cut-off: not an example; ops became SQL after the horizon.
    assert labels == {
        ids["ceo@acme.fi"]: 1,
        ids["ops@acme.fi"]: 0,
        ids["buyer@kauppa.se"]: 0,
        ids["cfo@unknown.co.uk"]: 0,
        ids["solo@example.org"]: 0,
    }
    stages = dict(zip(table.contact_ids.tolist(), table.columns["stage_at_cutoff"], strict=True))
    assert stages[ids["buyer@kauppa.se"]] == "subscriber"


@pytest.mark.storage
def test_the_stage_at_the_cut_off_is_read_from_the_moves_around_it(engine: Engine) -> None:
    ids = _world(engine, PAST)
    ceo, ops, director = ids["ceo@acme.fi"], ids["ops@acme.fi"], ids["director@pohja.fi"]
    cfo, buyer = ids["cfo@unknown.co.uk"], ids["buyer@kauppa.se"]
    moves = [
        (ceo, "subscriber", "lead", CUTOFF - timedelta(days=20)),
        (ceo, "lead", "mql", CUTOFF - timedelta(days=5)),
        (ceo, "mql", "sql", CUTOFF + timedelta(days=3)),
        (ceo, "sql", "sal", CUTOFF + timedelta(days=10)),
        # only later moves: the stage the first of them left, not the stage now
        (ops, "subscriber", "lead", CUTOFF + timedelta(days=2)),
        (ops, "lead", "sql", CUTOFF + timedelta(days=4)),
        # two moves at the same moment: the one recorded last counts
        (director, "subscriber", "mql", CUTOFF - timedelta(days=1)),
        (director, "mql", "recycled", CUTOFF - timedelta(days=1)),
        (cfo, "subscriber", "lead", CUTOFF),  # at the cut-off itself: already made
        (cfo, "lead", "mql", CUTOFF + timedelta(microseconds=1)),
        # two later moves at the same moment: the one recorded first left the stage
        (buyer, "subscriber", "lead", CUTOFF + timedelta(days=1)),
        (buyer, "lead", "mql", CUTOFF + timedelta(days=1)),
    ]
    with engine.begin() as connection:
        _move(connection, moves)
    with engine.connect() as connection:
        table = gather(connection, _query(engine))
        few = gather(connection, _query(engine, contact_ids=[ops]))
    stages = dict(zip(table.contact_ids.tolist(), table.columns["stage_at_cutoff"], strict=True))
    assert stages[ceo] == "mql"
    assert stages[ops] == "subscriber"
    assert stages[director] == "recycled"
    assert stages[cfo] == "lead"
    assert stages[buyer] == "subscriber"
    assert stages[ids["solo@example.org"]] == "subscriber"  # never moved: its stage now
    assert few.contact_ids.tolist() == [ops]
    assert few.columns["stage_at_cutoff"] == ["subscriber"]
    with engine.connect() as connection:
        now = dict(connection.execute(select(contacts.c.id, contacts.c.lifecycle_stage)).all())
    assert (now[ceo], now[ops], now[director], now[cfo]) == ("sal", "sql", "recycled", "mql")


def _move(connection: Any, moves: list[tuple[int, str, str, Any]]) -> None:
    for contact_id, origin, target, when in moves:
        apply_stage_changes(
            connection,
            [StageChange(contact_id, origin, target, "test", "why")],
            actor="user",
            now=when,
        )


def _equal_tables(one: FeatureTable, two: FeatureTable) -> None:
    assert one.contact_ids.tolist() == two.contact_ids.tolist()
    assert set(one.columns) == set(two.columns)
    for name, values in one.columns.items():
        other = two.columns[name]
        if isinstance(values, np.ndarray):
            assert isinstance(other, np.ndarray)
            np.testing.assert_allclose(values, other, rtol=1e-12, atol=1e-9, err_msg=name)
        else:
            assert values == other, name


future_events = st.lists(
    st.tuples(
        st.sampled_from(["page_view", "email_open", "form_submit", "meeting_held"]),
        st.sampled_from(["ceo@acme.fi", "ops@acme.fi", "buyer@kauppa.se", "@acme.fi"]),
        # at or after the cut-off (60 days ago), up to now
        st.floats(0, 60, allow_nan=False),
    ),
    min_size=1,
    max_size=12,
)


def _replace_events(engine: Engine, items: list[dict[str, Any]], prefix: str) -> None:
    with engine.begin() as connection:
        if connection.execute(select(contacts.c.id).limit(1)).first() is None:
            build_world(connection)
            active_model(connection, now=NOW)
        connection.execute(events.delete())
        ingest_events(connection, _keyed(items, prefix), now=NOW, score=False)


def _gather(engine: Engine) -> FeatureTable:
    with engine.connect() as connection:
        return gather(connection, _query(engine))


@pytest.mark.storage
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=future_events, factor=st.floats(0.0, 1.0))
def test_no_leakage_future_events_do_not_change_features(
    engine: Engine, drawn: list[tuple[str, str, float]], factor: float
) -> None:
    _replace_events(engine, PAST, "a")
    without = _gather(engine)
    future = [event(kind, who, days) for kind, who, days in drawn]
    _replace_events(engine, PAST + future, "b")
    _equal_tables(without, _gather(engine))
    # the same events moved elsewhere after the cut-off: still nothing changes
    moved = [event(kind, who, days * factor) for kind, who, days in drawn]
    _replace_events(engine, PAST + moved, "c")
    _equal_tables(without, _gather(engine))


@pytest.mark.storage
def test_an_event_just_before_the_cutoff_counts_one_at_it_does_not(engine: Engine) -> None:
    _replace_events(engine, [event("page_view", "ceo@acme.fi", 60)], "a")
    at_cutoff = _gather(engine)
    _replace_events(engine, [event("page_view", "ceo@acme.fi", 60.00001)], "b")
    before = _gather(engine)
    ceo = int(at_cutoff.contact_ids[0])
    assert _row(at_cutoff, ceo)["events.page_view.all"] == 0
    assert _row(before, ceo)["events.page_view.all"] == 1


def test_account_rollups_sum_per_account() -> None:
    rollups = account_rollups(
        np.array([3, 3, 0, 5], dtype=np.int64),
        np.array([2.0, 0.0, 4.0, math.nan]),
        np.array([10.0, 5.5, 7.0, 1.0]),
    )
    assert rollups["account.contacts"][[0, 1, 3]].tolist() == [2.0, 2.0, 1.0]
    assert rollups["account.engaged_contacts.90d"][[0, 1, 3]].tolist() == [1.0, 1.0, 0.0]
    assert rollups["account.score"][[0, 1, 3]].tolist() == [15.5, 15.5, 1.0]
    assert math.isnan(rollups["account.score"][2])


def test_categories_keep_their_codes_and_unknowns_are_missing() -> None:
    table = FeatureTable(
        np.array([1, 2, 3], dtype=np.int64),
        np.zeros(3),
        np.zeros(3, dtype=np.int64),
        {"colour": ["red", "blue", "red"], "size": np.array([1.0, math.nan, 3.0])},
        {"colour": "category", "size": "number"},
        {},
    )
    features = learn_features(table)
    assert [f.categories for f in features] == [("red", "blue"), ()]
    later = FeatureTable(
        np.array([4], dtype=np.int64),
        np.zeros(1),
        np.zeros(1, dtype=np.int64),
        {"colour": ["green"], "size": np.array([2.0])},
        table.kinds,
        {},
    )
    matrix = encode(later, features)
    assert math.isnan(matrix[0, 0]) and matrix[0, 1] == 2.0
    assert encode(table, features)[:, 0].tolist() == [0.0, 1.0, 0.0]
    assert encode(table, features).flags.f_contiguous  # each feature's values together


def test_category_codes_take_other_for_unseen_values_and_nan_for_none() -> None:
    with_other = category_codes(["b", None, "zz", "a", 7, "b"], ["a", "b", OTHER])
    assert with_other.tolist()[:1] == [1.0] and math.isnan(with_other[1])
    assert with_other.tolist()[2:] == [2.0, 0.0, 2.0, 1.0]
    without = category_codes(["7", "q"], ["7"])
    assert without[0] == 0.0 and math.isnan(without[1])
    assert category_codes([], ["a"]).shape == (0,)
    # other values are read as their text, as before: True is "True", not 1
    mixed = category_codes([1, True, 1.0, ["x"]], ["1", "True", "1.0"])
    assert mixed[:3].tolist() == [0.0, 1.0, 2.0] and math.isnan(mixed[3])


@pytest.mark.storage
def test_scoring_now_reads_the_engines_stored_score_brought_forward(engine: Engine) -> None:
    ids = _world(engine, PAST)
    later = NOW + timedelta(days=10)
    with engine.begin() as connection:
        recompute(connection, now=NOW)
        expected = {
            row.contact_id: state_of(row).score_at(later.timestamp())
            for row in connection.execute(select(contact_scores))
        }
    with engine.connect() as connection:
        table = gather(
            connection,
            FeatureQuery(
                cutoff=later,
                event_types=("page_view",),
                model=active_model_now(engine),
                current=True,
            ),
        )
    for contact_id in ids.values():
        assert _row(table, contact_id)["score.engagement"] == pytest.approx(
            expected[contact_id], rel=1e-9, abs=1e-9
        )
    assert expected[ids["ceo@acme.fi"]] > 0


def active_model_now(engine: Engine) -> Any:
    with engine.begin() as connection:
        return active_model(connection, now=NOW)


@pytest.mark.storage
def test_engagement_at_the_cutoff_ignores_touches_and_matches_the_engine(engine: Engine) -> None:
    # e-mails sent are touches (silence), not points: the cut-off's score skips them
    sent = [
        event("email_sent", who, days)
        for who in ("ceo@acme.fi", "ops@acme.fi")
        for days in (62, 90, 560)
    ]
    ids = _world(engine, PAST + sent)
    with engine.begin() as connection:
        model = active_model(connection, now=NOW)
        at = CUTOFF.timestamp()
        matched = {}
        for pseudo in (True, False):
            hits = hits_select(
                model.book,
                "contact",
                connection.dialect.name,
                now=at,
                recent_from=at,
                before=CUTOFF,
                pseudo_rules=pseudo,
            ).subquery()
            matched[pseudo] = set(connection.execute(select(hits.c.idx).distinct()).scalars())
        table = gather(connection, _query(engine))
        recompute(connection, now=CUTOFF)
        engine_scores = dict(
            connection.execute(select(contact_scores.c.contact_id, contact_scores.c.score)).all()
        )
    kinds = {row.idx: row.kind for row in rule_rows(model.book, "contact")}
    assert {kinds[idx] for idx in matched[False]} == {"rule"}
    assert {kinds[idx] for idx in matched[True] - matched[False]} == {"touch", "quiet"}
    ceo = _row(table, ids["ceo@acme.fi"])
    assert ceo["score.engagement"] == pytest.approx(engine_scores[ids["ceo@acme.fi"]], rel=1e-9)
    assert "events.email_sent.all" not in table.columns  # not among the query's types
    assert ceo["events.days_since_first"] == pytest.approx(500.0)
    assert ceo["events.all.90d"] == 4  # two page views, two e-mails sent (62 and 90 days)


@pytest.mark.storage
def test_a_type_without_columns_counts_for_recency_only(engine: Engine) -> None:
    ids = _world(engine, [event("webinar_attended", "director@pohja.fi", 75)])
    with engine.connect() as connection:
        table = gather(connection, _query(engine))
    director = _row(table, ids["director@pohja.fi"])
    assert not any(name.startswith("events.webinar_attended") for name in table.columns)
    assert director["events.days_since_last"] == pytest.approx(15.0)
    assert director["events.days_since_first"] == pytest.approx(15.0)
    assert director["events.all.90d"] == 1
    assert director["events.page_view.all"] == 0


@pytest.mark.storage
@pytest.mark.parametrize("backend", ["postgresql"])  # JIT is PostgreSQL's
def test_gathering_leaves_the_jit_setting_as_it_was(engine: Engine) -> None:
    _world(engine, PAST)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL jit = on")
        gather(connection, _query(engine))
        assert connection.exec_driver_sql("SHOW jit").scalar_one() == "on"


@pytest.mark.storage
def test_training_counts_the_most_frequent_types_found_in_the_same_pass(engine: Engine) -> None:
    # before the cut-off: page_view 2, email_open 2, form_submit 1, webinar_attended 1;
    # after it only: meeting_held — not a type the cut-off knows
    _world(engine, PAST + FUTURE)
    with engine.connect() as connection:
        query = _query(engine)
        table = gather(
            connection,
            FeatureQuery(
                cutoff=query.cutoff, event_types=(), model=query.model, most_frequent_types=3
            ),
        )
    assert table.event_types == ("email_open", "page_view", "form_submit")
    assert [name for name in table.columns if name.endswith(".all")] == [
        "events.email_open.all",
        "events.page_view.all",
        "events.form_submit.all",
    ]
    assert table.take(table.contact_ids > 0).event_types == table.event_types


@pytest.mark.storage
def test_the_accounts_own_events_are_counted_from_their_index(engine: Engine) -> None:
    """ "Account's own events, last 90 days" reads ``ix_events_account_own`` (0025)."""
    query = FeatureQuery(cutoff=NOW, event_types=())
    counted = select(account_own_events(query, None))
    plan = plan_of_last_statement(engine, lambda c: c.execute(counted).all())
    assert "ix_events_account_own" in plan, plan


@pytest.mark.storage
def test_the_grade_level_is_the_engines_and_sits_before_its_criteria(engine: Engine) -> None:
    """Summed from the criteria's columns, the level equals the engine's stored grade."""
    ids = _world(engine, PAST)
    with engine.begin() as connection:
        recompute(connection, now=NOW)
        stored = {
            contact_id: level
            for contact_id, level in connection.execute(
                select(contact_scores.c.contact_id, contact_scores.c.grade_level)
            )
        }
        table = gather(connection, _query(engine))
    levels = {int(i): table.columns["grade.level"][n] for n, i in enumerate(table.contact_ids)}
    assert levels == {contact_id: stored[contact_id] for contact_id in ids.values()}
    assert sorted(levels.values()) == [2, 2, 3, 8, 10, 12]  # the world's six profiles
    names = list(table.columns)
    assert names.index("grade.level") + 1 == names.index("grade.0")


def _graded(query: FeatureQuery, start: str, *, criteria: bool) -> FeatureQuery:
    """``query`` with its model's grading started at ``start``, its criteria kept or dropped."""
    assert query.model is not None
    grading = query.model.model.grading
    update: dict[str, Any] = {"start": start} | ({} if criteria else {"criteria": []})
    model = query.model.model.model_copy(update={"grading": grading.model_copy(update=update)})
    return replace(query, model=replace(query.model, model=model))


@pytest.mark.storage
def test_the_grade_level_is_clamped_and_stands_alone_without_criteria(engine: Engine) -> None:
    ids = _world(engine, PAST)
    query = _query(engine)
    with engine.connect() as connection:
        top = gather(connection, _graded(query, "A+", criteria=True))
        bare = gather(connection, _graded(query, "B", criteria=False))
        one = gather(connection, replace(query, contact_ids=[ids["ceo@acme.fi"]]))
    # from the top grade, every profile's criteria (+10 at most) stop at 12
    assert sorted(top.columns["grade.level"]) == [12, 12, 12, 12, 12, 12]
    assert sorted(bare.columns["grade.level"]) == [8, 8, 8, 8, 8, 8]  # B, and nothing else
    names = list(bare.columns)
    assert "grade.0" not in names
    assert names.index("grade.level") + 1 == names.index("stage_at_cutoff")
    # a few contacts: the level is summed before the others at their accounts are left out
    assert (list(one.contact_ids), list(one.columns["grade.level"])) == ([ids["ceo@acme.fi"]], [12])


@pytest.mark.storage
def test_a_full_gather_reads_beside_and_equals_a_gather_by_id(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(engine, PAST + FUTURE)
    readers: dict[str, list[Any]] = {"behaviour": [], "engagement": []}
    for name in readers:
        original = getattr(predictive_sql, f"read_{name}")

        def recorded(reader: Any, *args: Any, _o: Any = original, _n: str = name, **kw: Any) -> Any:
            readers[_n].append(reader)
            return _o(reader, *args, **kw)

        monkeypatch.setattr(predictive_sql, f"read_{name}", recorded)
    with engine.connect() as connection:
        whole = gather(connection, _query(engine))
        by_id = gather(connection, _query(engine, contact_ids=whole.contact_ids.tolist()))
    # every contact's: the engagement on a connection of its own, the grouped events too
    # on PostgreSQL (on SQLite on the caller's); a few contacts by id: the caller's
    sqlite = engine.dialect.name == "sqlite"
    assert [reader is connection for reader in readers["engagement"]] == [False, True]
    assert [reader is connection for reader in readers["behaviour"]] == [sqlite, True]
    assert len(whole) == 6
    _equal_tables(whole, by_id)


def test_rows_are_picked_by_mask_or_index_and_stay_column_major() -> None:
    matrix = np.asfortranarray(np.arange(12, dtype=np.float64).reshape(4, 3))
    mask = np.array([True, False, True, True])
    for rows in (mask, np.flatnonzero(mask)):
        picked = rows_of(matrix, rows)
        assert picked.tolist() == [[0.0, 1.0, 2.0], [6.0, 7.0, 8.0], [9.0, 10.0, 11.0]]
        assert picked.flags.f_contiguous


@pytest.mark.storage
def test_a_few_contacts_now_get_the_rollups_a_gather_of_everyone_gives(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring a few contacts now reads their rows alone and their accounts' rollups apart
    (``storage/predictive_rollups.py``); every column equals the full gather's, bit for bit
    for the rollups, which count a contact at the account that was not asked for."""
    ids = _world(engine, PAST)
    with engine.begin() as connection:  # engagement scores stored, as the engine keeps them
        recompute(connection, now=NOW)
    query = replace(_query(engine), cutoff=NOW, current=True)
    gathered: list[int] = []
    original = predictive_sql.read_columns

    def counted(connection: Any, statement: Any, numeric: Any) -> Any:
        columns = original(connection, statement, numeric)
        gathered.append(len(columns[0]))
        return columns

    monkeypatch.setattr(predictive_sql, "read_columns", counted)
    with engine.connect() as connection:
        whole = gather(connection, query)
        ceo = ids["ceo@acme.fi"]
        one = gather(connection, replace(query, contact_ids=[ceo]))
        each = [gather(connection, replace(query, contact_ids=[c])) for c in ids.values()]
    assert gathered[:2] == [6, 1]  # the one contact's profile row alone
    row = _row(one, ceo)
    assert row["account.contacts"] == 2.0  # the CEO and ops@acme.fi
    assert row["account.engaged_contacts.90d"] == 2.0
    assert row["account.score"] == _row(whole, ceo)["account.score"] > row["score.engagement"]
    for contact_id, few in zip(ids.values(), each, strict=True):
        _equal_tables(whole.take(whole.contact_ids == contact_id), few)
        for name in ("account.contacts", "account.engaged_contacts.90d", "account.score"):
            np.testing.assert_array_equal(
                few.columns[name], whole.take(whole.contact_ids == contact_id).columns[name]
            )
