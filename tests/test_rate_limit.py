"""Rate limits: the in-process window, and the one a server's processes share."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from silverplatter.web import rate_limit
from silverplatter.web.rate_limit import RateLimiter, SharedRateLimiter


def test_the_window_allows_the_limit_then_says_how_long_to_wait() -> None:
    limiter = RateLimiter(limit=3, window=60.0)
    assert [limiter.hit("1.2.3.4", at) for at in (0.0, 1.0, 2.0)] == [None, None, None]
    assert limiter.hit("1.2.3.4", 10.0) == 50.0  # the first hit leaves the window at 60
    assert limiter.hit("5.6.7.8", 10.0) is None  # each key has its own window
    assert limiter.hit("1.2.3.4", 60.0) is None


def test_the_shared_window_behaves_as_the_in_process_one(tmp_path: Path) -> None:
    path = tmp_path / "serve.limits"
    shared = SharedRateLimiter(3, 60.0, path, "login")
    other = SharedRateLimiter(3, 60.0, path, "form")
    assert [shared.hit("1.2.3.4", at) for at in (0.0, 1.0, 2.0)] == [None, None, None]
    assert shared.hit("1.2.3.4", 10.0) == 50.0
    assert shared.hit("5.6.7.8", 10.0) is None
    assert other.hit("1.2.3.4", 10.0) is None  # another limiter in the same file
    assert shared.hit("1.2.3.4", 60.0) is None
    # a second limiter on the file (another process's) sees the same hits
    assert SharedRateLimiter(3, 60.0, path, "login").hit("1.2.3.4", 60.5) == 0.5


def _hammer(path: str, start: Any, allowed: multiprocessing.Queue[int]) -> None:
    """Four threads of this process try 25 sign-ins each, once every process is ready."""
    limiter = SharedRateLimiter(10, 60.0, Path(path), "login")
    passed: list[int] = []

    def attempts() -> None:
        passed.append(sum(limiter.hit("9.9.9.9", 100.0) is None for _ in range(25)))

    threads = [threading.Thread(target=attempts) for _ in range(4)]
    start.wait(timeout=60)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    allowed.put(sum(passed))


def test_processes_sharing_the_file_allow_the_limit_once_between_them(tmp_path: Path) -> None:
    """Four processes of four threads try 100 sign-ins each from one address: ten pass in all."""
    context = multiprocessing.get_context("spawn")
    allowed: multiprocessing.Queue[int] = context.Queue()
    start = context.Barrier(4)
    path = str(tmp_path / "serve.limits")
    workers = [context.Process(target=_hammer, args=(path, start, allowed)) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        counts = [allowed.get(timeout=120) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    assert sum(counts) == 10
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]


def test_a_file_that_cannot_be_written_falls_back_to_counting_here(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = SharedRateLimiter(2, 60.0, tmp_path / "missing" / "serve.limits", "login")
    assert [limiter.hit("1.2.3.4", at) for at in (0.0, 1.0, 2.0)] == [None, None, 58.0]
    assert "counting in this process" in caplog.text


def test_a_refusal_with_no_limit_at_all_says_how_long_and_leaves_no_transaction(
    tmp_path: Path,
) -> None:
    limiter = SharedRateLimiter(0, 60.0, tmp_path / "serve.limits", "login")
    assert limiter.hit("1.2.3.4", 5.0) == 60.0
    assert limiter.hit("1.2.3.4", 6.0) == 60.0


def test_expired_hits_of_every_key_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limit, "SWEEP_EVERY", 5)
    limiter = SharedRateLimiter(100, 60.0, tmp_path / "serve.limits", "form")
    for n in range(4):
        assert limiter.hit(f"address {n}", float(n)) is None
    assert limiter.hit("late", 500.0) is None  # the fifth hit sweeps the expired four
    with closing(sqlite3.connect(tmp_path / "serve.limits")) as connection:
        keys = [key for (key,) in connection.execute("SELECT key FROM hits")]
    assert keys == ["late"]
