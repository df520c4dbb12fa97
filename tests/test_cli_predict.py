"""``silverplatter predict``: import history, train, report, activate, roll back, score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from silverplatter.cli import app

SAMPLE = Path(__file__).parent / "data" / "predictive" / "bank-sample.csv"


def test_predict_commands_from_history_to_scores(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'workspace.db'}"
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    source = tmp_path / "bank.csv"
    shutil.copy(SAMPLE, source)
    none = runner.invoke(app, ["predict", "report", "--database-url", url])
    assert none.exit_code == 1
    assert "no predictive model is active yet" in none.output
    imported = runner.invoke(
        app,
        ["predict", "import-history", str(source), "--outcome", "y", "--exclude", "duration",
         "--database-url", url],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "1,802" in imported.output and "198" in imported.output
    trained = runner.invoke(
        app,
        ["predict", "train", "--outcome", "won", "--horizon", "30", "--split", "stratified",
         "--json", "--database-url", url],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.output)
    assert report["id"] == 1 and report["active"] is False
    assert report["metrics"]["examples"] == 2000
    assert report["metrics"]["naive_bayes"]["roc_auc"] == 0.7768055555555556
    activated = runner.invoke(app, ["predict", "activate", "1", "--database-url", url])
    assert activated.exit_code == 0
    assert "Activated version 1; scored 2,000 contacts." in activated.output
    shown = runner.invoke(app, ["predict", "report", "--database-url", url])
    assert shown.exit_code == 0
    assert "Version 1 (active): became a customer within 30 days" in shown.output
    assert "0.777" in shown.output and "Held-out metrics" in shown.output
    scored = runner.invoke(app, ["predict", "score", "--database-url", url])
    assert scored.exit_code == 0 and "Scored 2,000 contacts" in scored.output
    rollback = runner.invoke(app, ["predict", "rollback", "--database-url", url])
    assert rollback.exit_code == 1
    assert "version 1 is the only one ever activated" in rollback.output
    bad = runner.invoke(app, ["predict", "train", "--split", "sideways", "--database-url", url])
    assert bad.exit_code == 1 and "split: expected one of time, stratified" in bad.output
