"""Tables of predictive scoring: trained model versions and each contact's probability.

A model version keeps everything needed to score and to explain itself: the
outcome it predicts, the algorithm and its parameters, the feature list (with
the category vocabularies), the validation metrics, and the fitted model as
bytes.  One version at most is active; rolling back activates the previous.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
)

from silverplatter.storage.schema import metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

predictive_models = Table(
    "predictive_models",
    metadata,
    Column("id", Integer, primary_key=True),
    # "sql", "opportunity" or "won", within horizon_days after the cut-off.
    Column("outcome", String(20), nullable=False),
    Column("horizon_days", Integer, nullable=False),
    Column("cutoff", UtcDateTime, nullable=False),
    Column("algorithm", String(40), nullable=False),
    Column("parameters", JsonDocument, nullable=False),
    # [{"name", "kind", "categories"?}, ...] in the model's column order.
    Column("features", JsonDocument, nullable=False),
    Column("metrics", JsonDocument, nullable=False),
    Column("model", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("active", Boolean, nullable=False, default=False),
    Column("activated_at", UtcDateTime),
)

contact_predictions = Table(
    "contact_predictions",
    metadata,
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "model_id",
        Integer,
        ForeignKey("predictive_models.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("probability", Float(precision=53), nullable=False),
    # [[feature label, contribution in log-odds], ...] strongest first.
    Column("contributions", JsonDocument, nullable=False),
    Column("scored_at", UtcDateTime, nullable=False),
    # Half of each page left free on PostgreSQL: a batch scoring updates every row
    # without moving it off its page or touching an index (migration 0026).
    postgresql_with={"fillfactor": 50},
)

__all__ = ["contact_predictions", "predictive_models"]
