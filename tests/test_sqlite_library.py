"""SQLite's memory statistics are off in a process that imports the package first.

Each case runs in a fresh interpreter: the setting is taken only before the
library starts, which this test process did long ago.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_REPORT = """
import ctypes, importlib.util, sqlite3
library = ctypes.CDLL(importlib.util.find_spec("_sqlite3").origin)
library.sqlite3_memory_used.restype = ctypes.c_int64
connection = sqlite3.connect(":memory:")
connection.execute("CREATE TABLE t (x)")
connection.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
total = connection.execute("SELECT sum(x) FROM t").fetchone()[0]
print(silverplatter.SQLITE_MEMSTATUS_OFF, library.sqlite3_memory_used() > 0, total)
"""


def _run(first_lines: str) -> str:
    program = textwrap.dedent(first_lines) + _REPORT
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="the setting is made on Linux only")
def test_importing_the_package_first_switches_the_statistics_off() -> None:
    assert _run("import silverplatter\n") == "True False 499500"


@pytest.mark.skipif(sys.platform != "linux", reason="the setting is made on Linux only")
def test_after_sqlite3_was_imported_the_library_keeps_its_statistics_and_works() -> None:
    assert _run("import sqlite3\nimport silverplatter\n") == "False True 499500"
