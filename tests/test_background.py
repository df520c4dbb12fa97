"""The coalescing runner: one run at a time, requests made meanwhile merged into one."""

from __future__ import annotations

import threading

from sqlalchemy.exc import OperationalError

from silverplatter.web.background import Coalescing


def test_requests_made_while_running_are_merged_into_one_next_run() -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[frozenset[int]] = []

    def work(wanted: frozenset[int]) -> None:
        runs.append(wanted)
        if len(runs) == 1:
            started.set()
            release.wait(10)

    runner = Coalescing[frozenset[int]]("test-runner", work, lambda a, b: a | b)
    runner.request(frozenset({1}))
    assert started.wait(10)
    assert runner.running
    runner.request(frozenset({2}))
    runner.request(frozenset({3, 2}))
    release.set()
    assert runner.wait(10)
    assert not runner.running
    assert runs == [frozenset({1}), frozenset({2, 3})]
    assert runner.last_error is None


def test_a_database_error_is_kept_and_the_next_request_runs_again() -> None:
    calls: list[int] = []

    def work(wanted: int) -> None:
        calls.append(wanted)
        if wanted == 1:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    runner = Coalescing[int]("test-runner", work, max)
    runner.request(1)
    assert runner.wait(10)
    assert runner.last_error == "OperationalError"
    runner.request(2)
    assert runner.wait(10)
    assert (calls, runner.last_error) == ([1, 2], None)
