"""Silverplatter: outside-in B2B lead management."""

from silverplatter import sqlite_library

__version__ = "0.1.0"

#: Whether SQLite's memory statistics are off in this process (``sqlite_library``).
SQLITE_MEMSTATUS_OFF = sqlite_library.configure()

__all__ = ["SQLITE_MEMSTATUS_OFF", "__version__"]
