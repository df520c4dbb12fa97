"""The one filter definition: each filter alone, combined, every sort paged by cursor."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy import event as sql_event

from records_world import build
from silverplatter.domain.record_filters import AccountFilter, ContactFilter, Cursor, CursorError
from silverplatter.storage import contact_search_plan, record_search
from silverplatter.storage.record_lists import account_page, contact_page

ANNA, PEKKA, ERIK, SARA, OLA, LONE = (
    "anna@nordtek.fi",
    "pekka@nordtek.fi",
    "erik@vasa-energi.se",
    "sara@vasa-energi.se",
    "ola@bergendata.no",
    "lone@example.com",
)


def _emails(engine: Engine, owned_by: int | None = None, **asked: Any) -> list[str]:
    with engine.connect() as connection:
        page = contact_page(connection, ContactFilter(**asked), owned_by=owned_by)
    return [row.email for row in page.rows]


def _walk(engine: Engine, limit: int, **asked: Any) -> list[list[str]]:
    """Every page of a contact list, following the ``next`` cursor."""
    pages: list[list[str]] = []
    after = None
    with engine.connect() as connection:
        while True:
            page = contact_page(
                connection, ContactFilter(**asked, limit=limit, after=after), owned_by=None
            )
            pages.append([row.email for row in page.rows])
            if page.next is None:
                return pages
            after = page.next


FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, [LONE, SARA, PEKKA, ERIK, OLA, ANNA]),
    ({"q": "nordtek"}, [PEKKA, ANNA]),
    ({"q": "BERG"}, [SARA, OLA]),
    ({"q": "erik lind"}, [ERIK]),
    ({"q": "Lind  Erik"}, [ERIK]),
    ({"q": "vir"}, [ANNA]),
    ({"q": "irtanen"}, []),  # the start of a word, not any part of it
    ({"q": "ola@"}, [OLA]),
    ({"q": "vasa-energi.se"}, [SARA, ERIK]),
    ({"q": "_"}, []),
    ({"q": "%"}, []),
    ({"q": "' OR 1=1 --"}, []),
    ({"stage": "mql"}, [ANNA]),
    ({"grade": "B"}, [PEKKA, ERIK, ANNA]),
    ({"grade": "B+"}, [ERIK, ANNA]),
    ({"tier": "gold"}, [PEKKA, ANNA]),
    ({"min_score": 50}, [ERIK, ANNA]),
    ({"country": "se"}, [SARA, ERIK]),
    ({"decision_role": "champion"}, [PEKKA]),
    ({"consent": "given"}, [ERIK, ANNA]),
    ({"consent": "confirmed"}, [ANNA]),
    ({"consent": "withdrawn"}, [PEKKA]),
    ({"consent": "none"}, [LONE, SARA, OLA]),
    ({"country": "FI", "grade": "B", "min_score": 50}, [ANNA]),
    ({"tier": "gold", "consent": "withdrawn"}, [PEKKA]),
    ({"q": "vasa", "stage": "sql", "decision_role": "economic_buyer"}, [ERIK]),
]


def test_each_filter_alone_and_combined(engine: Engine) -> None:
    build(engine)
    answers = [(asked, _emails(engine, **asked)) for asked, _ in FILTERS]
    assert answers == FILTERS


def test_owner_and_account_filters(engine: Engine) -> None:
    ids = build(engine)
    assert _emails(engine, owner=ids["sales"]) == [ERIK]
    assert _emails(engine, account=ids["vasa-energi.se"]) == [SARA, ERIK]


SORTS: list[tuple[dict[str, Any], int, list[list[str]]]] = [
    ({"sort": "name"}, 4, [[LONE, SARA, PEKKA, ERIK], [OLA, ANNA]]),
    ({"sort": "name", "direction": "desc"}, 4, [[ANNA, OLA, ERIK, PEKKA], [SARA, LONE]]),
    # equal scores go by id; contacts without a score come last, in id order
    ({"sort": "score"}, 2, [[ANNA, ERIK], [SARA, PEKKA], [LONE, OLA]]),
    ({"sort": "score"}, 3, [[ANNA, ERIK, SARA], [PEKKA, LONE, OLA]]),
    ({"sort": "score", "direction": "asc"}, 4, [[PEKKA, SARA, ERIK, ANNA], [OLA, LONE]]),
    ({"sort": "created"}, 4, [[LONE, OLA, SARA, ERIK], [PEKKA, ANNA]]),
    ({"sort": "created", "direction": "asc"}, 5, [[ANNA, PEKKA, ERIK, SARA, OLA], [LONE]]),
    ({"sort": "updated", "direction": "asc"}, 3, [[ANNA, PEKKA, ERIK], [SARA, OLA, LONE]]),
    ({"sort": "score", "min_score": 40}, 2, [[ANNA, ERIK], [SARA, PEKKA]]),
    ({"sort": "name"}, 6, [[LONE, SARA, PEKKA, ERIK, OLA, ANNA]]),
]


def test_sorts_page_by_cursor_in_exact_order(engine: Engine) -> None:
    build(engine)
    answers = [(asked, limit, _walk(engine, limit, **asked)) for asked, limit, _ in SORTS]
    assert answers == SORTS


def test_a_common_search_pages_like_a_rare_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every search, planned as a common one (each alternative's own page, merged)
    and walked page by page in every sort, gives what the rare plan gives."""
    build(engine)
    searches = [asked for asked, _ in FILTERS if "q" in asked] + [{"q": "n"}, {"q": "b"}]
    orders = [{"sort": "name"}, {"sort": "name", "direction": "desc"}, {"sort": "score"}]
    orders += [{"sort": "created", "direction": "asc"}, {"sort": "updated"}]
    expected = [_walk(engine, 2, **asked, **order) for asked in searches for order in orders]
    monkeypatch.setattr(contact_search_plan, "FEW_MATCHES", 0)
    planned_common = [_walk(engine, 2, **asked, **order) for asked in searches for order in orders]
    assert planned_common == expected
    # "n": Nordtek Oy's Pekka Korhonen and Anna Virtanen, Ola Nordmann; by last name
    assert expected[-10] == [[PEKKA, OLA], [ANNA]]
    # "b": Sara Berg, and Ola at Bergen Data AS
    assert expected[-5] == [[SARA, OLA]]


