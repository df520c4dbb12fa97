"""Tables of customer understanding (domain §9, §10): zipper boards, worries and
their tags and profiles, strategy documents with history, needs and competitor
grids, Kano studies.

A zipper board is one JSON document (lanes, steps, touchpoints, situations and
the worries and solutions placed on them, ``domain/zipper.py``) with every
saved version kept; worries themselves are rows, so content can be tagged with
them and each contact and account gets a decayed worry profile.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from silverplatter.storage.schema import metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

zipper_boards = Table(
    "zipper_boards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("needs_segment_id", Integer, ForeignKey("needs_segments.id", ondelete="SET NULL")),
    Column("document", JsonDocument, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

zipper_board_versions = Table(
    "zipper_board_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("board_id", Integer, ForeignKey("zipper_boards.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JsonDocument, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("board_id", "version", name="uq_zipper_board_versions_board_version"),
)

#: A customer's worry in a situation; placed on boards, tagged on content.
worries = Table(
    "worries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("talking_point", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: Which content answers which worry.  ``target_kind``: url_pattern (a page
#: path pattern such as ``/guides/erp-*``), lead_magnet, form, email (a
#: template or campaign key) or content (a content id/tag on events).
worry_tags = Table(
    "worry_tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("worry_id", Integer, ForeignKey("worries.id", ondelete="CASCADE"), nullable=False),
    Column("target_kind", String(20), nullable=False),
    Column("target", String(300), nullable=False),
    Column("weight", Float, nullable=False, default=1.0),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("worry_id", "target_kind", "target", name="uq_worry_tags_target"),
    CheckConstraint(
        "target_kind IN ('url_pattern', 'lead_magnet', 'form', 'email', 'content')",
        name="target_kind",
    ),
)

#: Decayed worry values, kept like scores: a value and the time it is valid at.
contact_worries = Table(
    "contact_worries",
    metadata,
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("worry_id", Integer, ForeignKey("worries.id", ondelete="CASCADE"), nullable=False),
    Column("value", Float, nullable=False),
    Column("valid_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("contact_id", "worry_id", name="pk_contact_worries"),
    Index("ix_contact_worries_worry", "worry_id"),
)

account_worries = Table(
    "account_worries",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("worry_id", Integer, ForeignKey("worries.id", ondelete="CASCADE"), nullable=False),
    Column("value", Float, nullable=False),
    Column("valid_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("account_id", "worry_id", name="pk_account_worries"),
    Index("ix_account_worries_worry", "worry_id"),
)

#: Structured strategy documents with history: the strategic core questions,
#: SWOT and PEST boards, the target-customer definition with its assumptions.
strategy_documents = Table(
    "strategy_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("slug", String(100), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("body", JsonDocument, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('core_questions', 'swot', 'pest', 'target_customer')", name="kind"),
)

strategy_document_versions = Table(
    "strategy_document_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("strategy_documents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("body", JsonDocument, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("document_id", "version", name="uq_strategy_document_versions_version"),
)

#: A needs and competitor grid (domain §10).
need_grids = Table(
    "need_grids",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

grid_needs = Table(
    "grid_needs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("grid_id", Integer, ForeignKey("need_grids.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("grid_id", "name", name="uq_grid_needs_name"),
)

grid_competitors = Table(
    "grid_competitors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("grid_id", Integer, ForeignKey("need_grids.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("is_us", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("grid_id", "name", name="uq_grid_competitors_name"),
)

#: Who rated: an internal rater (with department) or a customer's survey answer.
grid_raters = Table(
    "grid_raters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("grid_id", Integer, ForeignKey("need_grids.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("department", String(100)),
    Column("source", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("grid_id", "source", "name", name="uq_grid_raters_name"),
    CheckConstraint("source IN ('internal', 'customer')", name="source"),
)

#: A rater's 100 points over the needs.
grid_weights = Table(
    "grid_weights",
    metadata,
    Column("rater_id", Integer, ForeignKey("grid_raters.id", ondelete="CASCADE"), nullable=False),
    Column("need_id", Integer, ForeignKey("grid_needs.id", ondelete="CASCADE"), nullable=False),
    Column("points", Float, nullable=False),
    PrimaryKeyConstraint("rater_id", "need_id", name="pk_grid_weights"),
    CheckConstraint("points >= 0 AND points <= 100", name="points"),
)

#: A rater's 0–10 score of one competitor (or us) on one need.
grid_scores = Table(
    "grid_scores",
    metadata,
    Column("rater_id", Integer, ForeignKey("grid_raters.id", ondelete="CASCADE"), nullable=False),
    Column("need_id", Integer, ForeignKey("grid_needs.id", ondelete="CASCADE"), nullable=False),
    Column(
        "competitor_id",
        Integer,
        ForeignKey("grid_competitors.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("score", Float, nullable=False),
    PrimaryKeyConstraint("rater_id", "need_id", "competitor_id", name="pk_grid_scores"),
    CheckConstraint("score >= 0 AND score <= 10", name="score"),
)

kano_studies = Table(
    "kano_studies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

kano_features = Table(
    "kano_features",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", Integer, ForeignKey("kano_studies.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("study_id", "name", name="uq_kano_features_name"),
)

#: One respondent's functional/dysfunctional pair for one feature (1–5 each:
#: like, expect, neutral, live with, dislike).
kano_answers = Table(
    "kano_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", Integer, ForeignKey("kano_studies.id", ondelete="CASCADE"), nullable=False),
    Column(
        "feature_id", Integer, ForeignKey("kano_features.id", ondelete="CASCADE"), nullable=False
    ),
    Column("respondent", String(200), nullable=False),
    Column("segment", String(100)),
    Column("functional", Integer, nullable=False),
    Column("dysfunctional", Integer, nullable=False),
    UniqueConstraint("feature_id", "respondent", name="uq_kano_answers_respondent"),
    CheckConstraint("functional BETWEEN 1 AND 5", name="functional"),
    CheckConstraint("dysfunctional BETWEEN 1 AND 5", name="dysfunctional"),
)
