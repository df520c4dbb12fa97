"""BANT records: completeness, the append-only history, and who is fully qualified."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import ContactFields
from silverplatter.services.qualification import (
    bant_complete_contacts,
    bant_complete_subquery,
    latest_qualification,
    record_qualification,
)
from silverplatter.services.records import upsert_contacts
from silverplatter.storage.lifecycle_schema import qualifications
from silverplatter.storage.schema import contacts

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
COMPLETE = Bant(
    budget_amount=Decimal("200000.00"),
    authority="CFO Anna decides; our contact prepares",
    need="month-end close takes three weeks",
    timeline=date(2026, 12, 31),
    current_supplier="Vendor X",
    contract_end=date(2027, 1, 31),
    satisfaction=4,
)


def test_complete_means_budget_authority_need_and_timeline() -> None:
    assert COMPLETE.is_complete
    assert COMPLETE.missing() == []
    in_words = Bant(budget="not decided", authority="CEO", need="growth", timeline=date(2027, 1, 1))
    assert in_words.is_complete
    assert Bant().missing() == [
        "budget",
        "authority (who decides)",
        "need",
        "timeline (when they intend to buy)",
    ]
    assert not Bant(authority="CEO", need="growth", timeline=date(2027, 1, 1)).is_complete


def test_blank_answers_count_as_not_given() -> None:
    bant = Bant(budget="  ", authority="\t", need=" ERP ", current_supplier="")
    assert (bant.budget, bant.authority, bant.need, bant.current_supplier) == (
        None,
        None,
        "ERP",
        None,
    )
    assert bant.missing() == [
        "budget",
        "authority (who decides)",
        "timeline (when they intend to buy)",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"satisfaction": 11}, "satisfaction: expected 0 to 10, got 11"),
        ({"satisfaction": -1}, "satisfaction: expected 0 to 10, got -1"),
        ({"budget_amount": Decimal("-5")}, "budget_amount: expected 0 or more, got -5"),
    ],
)
def test_out_of_range_answers_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=rf"^{message}$"):
        Bant(**fields)  # type: ignore[arg-type]


def test_the_latest_record_counts(engine: Engine) -> None:
    with engine.begin() as connection:
        ids = upsert_contacts(
            connection,
            [ContactFields(email="anna@nordtek.fi"), ContactFields(email="olli@nordtek.fi")],
            now=NOW,
        ).ids
        anna, olli = (int(i) for i in ids if i is not None)
        first = record_qualification(connection, anna, Bant(need="ERP"), user_id=None, now=NOW)
        second = record_qualification(
            connection, anna, COMPLETE, user_id=None, now=NOW + timedelta(days=1)
        )
        latest = latest_qualification(connection, anna)
        nothing = latest_qualification(connection, olli)
        count = len(connection.execute(select(qualifications.c.id)).all())
    assert second > first
    assert count == 2
    assert latest == COMPLETE
    assert nothing is None


def test_a_qualification_needs_a_known_contact(engine: Engine) -> None:
    with (
        engine.begin() as connection,
        pytest.raises(LookupError, match=r"^contact_id: no contact with id 42$"),
    ):
        record_qualification(connection, 42, COMPLETE, user_id=None, now=NOW)


def test_which_contacts_are_fully_qualified(engine: Engine) -> None:
    people = [ContactFields(email=f"p{n}@nordtek.fi") for n in range(5)]
    with engine.begin() as connection:
        ids = [int(i) for i in upsert_contacts(connection, people, now=NOW).ids if i is not None]
        done, lapsed, partial, by_text, never = ids
        record_qualification(connection, done, COMPLETE, user_id=None, now=NOW)
        record_qualification(connection, lapsed, COMPLETE, user_id=None, now=NOW)
        record_qualification(connection, lapsed, Bant(need="later"), user_id=None, now=NOW)
        record_qualification(connection, partial, Bant(need="ERP"), user_id=None, now=NOW)
        by_words = Bant(
            budget="in next year's plan", authority="CEO", need="ERP", timeline=date(2027, 3, 1)
        )
        record_qualification(connection, by_text, by_words, user_id=None, now=NOW)
        among = bant_complete_contacts(connection, [done, lapsed, partial, never, by_text])
        some = bant_complete_contacts(connection, [lapsed, by_text, by_text])
        complete = bant_complete_subquery()
        joined = connection.execute(
            select(contacts.c.email)
            .join(complete, complete.c.contact_id == contacts.c.id)
            .order_by(contacts.c.id)
        ).scalars()
        emails = list(joined)
    assert among == {done, by_text}
    assert some == {by_text}
    assert emails == ["p0@nordtek.fi", "p3@nordtek.fi"]
