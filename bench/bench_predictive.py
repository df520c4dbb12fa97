"""Benchmark: predictive scoring's accuracy, training time and batch scoring throughput.

Two runs, each in a fresh SQLite workspace (``--database-url`` to reuse one):

``bank`` — the acceptance run.  ``bank-additional-full.csv`` (41,188 past
leads, UCI Bank Marketing) goes through the product's history import
(``duration`` excluded: it is known only after the call), then a model is
trained on a stratified 80/20 split with seed 0, which also fits and reports
the time-ordered split.  Printed: ROC AUC, PR AUC, lift, Brier, ECE of the
model and the per-field naive-Bayes baseline, training seconds, peak RSS.
``--compare`` also fits scikit-learn's HistGradientBoosting (defaults) and
LightGBM (the product's parameters) on the same matrix, for the choice of
library: ROC AUC, fit seconds, and whether each explains a prediction.

``demo`` — the workspace's own history.  A demo world of ``--contacts`` (or an
existing workspace given with ``--database-url``) is trained on with the
product's defaults (outcome SQL within 90 days, time-ordered validation), and
the model's held-out ROC AUC is set against the rule score's on the same
rows.  The version is then activated and every contact scored once more,
timed by step: gathering the features (SQL), the model, writing the
probabilities; twice: first into an empty table (a first activation), then
again over the stored probabilities (every later scoring pass).
``--now`` fixes the cut-off, so that two commits train on the same examples.
``--compare-fits`` also fits the same matrix and split with every row (the
former defaults), with sampled negatives, and with a faster learning rate,
three seeds each: held-out ROC AUC, ECE, fit seconds, trees and the model's
scoring speed — the accuracy cost of each.

``gather`` — only the gathering of the features, training's and scoring's,
timed on an existing workspace (``--database-url``), wall and CPU seconds.

``checks`` — encoding, the naive-Bayes baseline's fit and the leak check's
per-field AUCs on a seeded synthetic matrix (``--rows``), CPU seconds.

Run:  .venv/bin/python bench/bench_predictive.py bank [--compare]
      .venv/bin/python bench/bench_predictive.py demo --contacts 100000 [--compare-fits]
      .venv/bin/python bench/bench_predictive.py demo --database-url URL [--now 2026-12-02T15:00Z]
      .venv/bin/python bench/bench_predictive.py demo --contacts 1000000
      .venv/bin/python bench/bench_predictive.py gather --database-url URL [--repeat 3]
      .venv/bin/python bench/bench_predictive.py checks [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from silverplatter.domain.predictive_features import encode
from silverplatter.services import predictive
from silverplatter.services.demo import generate_demo
from silverplatter.services.history_import import import_history
from silverplatter.services.predictive_training import TrainingRequest
from silverplatter.storage import predictive as predictive_store
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.predictive_sql import gather
from silverplatter.storage.schema import contacts

BANK = Path(__file__).resolve().parents[2] / "shared" / "data" / "bank-marketing"
BANK_FILE = BANK / "bank-additional-full.csv"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _engine(database_url: str | None, name: str) -> Engine:
    if database_url:
        engine = make_engine(database_url)
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-predictive-"))
        engine = make_engine(f"sqlite:///{folder / name}")
    migrate(engine)
    return engine


def _row(label: str, split: str, values: dict[str, Any]) -> str:
    def cell(key: str) -> str:
        value = values.get(key)
        return "—" if value is None else f"{value:.3f}"

    keys = ("roc_auc", "pr_auc", "lift_top_decile", "brier", "ece")
    return f"| {label} | {split} | " + " | ".join(cell(k) for k in keys) + " |"


def _report(info: predictive.VersionInfo) -> None:
    metrics = info.metrics
    print("| | split | ROC AUC | PR AUC | lift top 10 % | Brier | ECE |")
    print("|---|---|---|---|---|---|---|")
    parts = [(metrics["split"], metrics)]
    if "time_split" in metrics:
        parts.append(("time", metrics["time_split"]))
    for split, part in parts:
        print(_row("model", split, part["model"]))
        print(_row("naive Bayes", split, part["naive_bayes"]))
        print(_row("rule score", split, {"roc_auc": part["rule_score"]["roc_auc"]}))
    print()
    print(
        f"examples {metrics['examples']:,}, positives {metrics['positives']:,}; "
        f"gathering {metrics['gather_seconds']:.1f} s, training in all "
        f"{metrics['training_seconds']:.1f} s; peak RSS {_peak_mb():.0f} MB; "
        f"cores {os.cpu_count()}"
    )


def bank(args: argparse.Namespace) -> None:
    engine = _engine(args.database_url, "bank.db")
    now = datetime.now(UTC)
    started = time.perf_counter()
    summary = import_history(engine, BANK_FILE, outcome_column="y", exclude=["duration"], now=now)
    imported = time.perf_counter() - started
    print(
        f"history import: {summary.imported.rows_read:,} rows, {summary.won:,} won, "
        f"{summary.lost:,} lost, {summary.imported.rejected} rejected, {imported:.1f} s"
    )
    request = TrainingRequest(
        outcome="won", horizon_days=30, cutoff=summary.cutoff, split="stratified", seed=0
    )
    started = time.perf_counter()
    info = predictive.train(engine, request, now=now)
    print(f"train (call): {time.perf_counter() - started:.1f} s\n")
    _report(info)
    if args.compare:
        _compare(engine, info, now)


def _compare(engine: Engine, info: predictive.VersionInfo, now: datetime) -> None:
    """The same matrix and split through HistGradientBoosting and LightGBM."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from silverplatter.domain.predictive_features import Feature
    from silverplatter.services.predictive_model import fit
    from silverplatter.services.predictive_training import feature_query, held_out

    with engine.begin() as connection:
        query = feature_query(connection, info_request(info), cutoff=info.cutoff, now=now)
        table = gather(connection, query)
    features = [Feature.from_json(item) for item in info.features]
    matrix = encode(table, features)
    assert table.outcome is not None
    labels = table.outcome
    train, test = train_test_split(
        np.arange(len(labels)), test_size=0.2, stratify=labels, random_state=0
    )
    categorical = np.array([f.kind == "category" for f in features])
    print("\n| library | ROC AUC | fit seconds | explains a prediction |")
    print("|---|---|---|---|")
    started = time.perf_counter()
    hgb = HistGradientBoostingClassifier(categorical_features=categorical, random_state=0)
    hgb.fit(matrix[train], labels[train])
    seconds = time.perf_counter() - started
    auc = roc_auc_score(labels[test], hgb.predict_proba(matrix[test])[:, 1])
    print(f"| scikit-learn HistGradientBoosting, defaults | {auc:.3f} | {seconds:.1f} | no |")
    rows = np.zeros(len(labels), dtype=bool)
    rows[train] = True
    part = table.take(rows)
    calibration_rows = held_out(part, labels[train], "stratified", 0.25, 0)
    started = time.perf_counter()
    model = fit(
        matrix[train],
        labels[train],
        [i for i, c in enumerate(categorical) if c],
        calibration_rows=calibration_rows,
    )
    seconds = time.perf_counter() - started
    auc = roc_auc_score(labels[test], model.probabilities(matrix[test]))
    print(
        f"| LightGBM, product parameters (two fits: calibration, final) | {auc:.3f} | "
        f"{seconds:.1f} | yes (pred_contrib) |"
    )


