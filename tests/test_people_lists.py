"""People lists: CSV imports of followers and NPS answers, matched at import, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from lost_lead_world import NOW, account, contact, user
from silverplatter.domain.people_lists import PeopleListError
from silverplatter.services.audit import Actor
from silverplatter.services.mining.social_followers import section as social_followers
from silverplatter.services.people_lists import (
    delete_people_list,
    import_people_list,
    people_lists,
)
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.planning_schema import people_list_entries
from silverplatter.storage.planning_schema import people_lists as lists_table


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        mia = user(c, "Mia Marketing", role="marketing")
        acme = account(c, "Acme Oy", domain="acme.example")
        beta = account(c, "Beta Group", domain="beta.example")
        account(c, "Twin")
        account(c, "twin")  # two accounts of one name: the name matches neither
        ann = contact(c, "Ann@Acme.example", account_id=acme, first="Ann")
        lee = contact(
            c,
            "lee@elsewhere.example",
            account_id=beta,
            linkedin_url="https://www.linkedin.com/in/lee-l",
        )
    return {"mia": mia, "acme": acme, "beta": beta, "ann": ann, "lee": lee}


def _file(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _entries(engine: Engine) -> list[tuple[object, ...]]:
    e = people_list_entries.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                e.email,
                e.full_name,
                e.company,
                e.linkedin_url,
                e.handle,
                e.score,
                e.comment,
                e.answered_at,
                e.contact_id,
                e.account_id,
            ).order_by(e.id)
        )
        return [tuple(row) for row in rows]


def test_an_nps_survey_is_matched_to_contacts_and_accounts(engine: Engine, tmp_path: Path) -> None:
    ids = _world(engine)
    path = _file(
        tmp_path,
        "E-mail;Full name;Company;NPS;Comment;Answered at;Segment\n"
        "ann@acme.example;Ann A;Acme Oy;9;Great support;2026-01-15;A\n"
        "bo@beta.example;Bo B;;3;Too slow;2026-01-16 10:30;B\n"
        ";Cy C;ACME OY;7;;;C\n"
        "dee@free.example;Dee D;Twin;10;;;D\n",
    )
    imported = import_people_list(
        engine,
        path,
        kind="nps_survey",
        name="NPS January",
        actor=Actor(ids["mia"]),
        now=NOW,
    )
    assert (imported.entries, imported.matched_contacts, imported.matched_accounts) == (4, 1, 3)
    assert imported.ignored_columns == ("Segment",)
    assert _entries(engine) == [
        (
            "ann@acme.example",
            "Ann A",
            "Acme Oy",
            None,
            None,
            9,
            "Great support",
            datetime(2026, 1, 15, tzinfo=UTC),
            ids["ann"],
            ids["acme"],
        ),
        (
            "bo@beta.example",
            "Bo B",
            None,
            None,
            None,
            3,
            "Too slow",
            datetime(2026, 1, 16, 10, 30, tzinfo=UTC),
            None,
            ids["beta"],
        ),
        (None, "Cy C", "ACME OY", None, None, 7, None, None, None, ids["acme"]),
        ("dee@free.example", "Dee D", "Twin", None, None, 10, None, None, None, None),
    ]
    with engine.connect() as connection:
        listed = people_lists(connection)
        audited = connection.execute(select(audit_log.c.action, audit_log.c.subject)).all()
    assert [
        (p.name, p.kind, p.source, p.entries, p.matched_contacts, p.unmatched) for p in listed
    ] == [("NPS January", "nps_survey", "list.csv", 4, 1, 1)]
    assert listed[0].imported_by == "Mia Marketing"
    assert [tuple(row) for row in audited] == [
        ("people_list.imported", f"people list {imported.list_id}")
    ]


def test_followers_match_by_linkedin_and_join_first_and_last_names(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _world(engine)
    path = _file(
        tmp_path,
        "first_name,last_name,LinkedIn,handle,company\n"
        "Lee,L,HTTPS://linkedin.com/in/Lee-L/,@lee,\n"
        "Max,M,,@max,Beta Group\n",
    )
    imported = import_people_list(
        engine, path, kind="social_followers", name="LinkedIn followers", actor=Actor(None), now=NOW
    )
    assert (imported.matched_contacts, imported.matched_accounts) == (1, 2)
    assert [(row[1], row[3], row[4], row[8], row[9]) for row in _entries(engine)] == [
        ("Lee L", "https://www.linkedin.com/in/lee-l", "@lee", ids["lee"], ids["beta"]),
        ("Max M", None, "@max", None, ids["beta"]),
    ]


def test_a_follower_is_tied_by_name_at_the_account_and_is_no_lost_lead(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _world(engine)
    with engine.begin() as c:
        ben = contact(c, "ben@beta.example", account_id=ids["beta"], first="Ben", last="Berg")
    path = _file(
        tmp_path,
        "name,company\n BEN berg ,Beta Group\nBen Berg,Acme Oy\nUna Unknown,Beta Group\n",
    )
    imported = import_people_list(
        engine, path, kind="social_followers", name="Followers", actor=Actor(None), now=NOW
    )
    assert (imported.entries, imported.matched_contacts, imported.matched_accounts) == (3, 1, 3)
    assert [(row[1], row[8], row[9]) for row in _entries(engine)] == [
        ("BEN berg", ben, ids["beta"]),
        ("Ben Berg", None, ids["acme"]),  # another Ben Berg: not at his account
        ("Una Unknown", None, ids["beta"]),
    ]
    with engine.connect() as connection:
        followers = social_followers(connection, now=NOW, limit=10)
    assert [c.contact_name for c in followers.candidates] == ["Ben Berg", "Una Unknown"]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (
            "nps_survey",
            "email,score\na@x.example,9\nb@x.example,eleven\n",
            "row 3, score: expected a whole number from 0 to 10, got 'eleven'",
        ),
        (
            "nps_survey",
            "email,score\na@x.example,11\n",
            "row 2, score: expected a whole number from 0 to 10, got 11",
        ),
        (
            "nps_survey",
            "email,score\na@x.example,\n",
            "row 2, score: an NPS answer needs its score",
        ),
        ("social_followers", "email,name\nnot-an-address,Al\n", "row 2, email: 'not-an-address'"),
        (
            "social_followers",
            "name,linkedin_url\nAl,https://example.com/al\n",
            "row 2, linkedin_url: 'https://example.com/al' is not a LinkedIn URL",
        ),
        (
            "social_followers",
            "name,answered_at\nAl,someday\n",
            "row 2, answered_at: expected a date such as 2026-01-31, got 'someday'",
        ),
        (
            "social_followers",
            "name,company\n,Acme\n",
            "row 2, email: the row says nothing about who",
        ),
        ("social_followers", "company,score\nAcme,5\n", "the file has no column saying who"),
        ("nps_survey", "email,comment\na@x.example,hi\n", "an NPS survey needs a score column"),
        ("social_followers", "email\n", "list.csv has a header but no rows"),
        ("members", "email\na@x.example\n", "kind: expected one of social_followers, nps_survey"),
    ],
)
def test_a_bad_file_or_row_is_refused_and_nothing_is_written(
    engine: Engine, tmp_path: Path, kind: str, text: str, message: str
) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(PeopleListError) as refused:
        import_people_list(engine, path, kind=kind, name="Bad", actor=Actor(None), now=NOW)
    assert str(refused.value).startswith(message)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(lists_table)).scalar() == 0


def test_a_list_is_deleted_with_its_entries(engine: Engine, tmp_path: Path) -> None:
    _world(engine)
    path = _file(tmp_path, "email\nann@acme.example\nzed@z.example\n")
    imported = import_people_list(
        engine, path, kind="social_followers", name="X followers", actor=Actor(None), now=NOW
    )
    with engine.begin() as connection:
        delete_people_list(connection, imported.list_id, actor=Actor(None), now=NOW)
        with pytest.raises(PeopleListError, match="list_id: no people list"):
            delete_people_list(connection, imported.list_id, actor=Actor(None), now=NOW)
        assert people_lists(connection) == []
        count = select(func.count()).select_from(people_list_entries)
        assert connection.execute(count).scalar() == 0
