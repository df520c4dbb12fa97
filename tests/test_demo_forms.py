"""The demo workspace's forms: made once after the demo world, with its own properties."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from silverplatter.services.demo import generate_demo
from silverplatter.services.demo.content import WORRIES
from silverplatter.services.demo.forms import ensure_demo_forms
from silverplatter.services.forms import list_forms
from silverplatter.services.workspace import init_workspace

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def test_the_demo_gets_a_newsletter_and_a_demo_request_once(engine: Engine) -> None:
    generate_demo(engine, contacts=20, seed=3, now=NOW)
    with engine.begin() as connection:
        assert ensure_demo_forms(connection, now=NOW) == ["newsletter", "demo_request"]
        assert ensure_demo_forms(connection, now=NOW) == []
        forms = {form.slug: form.definition for form in list_forms(connection)}
    newsletter, meeting = forms["newsletter"], forms["demo_request"]
    assert (newsletter.cta_kind, newsletter.double_opt_in) == ("soft", True)
    assert (meeting.cta_kind, meeting.double_opt_in) == ("hard", False)
    assert [q.key for q in newsletter.questions] == [
        "topics_of_interest",
        "responsibilities",
        "current_situation",
        "preferred_channels",
    ]
    assert [q.property for q in newsletter.questions] == [
        "topics_of_interest",
        None,
        None,
        "preferred_channel",
    ]
    assert newsletter.questions[0].choices == tuple(WORRIES.values())
    assert [f.name for f in meeting.fields] == [
        "email",
        "first_name",
        "last_name",
        "company",
        "title",
        "phone",
    ]
    assert "http://localhost:8080" in newsletter.allowed_origins


def test_a_workspace_that_is_not_a_demo_gets_no_forms(engine: Engine) -> None:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        assert ensure_demo_forms(connection, now=NOW) == []
