"""Snapshots of figures that read the whole list (the dashboard, the list KPIs).

On a big workspace these figures take tens of seconds to count; pages show
the latest snapshot, with its moment, while a fresh one is counted in the
background (``services/figure_snapshots.py``).  One row per kind of figure.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table

from silverplatter.storage.schema import metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

figure_snapshots = Table(
    "figure_snapshots",
    metadata,
    # The kind of figures and their parameters: "dashboard", "list_kpis:12", ...
    Column("name", String(100), primary_key=True),
    # The moment the figures describe, and how long counting them took.
    Column("as_of", UtcDateTime, nullable=False),
    Column("seconds", Float(precision=53), nullable=False),
    Column("figures", JsonDocument, nullable=False),
)
