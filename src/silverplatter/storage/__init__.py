"""Storage: tables, statements per aggregate, migrations.

Importing any storage module registers every table on ``schema.metadata``:
the aggregates added after the foundation keep their tables in their own
``*_schema`` modules, imported here.
"""

from silverplatter.storage import (
    access_schema,
    capture_schema,
    engagement_schema,
    handover_schema,
    lifecycle_schema,
    list_indexes,
    nurture_schema,
    planning_schema,
    predictive_schema,
    segment_schema,
    snapshot_schema,
    understanding_schema,
)

__all__ = [
    "access_schema",
    "capture_schema",
    "engagement_schema",
    "handover_schema",
    "lifecycle_schema",
    "list_indexes",
    "nurture_schema",
    "planning_schema",
    "predictive_schema",
    "segment_schema",
    "snapshot_schema",
    "understanding_schema",
]