def info_request(info: predictive.VersionInfo) -> TrainingRequest:
    return TrainingRequest(outcome=info.outcome, horizon_days=info.horizon_days, cutoff=info.cutoff)


def demo(args: argparse.Namespace) -> None:
    engine = _engine(args.database_url, "demo.db")
    now = (
        datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)
        if args.now
        else datetime.now(UTC)
    )
    with engine.connect() as connection:
        existing = connection.execute(select(func.count()).select_from(contacts)).scalar_one()
    if not existing:
        started = time.perf_counter()
        generate_demo(engine, contacts=args.contacts, seed=1, now=now)
        print(f"demo world: {args.contacts:,} contacts in {time.perf_counter() - started:.0f} s")
    request = TrainingRequest(outcome=args.outcome, horizon_days=args.horizon)
    print(f"load average before: {_load()}")
    started, cpu = time.perf_counter(), time.process_time()
    info = predictive.train(engine, request, now=now)
    print(
        f"train (call): {time.perf_counter() - started:.1f} s, "
        f"CPU of this process {time.process_time() - cpu:.1f} s\n"
    )
    _report(info)
    model_auc = info.metrics["model"]["roc_auc"]
    rule_auc = info.metrics["rule_score"]["roc_auc"]
    print(
        f"\nheld-out ROC AUC: model {model_auc:.3f}, rule score {rule_auc:.3f}: "
        f"the model is {model_auc - rule_auc:+.3f} above the rule score"
    )
    if args.compare_fits:
        _compare_fits(engine, info, now)
    with engine.begin() as connection:  # activate without its own scoring pass
        predictive_store.set_active(connection, info.id, now=now)
        predictive_store.clear_predictions(connection)
    _time_scoring(engine, now, "first scoring: no probabilities stored")
    _time_scoring(engine, now, "scoring again: every contact's probability replaced")
    print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


