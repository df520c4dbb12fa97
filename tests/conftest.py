"""Test fixtures: real SQLite and real PostgreSQL workspaces.

Tests that take the ``engine`` fixture run once per backend.  The PostgreSQL
run creates its own database on 127.0.0.1:5432 for the session and drops it
afterwards.  Under ``CI=true`` a missing PostgreSQL fails the run instead of
skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text

from silverplatter.services.users import use_hasher
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import metadata

BACKENDS = ("sqlite", "postgresql")

# Cheap argon2 parameters keep the suite fast; production keeps the library's defaults.
use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
_ran_on: Counter[str] = Counter()


def _postgres_or_skip(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite workspace that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (or xdist worker)."""
    from sqlalchemy.engine import make_url

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"silverplatter_test_{worker}_{uuid.uuid4().hex[:10]}"
    try:
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A throwaway database need not wait for the disk on each commit:
            # it only loses data if the server itself crashes.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:  # connection refused, no such role ...
        _postgres_or_skip(str(error).splitlines()[0])
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Which tables hold rows, in one round trip.
_FILLED_TABLES = text(
    " UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT FROM \"{table.name}\")"
        for table in metadata.sorted_tables
    )
)
# Every sequence a test drew from starts again at its first value, as
# TRUNCATE ... RESTART IDENTITY would do (a failed insert draws one too).
_RESTART_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
    " FROM pg_sequences WHERE last_value IS NOT NULL"
)


def _empty_postgres(engine: Engine) -> None:
    """Empty the workspace again: the tables the test filled, and the sequences.

    Deleting the rows of the few tables a test wrote takes milliseconds;
    TRUNCATE of all the tables made new files for every table and index and
    took 0.6-2 s per test on a busy two-core machine, most of a PostgreSQL
    test's time.  Children go before their parents, so no foreign key stands
    in the way.
    """
    with engine.begin() as connection:
        filled = set(connection.execute(_FILLED_TABLES).scalars())
        for table in reversed(metadata.sorted_tables):
            if table.name in filled:
                connection.execute(text(f'DELETE FROM "{table.name}"'))
        connection.execute(_RESTART_SEQUENCES)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """URL of an empty, migrated workspace on the current backend."""
    if backend == "sqlite":
        path = tmp_path / "workspace.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    _empty_postgres(engine)
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty, migrated workspace, SQLite and PostgreSQL in turn."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last, keeping every other test's order.

    Playwright's synchronous API keeps its event loop registered as the main
    thread's running loop for as long as the session's browser is open, so a
    test calling ``asyncio.run`` after a browser test would find a loop
    already running.  xdist hands each worker its tests in this order too.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _module_of(nodeid: str) -> str:
    """The test's module; the browser tests count as one module."""
    module = nodeid.split("::", 1)[0]
    return "tests/browser/" if module.startswith("tests/browser/") else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadfile`` (``make test``), each module goes whole to one worker.

    A module's tests then run in the order written, on one worker, as in a
    run without xdist: module-scoped worlds are built once, and a module's
    tests that share something outside the process (test_jobs's Redis
    database, the task-queue file in the working directory that
    test_mail_courier's PostgreSQL apps use) never run at the same time.  The
    browser tests go together to one worker, which builds the demo workspace,
    serves it and opens Chromium once, and runs them after the rest it was
    given.

    xdist's own loadfile knows tests by node id, and schemathesis gives all
    204 operations of test_openapi_fuzz the same one, so all but one would be
    dropped; this keeps xdist's load scheduling, which counts by position,
    and only lets every chunk it sends run on to the end of a module.
    """
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScheduling

    class ModuleScheduling(LoadScheduling):
        def _send_tests(self, node: Any, num: int) -> None:
            if self.collection is None or not self.pending:
                return
            end = min(max(num, 1), len(self.pending))
            module = _module_of(self.collection[self.pending[end - 1]])
            while (
                end < len(self.pending) and _module_of(self.collection[self.pending[end]]) == module
            ):
                end += 1
            super()._send_tests(node, end)

    return ModuleScheduling(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    if report.when == "call" and callspec is not None:
        chosen = callspec.params.get("backend")
        if chosen in BACKENDS:
            # Kept on the report, which xdist carries from its worker to the summary.
            report.backend = chosen


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backend = getattr(report, "backend", None)
    if report.when == "call" and report.passed and backend in BACKENDS:
        _ran_on[backend] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = ", ".join(f"{_ran_on[name]} on {name}" for name in BACKENDS)
    terminalreporter.write_line(f"storage tests passed: {counts}")
