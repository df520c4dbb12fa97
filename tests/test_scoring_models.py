"""Scoring model versions: an invalid file changes nothing; a new one recomputes everything."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from lead_world import NOW, build_world, event
from silverplatter.domain.model_file import ModelInvalid, default_model_text
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import change_model
from silverplatter.services.scoring_models import activate_version, active_model, model_versions
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts


def _score(engine: Engine, email: str) -> tuple[float, int]:
    with engine.connect() as connection:
        row = connection.execute(
            select(contact_scores.c.score, contact_scores.c.model_version)
            .join(contacts, contacts.c.id == contact_scores.c.contact_id)
            .where(contacts.c.email == email)
        ).one()
    return row.score, row.model_version


def test_the_default_model_is_installed_as_version_one(engine: Engine) -> None:
    with engine.begin() as connection:
        version = active_model(connection, now=NOW)
        assert (version.version, version.model.model.name) == (1, "B2B default")
        assert active_model(connection, now=NOW).version == 1  # not installed twice


def test_an_invalid_model_is_refused_and_the_old_one_stays_active(engine: Engine) -> None:
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(connection, [event("page_view", "ceo@acme.fi", 1, url="/pricing")], now=NOW)
    broken = default_model_text().replace("half_life_days = 14", "half_life_days = -14", 1)
    with pytest.raises(ModelInvalid) as caught, engine.begin() as connection:
        change_model(connection, broken, now=NOW)
    [error] = caught.value.errors
    assert (error.line, error.field) == (70, "engagement.rules.1.half_life_days")
    with engine.connect() as connection:
        assert [v.version for v in model_versions(connection)] == [1]
        assert active_model(connection, now=NOW).version == 1
    assert _score(engine, "ceo@acme.fi")[1] == 1


def test_a_new_model_recomputes_everything_and_can_be_rolled_back(engine: Engine) -> None:
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(connection, [event("page_view", "ceo@acme.fi", 0, url="/pricing")], now=NOW)
    assert _score(engine, "ceo@acme.fi") == (pytest.approx(10 + 2 ** (-0.5 / 45)), 1)
    doubled = default_model_text().replace("points = 10\n", "points = 20\n", 1)
    with engine.begin() as connection:
        result = change_model(connection, doubled, now=NOW)
    assert (result.model_version, result.contacts, result.accounts) == (2, 6, 4)
    assert _score(engine, "ceo@acme.fi") == (pytest.approx(20 + 2 ** (-0.5 / 45)), 2)
    with engine.begin() as connection:
        activate_version(connection, 1, now=NOW)
        from silverplatter.services.recompute import recompute

        recompute(connection, now=NOW)
    assert _score(engine, "ceo@acme.fi") == (pytest.approx(10 + 2 ** (-0.5 / 45)), 1)


SMALL = """\
[model]
name = "Contacts only"

[[engagement.rules]]
event = "form_submit"
cta = "hard"
points = 40
flag = "hard_cta"

[thresholds.default]
mql = { score = 20 }
sql = { flag = "hard_cta" }
"""


def test_a_model_without_account_rules_or_silence_recomputes(engine: Engine) -> None:
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(connection, [event("form_submit", "ceo@acme.fi", 0, cta="hard")], now=NOW)
        result = change_model(connection, SMALL, now=NOW)
    assert (result.model_version, result.contacts, result.accounts) == (2, 6, 4)
    assert _score(engine, "ceo@acme.fi") == (pytest.approx(40.0), 2)
