"""Benchmark: one training on an existing workspace, timed by part, with a fixed ``now``.

The product's defaults (outcome SQL within 90 days, time-ordered split):
wall seconds in all, of gathering the features (SQL) and of everything after
it (encoding, the naive-Bayes baseline and leak check, the LightGBM fit,
the metrics), this process's CPU, the trees kept, the held-out ROC AUC of
the model and of the baseline, and peak RSS.  ``now`` is fixed (``--now``),
so the cut-off and the examples are the same from run to run and the
figures of two commits compare: run the older one with ``PYTHONPATH`` at
its ``src`` (nothing is written; the same model gives the same trees and
AUCs).

Run:  .venv/bin/python bench/bench_predictive_train.py --database-url URL \\
          [--now 2026-12-02T11:00Z] [--label after] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import UTC, datetime

from silverplatter.services.predictive_training import TrainingRequest, train_model
from silverplatter.storage.engine import make_engine


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", default="2026-12-02T11:00Z", help="ISO time with its zone")
    parser.add_argument("--label", default="this commit")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)
    engine = make_engine(args.database_url)
    for _ in range(args.repeat):
        load = _load()
        started, cpu = time.perf_counter(), time.process_time()
        trained = train_model(engine, TrainingRequest(), now=now)
        total = time.perf_counter() - started
        metrics = trained.metrics
        gathered = float(metrics["gather_seconds"])
        print(
            f"{args.label}: {total:.1f} s in all, gathering {gathered:.1f} s, after it "
            f"{total - gathered:.1f} s; CPU of this process {time.process_time() - cpu:.1f} s; "
            f"{metrics['examples']:,} examples, {metrics['positives']:,} positives, "
            f"{trained.model.parameters['rounds']} trees; held-out ROC AUC "
            f"{metrics['model']['roc_auc']:.4f}, naive Bayes "
            f"{metrics['naive_bayes']['roc_auc']:.4f}; peak RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
            f"load before {load}; cores {os.cpu_count()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
