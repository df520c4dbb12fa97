"""The incremental path and the full recompute agree, for any sequence of events.

Hypothesis draws event sequences over the fixed world (tests/lead_world.py):
types the default model scores, pages, soft and hard forms, touches, account
trigger events, times with microseconds, duplicates of one time.  The events
are ingested in a shuffled order — late events included — in several
batches; the state is read; then everything is recomputed set-based and read
again.  Grades, scores, flags, silence, qualifications and stages must match.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, String, bindparam, select

from lead_world import EMAILS, NOW, build_world, event
from query_plans import plan_of_last_statement
from silverplatter.domain.engagement import RuleBook
from silverplatter.domain.grading import ascii_lower
from silverplatter.domain.model_file import default_model_text, parse_model
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import save_model
from silverplatter.storage.engagement import state_of
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.recompute_sql import hits_select
from silverplatter.storage.schema import accounts, contacts, events
from silverplatter.storage.scoring_sql import ascii_lower as ascii_lower_sql
from silverplatter.storage.scoring_sql import epoch_seconds, glob_match

KINDS = (
    ("page_view", {"url": "/pricing"}),
    ("page_view", {"url": "/pricing/enterprise"}),
    ("page_view", {"url": "/demo"}),
    ("page_view", {"url": "/blog/why-deliveries-slip"}),
    ("page_view", {"url": 7}),
    ("email_open", {}),
    ("email_click", {"url": "/guides/x"}),
    # a click in our mail records the whole address: rules read its path
    ("email_click", {"url": "https://seller.example/pricing/plans?utm_source=nurture"}),
    ("email_click", {"url": "HTTPS://seller.example/blog/pricing?next=/pricing"}),
    ("page_view", {"url": "https://seller.example/demo#book"}),
    ("email_sent", {}),
    ("email_unsubscribe", {}),
    ("form_submit", {"cta": "soft", "form": "guide_download"}),
    ("form_submit", {"cta": "hard", "form": "demo_request"}),
    ("webinar_attended", {}),
    ("meeting_held", {}),
    ("executive_appointed", {}),
    ("project_announced", {}),
)
WHO = (*EMAILS, "@acme.fi", "@pohja.fi")

_GOLD = """[thresholds.gold]
mql = { score = 20 }
sql = { any = [ { flag = "hard_cta" }, { contact_seniority = "C-level", score = 10 } ] }"""
#: The default model, one that scores clicks through to a path, and variants whose gold
#: thresholds read the account roll-up, so that one contact's events can change another's
#: stage.
MODELS = (
    default_model_text(),
    default_model_text().replace(
        _GOLD,
        """[thresholds.gold]
mql = { any = [ { score = 20 }, { engaged_contacts_at_account = 2 } ] }
sql = { all = [ { roles_covered_at_account = 1 }, { flag = "hard_cta" } ] }""",
    ),
    default_model_text()
    + """
[[engagement.rules]]
event = "email_click"
url_matches = "/pricing*"
points = 8
half_life_days = 14
""",
    default_model_text().replace(
        _GOLD,
        """[thresholds.gold]