def test_a_prefix_is_a_range_where_strings_sort_by_code_point_and_like_gives_the_same(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite and the tests' PostgreSQL (C.UTF-8) test a prefix as an index range; LIKE,
    used under any other collation, finds the same contacts for every search, rare or common."""
    build(engine)
    with engine.connect() as connection:
        assert record_search.prefix_test(connection) == "range"
    searches = [asked for asked, _ in FILTERS if "q" in asked]
    as_ranges = [(asked, _emails(engine, **asked)) for asked in searches]
    assert as_ranges == [(asked, found) for asked, found in FILTERS if "q" in asked]
    monkeypatch.setattr(contact_search_plan, "prefix_test", lambda connection: "like")
    assert [(asked, _emails(engine, **asked)) for asked in searches] == as_ranges
    monkeypatch.setattr(contact_search_plan, "FEW_MATCHES", 0)
    assert [(asked, _emails(engine, **asked)) for asked in searches] == as_ranges


def test_sales_sees_its_own_contacts_and_its_accounts_contacts(engine: Engine) -> None:
    ids = build(engine)
    assert _emails(engine, owned_by=ids["sales"]) == [PEKKA, ERIK, ANNA]
    assert _emails(engine, owned_by=ids["sales"], q="vasa") == [ERIK]
    with engine.connect() as connection:
        page = account_page(connection, AccountFilter(), owned_by=ids["sales"])
    assert [row.name for row in page.rows] == ["Nordtek Oy"]


def test_account_filters_and_sorts(engine: Engine) -> None:
    build(engine)

    def names(**asked: Any) -> list[str]:
        with engine.connect() as connection:
            page = account_page(connection, AccountFilter(**asked), owned_by=None)
        return [row.name for row in page.rows]

    assert names() == ["Bergen Data AS", "Nordtek Oy", "Vasa Energi AB"]
    assert names(sort="score") == ["Nordtek Oy", "Vasa Energi AB", "Bergen Data AS"]
    assert names(sort="score", direction="asc") == [
        "Vasa Energi AB",
        "Nordtek Oy",
        "Bergen Data AS",
    ]
    assert names(q="ENERGI.SE") == ["Vasa Energi AB"]
    assert names(tier="bronze") == ["Bergen Data AS"]
    assert names(status="customer") == ["Vasa Energi AB"]
    assert names(country="fi", industry="manufacturing") == ["Nordtek Oy"]
    assert names(min_score=100) == ["Nordtek Oy"]
    with engine.connect() as connection:
        first = account_page(connection, AccountFilter(limit=2), owned_by=None)
        assert [row.contacts for row in first.rows] == [1, 2]
        second = account_page(connection, AccountFilter(limit=2, after=first.next), owned_by=None)
    assert [row.name for row in second.rows] == ["Vasa Energi AB"] and second.next is None


def test_a_cursor_belongs_to_its_sort() -> None:
    cursor = Cursor("name", "asc", ("berg", "sara", 4)).encode()
    assert ContactFilter(after=cursor).cursor() == Cursor("name", "asc", ("berg", "sara", 4))
    with pytest.raises(CursorError, match="sorted by name asc, not by score desc"):
        ContactFilter(after=cursor, sort="score").cursor()
    with pytest.raises(ValidationError, match="after"):
        ContactFilter(after="not a cursor")


def test_a_tampered_cursor_is_refused(engine: Engine) -> None:
    build(engine)
    forged = Cursor("created", "desc", ("yesterday", 1)).encode()
    with engine.connect() as connection, pytest.raises(CursorError):
        contact_page(connection, ContactFilter(sort="created", after=forged), owned_by=None)


def test_blank_form_fields_mean_not_given() -> None:
    chosen = ContactFilter.model_validate({"q": " ", "sort": "", "limit": "", "stage": ""})
    assert (chosen.q, chosen.sort, chosen.limit, chosen.stage) == (None, "name", 50, None)
    with pytest.raises(ValidationError, match="sort"):
        ContactFilter.model_validate({"sort": "' OR 1=1 --"})
    with pytest.raises(ValidationError, match="limit"):
        ContactFilter(limit=201)


def test_a_common_e_mail_prefix_in_name_order_reads_names_from_the_e_mail_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the e-mail alternative's page is read through (e-mail, last, first),
    whatever the statistics say; on PostgreSQL, which has no hint, its matches are
    gathered from their range before they are sorted."""
    build(engine)
    monkeypatch.setattr(contact_search_plan, "FEW_MATCHES", 0)
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    with engine.connect() as connection:
        sql_event.listen(connection, "before_cursor_execute", capture)
        page = contact_page(connection, ContactFilter(q="pe", sort="name"), owned_by=None)
        sql_event.remove(connection, "before_cursor_execute", capture)
        hinted = [(sql, args) for sql, args in seen if "INDEXED BY" in sql]
        if engine.dialect.name == "sqlite":
            assert len(hinted) == 1, seen
            sql, args = hinted[0]
            assert "FROM contacts INDEXED BY ix_contacts_email_name" in sql
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, args)
            )
            assert "USING INDEX ix_contacts_email_name" in plan, plan
        else:
            assert hinted == []
            # gathered from the e-mail range first, then sorted (no hint on PostgreSQL)
            gathered = [sql for sql, _args in seen if "AS gathered" in sql]
            assert len(gathered) == 1, seen
            assert "OFFSET" in gathered[0]
    assert [row.email for row in page.rows] == [PEKKA]


def test_the_e_mail_range_is_read_first_only_for_a_search_alone_and_only_as_a_range(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another condition (a filter, a salesperson's scope) the database chooses the
    index, which may find far fewer rows; under LIKE there is no range to read first."""
    ids = build(engine)
    monkeypatch.setattr(contact_search_plan, "FEW_MATCHES", 0)
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    def emails(owned_by: int | None = None, **asked: Any) -> list[str]:
        with engine.connect() as connection:
            sql_event.listen(connection, "before_cursor_execute", capture)
            page = contact_page(connection, ContactFilter(**asked), owned_by=owned_by)
            sql_event.remove(connection, "before_cursor_execute", capture)
        return [row.email for row in page.rows]

    assert emails(q="pe", sort="name", country="FI") == [PEKKA]
    assert emails(owned_by=ids["sales"], q="pe", sort="name") == [PEKKA]
    monkeypatch.setattr(contact_search_plan, "prefix_test", lambda connection: "like")
    assert emails(q="pe", sort="name") == [PEKKA]
    assert not [sql for sql in seen if "INDEXED BY" in sql or "AS gathered" in sql], seen
