"""Training on imported history, refusals, activation and rollback, scoring."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from lead_world import NOW, build_world
from silverplatter.domain.lifecycle import StageChange
from silverplatter.domain.predictive_checks import TrainingRefused
from silverplatter.importing import ImportFileError
from silverplatter.services import predictive
from silverplatter.services.history_import import HistorySummary, import_history
from silverplatter.services.ingest import ingest_events
from silverplatter.services.predictive_training import TrainingInputError, TrainingRequest
from silverplatter.services.scoring_backlog import score_backlog
from silverplatter.storage.lifecycle import apply_stage_changes
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.predictive_schema import contact_predictions
from silverplatter.storage.schema import contacts, property_definitions

SAMPLE = Path(__file__).parent / "data" / "predictive" / "bank-sample.csv"
TODAY = datetime(2026, 6, 1, tzinfo=UTC)


def _history(engine: Engine, tmp_path: Path, **options: object) -> HistorySummary:
    source = tmp_path / "bank-sample.csv"
    shutil.copy(SAMPLE, source)
    return import_history(
        engine,
        source,
        outcome_column="y",
        exclude=["duration"],
        now=TODAY,
        **options,  # type: ignore[arg-type]
    )


def _request(summary: HistorySummary, **changes: object) -> TrainingRequest:
    options: dict[str, object] = {
        "outcome": "won",
        "horizon_days": 30,
        "cutoff": summary.cutoff,
        "split": "stratified",
        # the second, time-ordered fit only where a test looks at it (speed)
        "compare_time_split": False,
    }
    options.update(changes)
    return TrainingRequest(**options)  # type: ignore[arg-type]


@pytest.mark.storage
def test_history_import_makes_properties_and_lifecycle_outcomes(
    engine: Engine, tmp_path: Path
) -> None:
    summary = _history(engine, tmp_path)
    assert (summary.imported.rows_read, summary.imported.created) == (2000, 2000)
    assert (summary.imported.rejected, summary.won, summary.lost) == (0, 198, 1802)
    assert summary.cutoff == TODAY - timedelta(hours=12)
    with engine.connect() as connection:
        names = set(
            connection.execute(
                select(property_definitions.c.name, property_definitions.c.type)
            ).all()
        )
        stages = dict(
            connection.execute(
                select(contacts.c.lifecycle_stage, func.count()).group_by(
                    contacts.c.lifecycle_stage
                )
            ).all()
        )
        moves = connection.execute(
            select(stage_transitions.c.transition, func.count()).group_by(
                stage_transitions.c.transition
            )
        ).all()
    assert ("age", "number") in names and ("job", "text") in names
    assert {name for name, _type in names} & {"y", "duration"} == set()
    assert stages == {"customer": 198, "disqualified": 1802}
    assert sorted(moves) == [("record_lost", 1802), ("record_won", 198)]
    again = _history(engine, tmp_path)
    assert (again.imported.created, again.imported.unchanged, again.won, again.lost) == (
        0,
        2000,
        0,
        0,
    )


@pytest.mark.storage
def test_training_on_the_bank_sample_reports_model_and_baselines(
    engine: Engine, tmp_path: Path
) -> None:
    summary = _history(engine, tmp_path)
    version = predictive.train(engine, _request(summary, compare_time_split=True), now=TODAY)
    metrics = version.metrics
    assert (metrics["examples"], metrics["positives"]) == (2000, 198)
    assert metrics["model"]["rows"] == 400 and metrics["model"]["positives"] == 40
    assert metrics["model"]["roc_auc"] > 0.65
    assert metrics["model"]["ece"] < 0.05
    assert metrics["naive_bayes"]["roc_auc"] == pytest.approx(0.7768055555555556)
    # no behaviour in imported history: the rule score ranks nobody
    assert metrics["rule_score"] == {"roc_auc": 0.5, "grade_roc_auc": 0.5}
    assert metrics["time_split"]["model"]["rows"] == 400
    assert "contact.custom.age" in [name for name, _label, _share in metrics["importance"]]
    assert "score.engagement" in metrics["dropped"]["constant"]
    assert len(metrics["reliability"]) >= 3 and len(metrics["lift_curve"]) == 11
    assert version.active is False and version.algorithm == "lightgbm"
    features = [feature["name"] for feature in version.features]
    assert "contact.custom.euribor3m" in features and "contact.custom.y" not in features


@pytest.mark.storage
def test_activate_scores_everyone_and_rollback_restores_the_previous(
    engine: Engine, tmp_path: Path
) -> None:
    summary = _history(engine, tmp_path)
    first = predictive.train(engine, _request(summary), now=TODAY)
    second = predictive.train(engine, _request(summary, split="time"), now=TODAY)
    assert predictive.activate(engine, first.id, now=TODAY) == 2000
    assert predictive.activate(engine, second.id, now=TODAY + timedelta(hours=1)) == 2000
    with engine.connect() as connection:
        assert predictive.get_version(connection).id == second.id
        models = set(connection.execute(select(contact_predictions.c.model_id)).scalars())
    assert models == {second.id}
    assert predictive.rollback(engine, now=TODAY + timedelta(hours=2)) == first.id
    with engine.connect() as connection:
        assert predictive.get_version(connection).id == first.id
        probability = connection.execute(
            select(func.min(contact_predictions.c.probability))
        ).scalar_one()
        some = connection.execute(select(contacts.c.id).limit(2)).scalars().all()
        explained = predictive.explained(connection, list(some), now=TODAY)
    assert 0.0 < probability < 1.0
    assert set(explained) == set(some)
    reasons = explained[some[0]]["contributions"]
    assert len(reasons) == 3 and all(isinstance(value, float) for _label, value in reasons)
    with pytest.raises(predictive.NoSuchVersion, match="no predictive model version 999"):
        predictive.activate(engine, 999, now=TODAY)


@pytest.mark.storage
def test_a_column_that_gives_the_outcome_away_is_refused_as_a_leak(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "leaky.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    won = '"yes"'
    rows = [lines[0] + ';"result"'] + [
        line + (';"subscribed"' if line.endswith(won) else ';"declined"') for line in lines[1:]
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = import_history(engine, source, outcome_column="y", exclude=["duration"], now=TODAY)
    with pytest.raises(TrainingRefused) as refused:
        predictive.train(engine, _request(summary), now=TODAY)
    assert refused.value.reason == "leaking_columns"
    assert "result (contact.custom.result): AUC 1.000" in str(refused.value)
    version = predictive.train(
        engine, _request(summary, exclude=("contact.custom.result",)), now=TODAY
    )
    assert version.metrics["dropped"]["excluded"] == ["contact.custom.result"]


@pytest.mark.storage
def test_refusals_without_history_or_with_too_few_positives(engine: Engine) -> None:
    with engine.begin() as connection:
        ids = build_world(connection)
    request = TrainingRequest(outcome="sql", horizon_days=30, cutoff=NOW - timedelta(days=60))
    with pytest.raises(
        TrainingRefused, match=r"no contact has ever reached the outcome \(became SQL\)"
    ):
        predictive.train(engine, request, now=NOW)
    with engine.begin() as connection:
        apply_stage_changes(
            connection,
            [StageChange(ids["ceo@acme.fi"], "subscriber", "sql", "test", "why")],
            actor="user",
            now=NOW - timedelta(days=50),
        )
    with pytest.raises(TrainingRefused) as refused:
        predictive.train(engine, request, now=NOW)
    assert str(refused.value).startswith(
        "too few positives: training needs at least 50 contacts that became SQL within "
        "30 days after the cut-off, and there are 1 (among 6 examples)."
    )
    with pytest.raises(TrainingInputError, match="horizon_days: expected a whole number"):
        predictive.train(engine, TrainingRequest(horizon_days=0), now=NOW)
    with pytest.raises(TrainingInputError, match="outcome: expected one of sql, opportunity, won"):
        predictive.train(engine, TrainingRequest(outcome="lunch"), now=NOW)
    with engine.connect() as connection, pytest.raises(predictive.NoSuchVersion):
        predictive.get_version(connection)


@pytest.mark.storage
def test_contacts_whose_events_are_scored_are_rescored(engine: Engine, tmp_path: Path) -> None:
    summary = _history(engine, tmp_path)
    version = predictive.train(engine, _request(summary), now=TODAY)
    predictive.activate(engine, version.id, now=TODAY)
    later = TODAY + timedelta(days=1)
    email = "lead-7@bank-sample.history.invalid"
    with engine.begin() as connection:
        ingest_events(
            connection,
            [{"type": "page_view", "email": email, "occurred_at": TODAY.isoformat()}],
            now=later,
            defer=True,
        )
        assert score_backlog(connection, now=later).scored == 1
    with engine.connect() as connection:
        when = dict(
            connection.execute(
                select(contacts.c.email, contact_predictions.c.scored_at).join(
                    contacts, contacts.c.id == contact_predictions.c.contact_id
                )
            ).all()
        )
    assert when[email] == later
    assert sum(1 for moment in when.values() if moment == TODAY) == 1999


@pytest.mark.storage
def test_history_stores_formula_cells_as_the_contact_import_does(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "old-crm.csv"
    source.write_text(
        'Email,First name,Title,Result\na@x.example,"=HYPERLINK(""http://x"",""y"")",\'\'=x,Won\n',
        encoding="utf-8",
    )
    import_history(engine, source, outcome_column="result", now=TODAY)
    with engine.connect() as connection:
        person = connection.execute(select(contacts.c.first_name, contacts.c.title)).one()
    assert tuple(person) == ('=HYPERLINK("http://x","y")', "'=x")


@pytest.mark.storage
def test_history_keeps_the_files_own_addresses_and_ids(engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "old-crm.csv"
    source.write_text(
        "Email,External ID,Result,Budget\n"
        "a@x.example,ext-1,Won,10\n"
        ",ext-2,Lost,20\n"
        "c@x.example,,won,30\n"
        "d@x.example,ext-4,,40\n",
        encoding="utf-8",
    )
    summary = import_history(engine, source, outcome_column="result", now=TODAY)
    assert (summary.won, summary.lost, summary.without_outcome) == (2, 1, 1)
    with engine.connect() as connection:
        rows = connection.execute(
            select(contacts.c.email, contacts.c.external_id, contacts.c.lifecycle_stage).order_by(
                contacts.c.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("a@x.example", "ext-1", "customer"),
        ("lead-2@old-crm.history.invalid", "ext-2", "disqualified"),
        ("c@x.example", "history:old_crm:3", "customer"),
        ("d@x.example", "ext-4", "subscriber"),
    ]
    with pytest.raises(ImportFileError, match="outcome: the file has no column 'y'"):
        import_history(engine, source, outcome_column="y", now=TODAY)