mql = { account_score = 30 }
sql = { account_score = 45, contact_seniority = "C-level" }""",
    ),
)

events_strategy = st.lists(
    st.tuples(
        st.integers(0, len(KINDS) - 1),
        st.integers(0, len(WHO) - 1),
        # whole days, or a time with microseconds; repeated values give equal times
        st.one_of(st.integers(0, 130).map(float), st.floats(0, 130, allow_nan=False)),
    ),
    min_size=1,
    max_size=40,
)


def _items(drawn: list[tuple[int, int, float]]) -> list[dict[str, Any]]:
    items = []
    for number, (kind_index, who_index, days_ago) in enumerate(drawn):
        kind, properties = KINDS[kind_index]
        who = WHO[who_index]
        if kind in ("executive_appointed", "project_announced") and not who.startswith("@"):
            who = "@acme.fi"
        item = event(kind, who, days_ago, **properties)
        item["idempotency_key"] = f"e{number}"
        items.append(item)
    return items


def _snapshot(connection: Connection) -> dict[str, Any]:
    later = NOW.timestamp() + 30 * 86_400
    people = {}
    for row in connection.execute(
        select(contact_scores, contacts.c.email, contacts.c.lifecycle_stage).join(
            contacts, contacts.c.id == contact_scores.c.contact_id
        )
    ):
        state = state_of(row)
        people[row.email] = {
            "grade": row.grade,
            "score": row.score,
            "score_in_30_days": state.score_at(later),
            "flags": state.flags,
            "engaged": row.engaged,
            "touches": row.touches,
            "recent_touches": state.recent_touches,
            "last_engaged": row.last_engaged_ts,
            "silent": row.silent,
            "qualification": row.qualification,
            "needs_qualification": row.needs_qualification,
            "stage": row.lifecycle_stage,
        }
    companies = {
        row.domain: {
            "own": row.own_score,
            "contacts": row.contacts_score,
            "top": row.top_contact_score,
            "engaged": row.engaged_contacts,
            "roles": sorted(row.roles_covered),
            "score": row.score,
        }
        for row in connection.execute(
            select(account_scores, accounts.c.domain).join(
                accounts, accounts.c.id == account_scores.c.account_id
            )
        )
    }
    return {"people": people, "companies": companies}


def _same(incremental: Any, batch: Any, where: str) -> None:
    if isinstance(batch, float) and isinstance(incremental, float | int):
        assert incremental == pytest.approx(batch, rel=1e-9, abs=1e-9), where
    elif isinstance(batch, dict):
        assert set(incremental) == set(batch), where
        for key in batch:
            _same(incremental[key], batch[key], f"{where}.{key}")
    else:
        assert incremental == batch, where


DEFAULT_PERSON = {"score": 0.0, "qualification": "subscriber", "stage": "subscriber"}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=events_strategy,
    seed=st.integers(0, 2**16),
    batches=st.integers(1, 4),
    model=st.sampled_from(MODELS),
)
def test_incremental_equals_batch_for_any_order(
    engine: Engine, drawn: list[tuple[int, int, float]], seed: int, batches: int, model: str
) -> None:
    items = _items(drawn)
    random.Random(seed).shuffle(items)  # late events: earlier times arrive after later ones
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            save_model(connection, model, now=NOW)
            build_world(connection)
            size = max(1, -(-len(items) // batches))
            for start in range(0, len(items), size):
                ingest_events(connection, items[start : start + size], now=NOW)
            incremental = _snapshot(connection)
            recompute(connection, now=NOW)
            batch = _snapshot(connection)
        finally:
            transaction.rollback()
    for email, expected in batch["people"].items():
        got = incremental["people"].get(email)
        if got is None:  # never touched by an event: the defaults must be what batch says
            for key, value in DEFAULT_PERSON.items():
                assert expected[key] == value, f"{email}.{key}"
            continue
        _same(got, expected, email)
    for domain, got in incremental["companies"].items():
        _same(got, batch["companies"][domain], domain)


def test_a_late_event_gives_the_state_of_in_order_processing(engine: Engine) -> None:
    items = [
        event("page_view", "ceo@acme.fi", 1, url="/pricing"),
        event("email_click", "ceo@acme.fi", 3, url="/guides/x"),
        event("page_view", "ceo@acme.fi", 1.5, url="/blog/a"),
        event("page_view", "ceo@acme.fi", 1.5, url="/blog/b"),
        event("form_submit", "ceo@acme.fi", 8, cta="hard", form="quote_request"),
    ]
    states = []
    for order in (items, [items[4], items[0], items[2], items[1], items[3]]):
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                build_world(connection)
                for item in order:  # one event per batch: each arrives on its own
                    ingest_events(connection, [item], now=NOW)
                states.append(_snapshot(connection))
            finally:
                transaction.rollback()
    _same(states[1], states[0], "late")
    assert states[0]["people"]["ceo@acme.fi"]["stage"] == "sql"


def test_a_time_just_before_a_whole_second_is_read_the_same_by_both_paths(
    engine: Engine,
) -> None:
    # SQLite's unixepoch() rounds time text to milliseconds: 11:59:59.999700 would read
    # as 12:00:00, a second late once its microseconds are added back.
    items = [
        event("page_view", "ceo@acme.fi", 2 + 0.3e-3 / 86_400, url="/pricing"),
        event("email_click", "ceo@acme.fi", 5 + 0.5e-3 / 86_400, url="/guides/x"),
        event("webinar_attended", "ceo@acme.fi", 1 + 1.2e-3 / 86_400),  # .998800: no carry
        event("project_announced", "@acme.fi", 3 + 0.2e-3 / 86_400),
        event("executive_appointed", "@acme.fi", 1e-6 / 86_400),
    ]
    for number, item in enumerate(items):
        item["idempotency_key"] = f"s{number}"
    assert items[0]["occurred_at"].endswith("11:59:59.999700+00:00")
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            build_world(connection)
            ingest_events(connection, items, now=NOW)
            stored = connection.execute(
                select(
                    events.c.occurred_at,
                    epoch_seconds(events.c.occurred_at, connection.dialect.name),
                )
            ).all()
            incremental = _snapshot(connection)
            recompute(connection, now=NOW)
            batch = _snapshot(connection)
        finally:
            transaction.rollback()
    assert [seconds for _moment, seconds in stored] == [
        moment.timestamp() for moment, _seconds in stored
    ]
    person = incremental["people"]["ceo@acme.fi"]
    assert person["score"] > 0
    _same(person, batch["people"]["ceo@acme.fi"], "ceo@acme.fi")
    assert incremental["companies"]["acme.fi"]["own"] > 0
    _same(incremental["companies"]["acme.fi"], batch["companies"]["acme.fi"], "acme.fi")


def test_the_account_pass_reads_only_the_accounts_own_events(engine: Engine) -> None:
    """Events at an account without a contact come from ``ix_events_account_own`` (0025).

    The other account index holds every contact's event at the account too:
    reading it meant reading each of those rows to find the few without a contact.
    SQLite is told the index (``INDEXED BY``): without statistics it took the other.
    """
    book = RuleBook(parse_model(default_model_text()))
    statement = hits_select(
        book, "account", engine.dialect.name, now=NOW.timestamp(), recent_from=0
    )
    plan = plan_of_last_statement(engine, lambda c: c.execute(statement).all())
    assert "ix_events_account_own" in plan, plan


def test_every_contacts_pass_reads_the_event_table_in_order_on_sqlite(engine: Engine) -> None:
    """Through the type index, SQLite visited the rows type by type, each type's rows
    scattered over the file; a pass over every contact reads the file in order."""
    book = RuleBook(parse_model(default_model_text()))
    statement = hits_select(
        book, "contact", engine.dialect.name, now=NOW.timestamp(), recent_from=0
    )
    plan = plan_of_last_statement(engine, lambda c: c.execute(statement).all())
    if engine.dialect.name == "sqlite":
        assert "SCAN events" in plan and "USING INDEX" not in plan, plan


def test_a_pass_over_a_few_contacts_still_finds_their_events_by_index(engine: Engine) -> None:
    book = RuleBook(parse_model(default_model_text()))
    statement = hits_select(
        book,
        "contact",
        engine.dialect.name,
        now=NOW.timestamp(),
        recent_from=0,
        subjects=events.c.contact_id.in_([1, 2]),
    )
    plan = plan_of_last_statement(engine, lambda c: c.execute(statement).all())
    assert "ix_events_contact_time" in plan, plan


def test_on_sqlite_only_the_types_of_rules_with_conditions_read_the_event_row(
    engine: Engine,
) -> None:
    """The channel and properties are asked for only where a rule's condition reads them,
    so SQLite counts the other events from an index without reading their rows."""
    book = RuleBook(parse_model(default_model_text()))
    sql = str(
        hits_select(
            book,
            "contact",
            engine.dialect.name,
            now=NOW.timestamp(),
            recent_from=0,
            subjects=events.c.contact_id.in_([1]),
        ).compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    )
    if engine.dialect.name == "sqlite":  # the default model's conditions: form CTAs, page URLs
        assert "WHEN (events.type IN (?, ?)) THEN events.properties END AS properties" in sql, sql
        assert "WHEN (events.type IN (?, ?)) THEN events.channel END AS channel" in sql, sql
    else:
        assert "events.properties AS properties" in sql, sql


@pytest.mark.parametrize(
    "text", ["ÄBC Électronique", "Metal PRODUCTS", "İSTANBUL", "ǅungla", "ß-STRASSE"]
)
def test_sql_folds_only_ascii_letters_as_the_domain_does(engine: Engine, text: str) -> None:
    """The grade's case-insensitive comparisons fold A–Z and nothing else, on both backends."""
    dialect = engine.dialect.name
    value = bindparam("text", type_=String)
    with engine.connect() as connection:
        folded = connection.execute(select(ascii_lower_sql(value, dialect)), {"text": text})
        one_more = glob_match(ascii_lower_sql(value, dialect), "*?", dialect)
        matched = connection.execute(select(one_more), {"text": text})
        assert (folded.scalar_one(), matched.scalar_one()) == (ascii_lower(text), True)
