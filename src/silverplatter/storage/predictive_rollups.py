"""Account rollups for a few contacts scored now, without gathering their accounts.

A contact's account rollups — contacts at the account, those of them with
events in the 90 days before the cut-off, their summed engagement score —
are sums over everyone at the account.  A gather of every contact has all
their columns and sums them (``account_rollups``).  A gather of a few
contacts (rescoring an event batch's contacts, a page that shows contacts)
took in every contact at their accounts with every feature column to sum
three (in the million-contact demo, about 8 contacts an account: 400
contacts meant gathering about 3,100).  Here one narrow statement reads only what the sums
need for everyone at those accounts (id, account, an event in the 90 days
or not, the engagement score now), and the same ``account_rollups`` sums
them in the same order of ids, so the values equal a full gather's to the
last bit (tested).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Float, case, exists, func, literal, select

from silverplatter.domain.predictive_features import FeatureTable, Matrix, account_rollups
from silverplatter.services.scoring_models import ModelVersion
from silverplatter.storage.bulk_columns import Rows, number_matrix
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.predictive_behaviour import engagement_now, positions_of
from silverplatter.storage.schema import contacts, events


def rollup_statement(cutoff: Any, model: ModelVersion | None, mates: Any, dialect: str) -> Rows:
    """Per contact in ``mates``: id, account (0: none), 1.0 if it had an event in the
    90 days before the cut-off (else 0.0), and its engagement score now."""
    recent = exists().where(
        events.c.contact_id == contacts.c.id,
        events.c.occurred_at >= cutoff - timedelta(days=90),
        events.c.occurred_at < cutoff,
    )
    score = (
        engagement_now(model, cutoff.timestamp(), dialect)
        if model is not None
        else literal(0.0, Float)
    )
    return (
        select(
            contacts.c.id,
            func.coalesce(contacts.c.account_id, 0),
            case((recent, 1.0), else_=0.0),
            score,
        )
        .select_from(
            contacts.outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id)
        )
        .where(contacts.c.id.in_(mates))
        .order_by(contacts.c.id)
    )


def read_rollups(
    connection: Any,
    *,
    cutoff: Any,
    model: ModelVersion | None,
    mates: Any,
    contact_ids: npt.NDArray[np.int64],
) -> dict[str, Matrix]:
    """The rollup columns for ``contact_ids`` (each among ``mates``, who are everyone
    at their accounts); ``nan`` for a contact no longer there."""
    statement = rollup_statement(cutoff, model, mates, connection.dialect.name)
    rows = number_matrix(connection, statement, 4)
    rows = rows[np.argsort(rows[:, 0], kind="stable")]  # PostgreSQL's come in no order
    rolled = account_rollups(rows[:, 1].astype(np.int64), rows[:, 2], rows[:, 3])
    position = positions_of(rows[:, 0].astype(np.int64), contact_ids)
    missing = position < 0
    columns: dict[str, Matrix] = {}
    for name, values in rolled.items():
        picked = values[position] if values.size else np.full(position.size, math.nan)
        picked[missing] = math.nan
        columns[name] = picked
    return columns


def add_rollups(table: FeatureTable, rolled: dict[str, Any] | None = None) -> None:
    """Account-level engagement: ``rolled`` when read apart, else from the contacts' own
    columns (all of an account's contacts are in the table: a partial gather at a
    cut-off in the past takes them in)."""
    size = len(table)
    recent = table.columns.get("events.all.90d")
    scores = table.columns.get("score.engagement")
    rollups = (
        rolled
        if rolled is not None
        else account_rollups(
            table.account_ids,
            recent if isinstance(recent, np.ndarray) else np.zeros(size),
            scores if isinstance(scores, np.ndarray) else np.zeros(size),
        )
    )
    rollup_labels = {
        "account.contacts": "contacts at the account",
        "account.engaged_contacts.90d": "contacts at the account with events in 90 days",
        "account.score": "account's summed engagement score",
    }
    for name, values in rollups.items():
        table.columns[name] = values
        table.kinds[name] = "number"
        table.labels[name] = rollup_labels[name]


__all__ = ["add_rollups", "read_rollups", "rollup_statement"]
