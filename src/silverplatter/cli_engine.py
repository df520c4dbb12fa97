"""Commands for model, engine recompute and explain: thin adapters over the services."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``silverplatter`` command."""
