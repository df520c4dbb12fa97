"""Kano studies in the workspace: answers imported from CSV (words or numbers, segments),
replaced on re-import, refused with errors naming row and column, and read per feature."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from silverplatter.domain.understanding_checks import UnderstandingInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.kano_studies import (
    create_study,
    delete_study,
    get_study,
    import_answers,
    import_answers_csv,
    kano_result,
    list_studies,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = Actor(None)
CSV = """Respondent,Feature,Functional,Dysfunctional,Segment
r1,Offline mode,like,dislike,SMB
r2,Offline mode,1,5,SMB
r3,offline mode,I like it,I dislike it,Enterprise
r1,Single sign-on,expect,dislike,SMB
r2,Single sign-on,2,5,SMB
r3,Single sign-on,neutral,neutral,Enterprise
r4,Single sign-on,live with,dislike,
"""


def test_answers_are_imported_classified_and_read_per_segment(engine: Engine) -> None:
    with engine.begin() as connection:
        study = create_study(connection, {"name": "Roadmap 2026"}, actor=ACTOR, now=NOW)
        assert study.slug == "roadmap-2026"
        assert import_answers_csv(connection, study.slug, CSV, actor=ACTOR, now=NOW) == 7
    with engine.connect() as connection:
        everyone = kano_result(connection, "roadmap-2026")
        smb = kano_result(connection, "roadmap-2026", segment="SMB")
        found = get_study(connection, "roadmap-2026")
    assert (found.features, found.respondents, found.answers) == (2, 4, 7)
    assert everyone.segments == ("Enterprise", "SMB")
    offline, sso = everyone.features
    # "offline mode" is the feature first spelled "Offline mode": like/dislike ×3 → O ×3.
    assert (offline.feature, offline.counts["O"], offline.category, offline.margin) == (
        "Offline mode",
        3,
        "O",
        1.0,
    )
    # SSO: expect/dislike ×2, live with/dislike → M ×3; neutral/neutral → I.
    assert (sso.category, sso.counts["M"], sso.counts["I"], sso.better, sso.worse) == (
        "M",
        3,
        1,
        0.0,
        -0.75,
    )
    assert [(r.feature, r.answers, r.category) for r in smb.features] == [
        ("Offline mode", 2, "O"),
        ("Single sign-on", 2, "M"),
    ]


def test_a_respondent_answering_again_replaces_the_answer(engine: Engine) -> None:
    with engine.begin() as connection:
        create_study(connection, {"name": "Roadmap", "slug": "roadmap"}, actor=ACTOR, now=NOW)
        import_answers_csv(connection, "roadmap", CSV, actor=ACTOR, now=NOW)
        again = [
            {"respondent": "r3", "feature": "Offline mode", "functional": 3, "dysfunctional": "3"}
        ]
        assert import_answers(connection, "roadmap", again, actor=ACTOR, now=NOW) == 1
        result = kano_result(connection, "roadmap")
    assert result.features[0].counts["I"] == 1
    assert result.features[0].answers == 3


def test_bad_files_name_row_and_column_and_import_nothing(engine: Engine) -> None:
    with engine.begin() as connection:
        create_study(connection, {"name": "Roadmap"}, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid) as header:
            import_answers_csv(
                connection, "roadmap", "respondent;feature;answer\n", actor=ACTOR, now=NOW
            )
        with pytest.raises(UnderstandingInvalid) as rows:
            import_answers_csv(
                connection,
                "roadmap",
                "respondent,feature,functional,dysfunctional\n"
                "r1,Offline,like,maybe\n"
                ",Offline,1,1\n"
                "r2,Offline,6,1\n"
                "r3,Offline,1,5\n"
                "R3,offline,2,5\n",
                actor=ACTOR,
                now=NOW,
            )
        with pytest.raises(UnderstandingInvalid) as items:
            import_answers(
                connection, "roadmap", [{"feature": "X", "functional": 1}], actor=ACTOR, now=NOW
            )
        with pytest.raises(UnderstandingInvalid, match="segment: no answers from the segment"):
            kano_result(connection, "roadmap", segment="SMB")
        assert get_study(connection, "roadmap").answers == 0
        delete_study(connection, "roadmap", actor=ACTOR, now=NOW)
        assert list_studies(connection) == []
    assert [(e.field, e.message) for e in header.value.errors] == [
        (
            "row 1, column 3 ('answer')",
            "expected one of respondent, feature, functional, dysfunctional, segment",
        ),
        ("row 1", "missing the column functional, dysfunctional"),
    ]
    expected = "expected 1–5 or like, expect, neutral, live with, dislike; got"
    assert [(e.field, e.message) for e in rows.value.errors] == [
        ("row 2, column 'dysfunctional'", f"{expected} 'maybe'"),
        ("row 3, column 'respondent'", "required"),
        ("row 4, column 'functional'", f"{expected} '6'"),
        ("row 6, column 'respondent'", "'R3' already answered 'offline' (at 5)"),
    ]
    assert [(e.field, e.message) for e in items.value.errors] == [
        ("answers[0].respondent", "required"),
        ("answers[0].dysfunctional", f"{expected} None"),
    ]
