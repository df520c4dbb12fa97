"""Tables of the engagement aggregate, registered on the workspace metadata."""

from __future__ import annotations

from silverplatter.storage.schema import metadata

__all__ = ["metadata"]
