"""Tables of planning and insight (domain §5, §11): marketing's plans and service
level, what each channel cost, owners' tasks, imported lists of people who are
not (yet) contacts, and where contacts have worked.

- ``marketing_plans``: a backward plan from a sales target.  ``inputs`` holds
  what the plan was computed from (target, deal size, the measured stage
  conversion rates and durations with their uncertainty); ``months`` holds the
  computed need per month (opportunities, SQLs, MQLs, new addresses and when
  they must arrive).  The one ``active`` plan is marketing's service level
  (``sla_sqls_per_month``), tracked against actuals.
- ``channel_costs``: money spent per channel and month, for cost per MQL/SQL.
- ``tasks``: something an owner should do about a contact or an account,
  created by a user, by lost-lead mining or by a champion's move.
- ``people_lists`` / ``people_list_entries``: imported social followers and
  satisfaction (NPS) survey respondents, matched to contacts where possible.
- ``employment_history``: the accounts a contact has worked at; a move to a
  new account is recorded in ``champion_moves`` and alerts both owners.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from silverplatter.storage.schema import contacts, metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

marketing_plans = Table(
    "marketing_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    # First day of the plan's first month, and how many months it covers.
    Column("starts_on", Date, nullable=False),
    Column("months_count", Integer, nullable=False),
    Column("revenue_target", Numeric(18, 2), nullable=False),
    Column("average_deal_size", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("inputs", JsonDocument, nullable=False, default=dict),
    Column("months", JsonDocument, nullable=False, default=list),
    Column("sla_sqls_per_month", Integer, nullable=False),
    Column("sla_mqls_per_month", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("months_count BETWEEN 1 AND 36", name="months_count"),
    CheckConstraint("revenue_target > 0", name="revenue_target"),
    CheckConstraint("average_deal_size > 0", name="average_deal_size"),
)

channel_costs = Table(
    "channel_costs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(60), nullable=False),
    # First day of the month the money was spent in.
    Column("month", Date, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("note", String(300)),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "month", name="uq_channel_costs_channel_month"),
    CheckConstraint("amount >= 0", name="amount"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("notes", Text),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE")),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE")),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("due_on", Date),
    Column("status", String(10), nullable=False, default="open"),
    # Where it came from: "user", "mining:<section>", "champion_move", ...
    Column("source", String(60), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    CheckConstraint("status IN ('open', 'done')", name="status"),
    Index("ix_tasks_owner_status", "owner_id", "status"),
    Index("ix_tasks_contact", "contact_id"),
    Index("ix_tasks_account", "account_id"),
)

people_lists = Table(
    "people_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    # Where it came from: "linkedin", "x", "survey tool", a file name...
    Column("source", String(200)),
    Column("imported_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("imported_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('social_followers', 'nps_survey')", name="kind"),
)

people_list_entries = Table(
    "people_list_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "list_id",
        Integer,
        ForeignKey("people_lists.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("email", String(320)),
    Column("full_name", String(200)),
    Column("company", String(300)),
    Column("linkedin_url", String(300)),
    Column("handle", String(200)),
    # NPS answers: 0-10, the comment and when it was given.
    Column("score", Integer),
    Column("comment", Text),
    Column("answered_at", UtcDateTime),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    CheckConstraint("score BETWEEN 0 AND 10", name="score"),
)

employment_history = Table(
    "employment_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "contact_id",
        Integer,
        ForeignKey("contacts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    # Kept as written so the history survives the account's deletion.
    Column("account_name", String(300), nullable=False),
    Column("email", String(320)),
    Column("title", String(200)),
    Column("started_at", UtcDateTime),
    Column("ended_at", UtcDateTime),
)

champion_moves = Table(
    "champion_moves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "contact_id",
        Integer,
        ForeignKey("contacts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # The record of the person at the new account, when it is a separate contact.
    Column("new_contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("from_account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("to_account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    # How the move was recognised: "linkedin", "name_domain", "user".
    Column("matched_by", String(20), nullable=False),
    Column("detected_at", UtcDateTime, nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    CheckConstraint("matched_by IN ('linkedin', 'name_domain', 'user')", name="matched_by"),
    UniqueConstraint("contact_id", "to_account_id", name="uq_champion_moves_contact_to"),
)

#: Champion-move detection finds the earlier records of a person by their LinkedIn
#: profile once per imported batch; without this index that read the whole list.
Index(
    "ix_contacts_linkedin_url",
    contacts.c.linkedin_url,
    sqlite_where=text("linkedin_url IS NOT NULL"),
    postgresql_where=text("linkedin_url IS NOT NULL"),
)
