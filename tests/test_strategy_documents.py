"""Strategy documents: core questions (3 × 7–10 bullets), SWOT, PEST, the target customer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.domain.strategy import lines, parse_body
from silverplatter.services.audit import Actor
from silverplatter.services.strategy_documents import (
    CORE_QUESTIONS,
    create_document,
    delete_document,
    document_at,
    document_history,
    find_document,
    get_document,
    list_documents,
    restore_document,
    save_core_questions,
    save_document,
)
from silverplatter.storage.access_schema import audit_log
from web_world import NOW, seed_users


def core_questions(bullets: int = 7) -> dict[str, Any]:
    return {
        "questions": [
            {
                "question": f"Question {n}?",
                "why": [f"Why {n}.{b}" for b in range(1, bullets + 1)],
                "how": [f"How {n}.{b}" for b in range(1, bullets + 1)],
            }
            for n in (1, 2, 3)
        ]
    }


def _errors(error: pytest.ExceptionInfo[DocumentInvalid]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def test_core_questions_need_three_questions_of_seven_to_ten_bullets() -> None:
    assert len(parse_body("core_questions", core_questions(10)).questions) == 3  # type: ignore[union-attr]
    body = core_questions()
    body["questions"][0]["why"] = body["questions"][0]["why"][:5]
    body["questions"][2]["how"] = [f"b{n}" for n in range(11)]
    body["questions"] = body["questions"] + [body["questions"][1]]
    with pytest.raises(DocumentInvalid) as error:
        parse_body("core_questions", body)
    assert _errors(error) == [
        ("questions", "write the customers' top 3 questions; there are 4"),
        ("questions[0].why", "write 7 to 10 bullets; there are 5"),
        ("questions[2].how", "write 7 to 10 bullets; there are 11"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        parse_body("core_questions", {"questions": [{"question": "", "why": ["x"]}]})
    assert _errors(error) == [
        ("questions[0].question", "must not be empty"),
        ("questions[0].how", "is required"),
    ]


def test_swot_pest_and_target_customer_bodies() -> None:
    swot = parse_body("swot", {"strengths": [" Fast service "], "threats": ["Cheap imports"]})
    assert swot.document() == {
        "strengths": ["Fast service"],
        "weaknesses": [],
        "opportunities": [],
        "threats": ["Cheap imports"],
    }
    # a PEST draws conclusions from its factors; one saved without them reads as none drawn
    pest = parse_body(
        "pest",
        {"economic": ["Rates fall"], "conclusions": ["Plants invest again: offer a pilot"]},
    )
    assert pest.document() == {
        "political": [],
        "economic": ["Rates fall"],
        "social": [],
        "technological": [],
        "conclusions": ["Plants invest again: offer a pilot"],
    }
    assert parse_body("pest", {"social": ["Planners retire"]}).document()["conclusions"] == []
    with pytest.raises(DocumentInvalid) as error:
        parse_body("pest", {"political": ["ok", "two\nlines"], "legal": []})
    assert _errors(error) == [
        ("political[1]", "must be one line without control characters"),
        ("legal", "is not a known field"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        parse_body("target_customer", {"definition": "", "assumptions": [{"assumption": "x"}]})
    assert _errors(error) == [
        ("definition", "must not be empty"),
        ("assumptions[0].how_we_know", "is required"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        parse_body("plan", {})
    assert _errors(error) == [
        ("kind", "must be one of core_questions, swot, pest, target_customer")
    ]


def test_lines_of_a_text_box_become_bullets() -> None:
    assert lines("- one\n\n  * two \n3. three\n• four\nfive") == [
        "one",
        "two",
        "three",
        "four",
        "five",
    ]


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    users = seed_users(engine)
    with engine.begin() as connection:
        yield connection, users


def test_core_questions_are_created_by_the_first_save_and_versioned(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["marketing"])
    assert find_document(connection, CORE_QUESTIONS) is None
    first = save_core_questions(connection, core_questions(), version=None, now=NOW, actor=actor)
    assert (first.slug, first.kind, first.title, first.version) == (
        "core-questions",
        "core_questions",
        "Strategic core questions",
        1,
    )
    changed = core_questions(8)
    second = save_core_questions(
        connection, changed, version=1, now=NOW + timedelta(days=1), actor=Actor(users["admin"])
    )
    assert second.version == 2
    assert second.body.document() == changed
    with pytest.raises(StaleVersion) as error:
        save_core_questions(connection, core_questions(9), version=1, now=NOW, actor=actor)
    assert str(error.value).startswith("Strategic core questions is at version 2, not 1")
    with pytest.raises(DocumentInvalid) as invalid:
        save_core_questions(connection, core_questions(6), version=2, now=NOW, actor=actor)
    assert _errors(invalid)[0] == ("body.questions[0].why", "write 7 to 10 bullets; there are 6")
    history = document_history(connection, CORE_QUESTIONS)
    assert [(h.version, h.saved_by, h.saved_at) for h in history] == [
        (2, "Admin User", NOW + timedelta(days=1)),
        (1, "Marketing User", NOW),
    ]
    restored = restore_document(connection, CORE_QUESTIONS, 1, version=2, now=NOW, actor=actor)
    assert restored.version == 3
    assert restored.body.document() == core_questions()
    assert document_at(connection, CORE_QUESTIONS, 2).document() == changed


def test_swot_pest_and_target_customer_documents_with_history(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    swot = create_document(
        connection, {"kind": "swot", "body": {"strengths": ["Local service"]}}, now=NOW, actor=actor
    )
    assert (swot.slug, swot.title, swot.version) == ("swot", "SWOT", 1)
    create_document(
        connection,
        {"kind": "pest", "title": "PEST Finland 2026", "body": {"economic": ["Rates fall"]}},
        now=NOW,
        actor=actor,
    )
    target = {
        "definition": "Nordic manufacturers with 50–500 staff and their own service team",
        "criteria": ["Runs machines older than 10 years", "Has a maintenance budget"],
        "assumptions": [
            {
                "assumption": "They buy spare parts online",
                "how_we_know": "Half of the orders come through the web shop by Q4",
            }
        ],
    }
    created = create_document(
        connection, {"kind": "target_customer", "body": target}, now=NOW, actor=actor
    )
    assert created.body.document() == target
    assert [(d.kind, d.slug) for d in list_documents(connection)] == [
        ("pest", "pest-finland-2026"),
        ("swot", "swot"),
        ("target_customer", "target-customer"),
    ]
    saved = save_document(
        connection,
        "swot",
        {"strengths": ["Local service"], "threats": ["Price war"]},
        version=1,
        title="SWOT 2026",
        now=NOW,
        actor=actor,
    )
    assert (saved.title, saved.version) == ("SWOT 2026", 2)
    with pytest.raises(DocumentInvalid) as error:
        create_document(connection, {"kind": "swot", "body": {}}, now=NOW, actor=actor)
    assert _errors(error) == [("slug", "another strategy document already has the slug 'swot'")]
    with pytest.raises(DocumentInvalid) as error:
        create_document(connection, {"kind": "plan"}, now=NOW, actor=actor)
    assert _errors(error) == [
        ("kind", "must be one of core_questions, swot, pest, target_customer")
    ]
    delete_document(connection, "swot", now=NOW, actor=actor)
    with pytest.raises(LookupError):
        get_document(connection, "swot")
    actions = connection.execute(
        select(audit_log.c.action, audit_log.c.subject)
        .where(audit_log.c.action.like("strategy_document.%"))
        .order_by(audit_log.c.id)
    ).all()
    assert [tuple(a) for a in actions] == [
        ("strategy_document.created", "swot"),
        ("strategy_document.created", "pest-finland-2026"),
        ("strategy_document.created", "target-customer"),
        ("strategy_document.deleted", "swot"),
    ]