#: (label, learning rate, most trees, negatives per positive, least negatives kept)
FITS: tuple[tuple[str, float, int, int, int], ...] = (
    ("every row, rate 0.03, ≤ 1000 trees (before)", 0.03, 1000, 10**9, 10**9),
    ("sampled negatives, rate 0.03, ≤ 300 trees (now)", 0.03, 300, 50, 20_000),
    ("sampled negatives, rate 0.1, ≤ 300 trees", 0.1, 300, 50, 20_000),
    ("every row, rate 0.1, ≤ 300 trees", 0.1, 300, 10**9, 10**9),
    ("10 negatives per positive, rate 0.03, ≤ 300 trees", 0.03, 300, 10, 0),
)
#: Each setting is fitted with these seeds (bagging, sampling): few positives make one noisy.
SEEDS = (0, 1, 2)


def _compare_fits(engine: Engine, info: predictive.VersionInfo, now: datetime) -> None:
    """The trained version's matrix and time-ordered split, fitted with other settings."""
    import numpy as np

    from silverplatter.domain.predictive_features import Feature
    from silverplatter.domain.predictive_metrics import expected_calibration_error, single_auc
    from silverplatter.services.predictive_model import fit
    from silverplatter.services.predictive_training import feature_query, held_out

    with engine.begin() as connection:
        query = feature_query(connection, info_request(info), cutoff=info.cutoff, now=now)
        table = gather(connection, query)
    features = [Feature.from_json(item) for item in info.features]
    matrix = encode(table, features)
    assert table.outcome is not None
    labels = table.outcome
    test = held_out(table, labels, "time", 0.2, 0)
    train = ~test
    calibration_rows = held_out(table.take(train), labels[train], "time", 0.25, 0)
    categorical = [i for i, feature in enumerate(features) if feature.kind == "category"]
    tiled = np.tile(matrix, (100_000 // len(matrix) + 1, 1))[:100_000]
    print(
        f"\n| fit (seeds {', '.join(map(str, SEEDS))}) | ROC AUC, mean (min–max) | ECE, mean "
        "| fit s, mean | rows fitted | trees, mean | model s, 100,000 rows | contacts/s, model |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, rate, trees, per_positive, at_least in FITS:
        aucs, eces, seconds, kept, scoring = [], [], [], [], []
        for seed in SEEDS:
            started = time.perf_counter()
            model = fit(
                matrix[train],
                labels[train],
                categorical,
                calibration_rows=calibration_rows,
                seed=seed,
                rate=rate,
                max_trees=trees,
                negatives_per_positive=per_positive,
                min_negatives=at_least,
            )
            seconds.append(time.perf_counter() - started)
            probabilities = model.probabilities(matrix[test])
            aucs.append(single_auc(labels[test], probabilities))
            eces.append(expected_calibration_error(labels[test], probabilities))
            kept.append(int(model.parameters["rounds"]))
            started = time.perf_counter()
            model.probabilities(tiled)
            scoring.append(time.perf_counter() - started)
        fitted = int(labels[train].sum()) + int(model.parameters["kept_negatives"])
        mean = float(np.mean(scoring))
        print(
            f"| {label} | {np.mean(aucs):.3f} ({min(aucs):.3f}–{max(aucs):.3f}) "
            f"| {np.mean(eces):.4f} | {np.mean(seconds):.1f} | {fitted:,} "
            f"| {np.mean(kept):.0f} | {mean:.2f} | {100_000 / mean:,.0f} |"
        )


def _time_scoring(engine: Engine, now: datetime, label: str) -> None:
    cpu = time.process_time()
    with engine.begin() as connection:
        loaded = predictive._loaded(connection)
        assert loaded is not None
        version_id, model, features, parameters = loaded
        query = predictive._scoring_query(connection, parameters, now=now, contact_ids=None)
        started = time.perf_counter()
        table = gather(connection, query)
        gathered = time.perf_counter() - started
        started = time.perf_counter()
        matrix = encode(table, features)
        encoded = time.perf_counter() - started
        started = time.perf_counter()
        probabilities = model.probabilities(matrix)
        predicted = time.perf_counter() - started
        started = time.perf_counter()
        rows = [
            (int(contact_id), float(p), [])
            for contact_id, p in zip(
                table.contact_ids.tolist(), probabilities.tolist(), strict=True
            )
        ]
        predictive_store.write_predictions(connection, version_id, rows, now=now)
        written = time.perf_counter() - started
    count = len(table)
    total = gathered + encoded + predicted + written
    cpu = time.process_time() - cpu
    print(f"\n{label}")
    print(
        "| contacts | gather s | encode s | model s | write s | total s | contacts/s (model) "
        "| contacts/s (all) | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {count:,} | {gathered:.1f} | {encoded:.1f} | {predicted:.1f} | {written:.1f} | "
        f"{total:.1f} | {count / predicted:,.0f} | {count / total:,.0f} | {_peak_mb():.0f} |"
    )
    print(f"batch scoring: CPU of this process {cpu:.1f} s (PostgreSQL's own work is not in it)")


def gather_only(args: argparse.Namespace) -> None:
    """Only the gathering, timed: training's (with choosing its event types) and scoring's.

    For before/after pairs: run it with ``PYTHONPATH`` pointing at an older
    commit's ``src`` on a copy of the same workspace (nothing is written).
    """
    from silverplatter.services.predictive_training import default_cutoff, feature_query
    from silverplatter.services.scoring_models import active_model
    from silverplatter.storage.predictive_sql import FeatureQuery

    engine = make_engine(args.database_url)
    now = datetime.now(UTC)
    request = TrainingRequest(outcome=args.outcome, horizon_days=args.horizon)
    print(f"load average before: {_load()}")
    for _ in range(args.repeat):
        with engine.begin() as connection:
            cutoff = default_cutoff(connection, request, now)
            started, cpu = time.perf_counter(), time.process_time()
            query = feature_query(connection, request, cutoff=cutoff, now=now)
            table = gather(connection, query)
            train = (time.perf_counter() - started, time.process_time() - cpu, len(table))
            # older commits' tables do not carry their event types: their query does
            types = getattr(table, "event_types", ()) or query.event_types
            scoring = FeatureQuery(
                cutoff=now,
                event_types=tuple(types),
                contact_properties=query.contact_properties,
                account_properties=query.account_properties,
                model=active_model(connection, now=now),
                current=True,
            )
            started, cpu = time.perf_counter(), time.process_time()
            scored = gather(connection, scoring)
            score = (time.perf_counter() - started, time.process_time() - cpu, len(scored))
        print(
            f"training: {train[2]:,} rows in {train[0]:.2f} s, CPU {train[1]:.2f} s; "
            f"scoring: {score[2]:,} rows in {score[0]:.2f} s, CPU {score[1]:.2f} s "
            "(CPU of this process; PostgreSQL's own work is not in it)"
        )
    print(f"load average after: {_load()}; peak RSS {_peak_mb():.0f} MB; cores {os.cpu_count()}")


def checks_only(args: argparse.Namespace) -> None:
    """Encoding, the naive-Bayes fit and the leak check's per-field AUCs on a synthetic matrix.

    Pure numpy on seeded data (a dozen category columns of 30 values and
    missing cells, 64 count columns, 1 % positives): this process's CPU per
    step, and checksums that must not change between commits. For
    before/after pairs, run it with ``PYTHONPATH`` at an older ``src``.
    """
    import numpy as np

    from silverplatter.domain import predictive_features as features
    from silverplatter.domain import predictive_metrics as metrics

    rows = args.rows
    generator = np.random.default_rng(0)
    words: list[str | None] = [f"value {number}" for number in range(30)] + [None]
    columns: dict[str, Any] = {
        f"category {number}": [words[k] for k in generator.integers(0, len(words), rows)]
        for number in range(12)
    }
    kinds: dict[str, Any] = dict.fromkeys(columns, "category")
    for number in range(64):
        counts = np.round(generator.exponential(3.0, rows))
        columns[f"count {number}"] = np.where(generator.random(rows) < 0.2, np.nan, counts)
        kinds[f"count {number}"] = "number"
    labels = (generator.random(rows) < 0.01).astype(np.int8)
    table = features.FeatureTable(
        np.arange(rows), np.zeros(rows), np.zeros(rows, dtype=np.int64), columns, kinds, {}
    )
    learnt = features.learn_features(table)
    for _ in range(args.repeat):
        started = time.process_time()
        matrix = features.encode(table, learnt)
        encoded = time.process_time()
        numeric = [feature.kind == "number" for feature in learnt]
        baseline = metrics.fit_naive_bayes(matrix, labels, numeric)
        fitted = time.process_time()
        aucs = metrics.field_aucs(baseline, matrix, labels)
        checked = time.process_time()
        print(
            f"{rows:,} rows × {matrix.shape[1]} columns: encode {encoded - started:.2f} s, "
            f"naive Bayes {fitted - encoded:.2f} s, per-field AUCs {checked - fitted:.2f} s "
            f"(CPU); checksums {np.nansum(matrix):.6g}, {np.nansum(aucs):.12f}"
        )
    print(f"cores {os.cpu_count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="run", required=True)
    one = sub.add_parser("bank", help="acceptance run on the bank-marketing file")
    one.add_argument("--compare", action="store_true", help="also HistGradientBoosting")
    one.add_argument("--database-url")
    two = sub.add_parser("demo", help="train and score on a demo world")
    two.add_argument("--contacts", type=int, default=100_000)
    two.add_argument("--outcome", default="sql")
    two.add_argument("--horizon", type=int, default=90)
    two.add_argument("--database-url")
    two.add_argument("--now", help="ISO time with its zone: the same examples run to run")
    two.add_argument(
        "--compare-fits", action="store_true", help="also fit with other rates, caps, samples"
    )
    three = sub.add_parser("gather", help="time only the gathering, on an existing workspace")
    three.add_argument("--database-url", required=True)
    three.add_argument("--outcome", default="sql")
    three.add_argument("--horizon", type=int, default=90)
    three.add_argument("--repeat", type=int, default=1)
    four = sub.add_parser("checks", help="time encoding and the leak check on synthetic rows")
    four.add_argument("--rows", type=int, default=1_000_000)
    four.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if args.run == "bank" and not BANK_FILE.exists():
        sys.exit(f"{BANK_FILE} is missing (shared/data/bank-marketing)")
    runs = {"bank": bank, "demo": demo, "gather": gather_only, "checks": checks_only}
    runs[args.run](args)


if __name__ == "__main__":
    main()
