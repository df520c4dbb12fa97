"""Reading other systems' exports: file formats, cell values and column mappings.

The import service (``silverplatter.services.importing``) drives these pieces;
nothing here touches the database.
"""

from __future__ import annotations


class ImportFileError(ValueError):
    """A problem with the whole file (not one row); the message says what to do about it."""


__all__ = ["ImportFileError"]
