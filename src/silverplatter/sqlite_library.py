"""SQLite's process-wide settings, made before the library starts.

SQLite keeps statistics of its memory (``sqlite3_memory_used``) unless told
not to, and counts every allocation under one mutex for the whole process.
Debian's library is built without the per-connection "lookaside" allocator,
so every small allocation of every statement goes through that mutex: two
threads that each run a long statement on their own connection wait for each
other at every step.  Measured on a million-contact workspace (2 cores):
the engagement as of a cut-off and the behaviour pass of predictive
training, on two threads, 45.0 and 36.1 s with the statistics and 27.2 and
18.7 s without (alone, one after the other: 30.0 and 21.4 s);
docs/benchmarks.md has the figures.

Nothing here reads the statistics, so they are switched off, with
``sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)``.  SQLite accepts the setting
only before it initialises, which Python's ``sqlite3`` does when it is
imported: the package runs :func:`configure` on its own import, before any
of its modules imports ``sqlite3``.  If ``sqlite3`` was imported first (a
tool that loaded the package late), SQLite refuses the setting and keeps
its statistics: slower with threads, otherwise the same.
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys

#: ``SQLITE_CONFIG_MEMSTATUS`` in sqlite3.h.
CONFIG_MEMSTATUS = 9
SQLITE_OK = 0


def configure() -> bool:
    """Switch SQLite's memory statistics off; whether the library took the setting.

    The library is found through the ``_sqlite3`` extension module's own file,
    so the setting reaches the SQLite that Python's ``sqlite3`` uses (linked
    in or loaded beside it), without importing the module.  Only on Linux,
    where passing an int to the C function's variadic argument through
    ``ctypes`` follows the platform's calling convention.
    """
    if sys.platform != "linux" or "_sqlite3" in sys.modules:
        return False
    spec = importlib.util.find_spec("_sqlite3")
    if spec is None or not spec.origin:
        return False
    try:
        library = ctypes.CDLL(spec.origin)
        sqlite3_config = library.sqlite3_config
    except (OSError, AttributeError):
        return False
    sqlite3_config.restype = ctypes.c_int
    return bool(sqlite3_config(CONFIG_MEMSTATUS, ctypes.c_int(0)) == SQLITE_OK)


__all__ = ["configure"]
