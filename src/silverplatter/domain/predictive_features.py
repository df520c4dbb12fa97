"""What predictive scoring learns from: outcomes, features as of a cut-off, their encoding.

A training example is a contact as it stood at a *cut-off* moment: its
profile, its custom properties, its grade components, and its behaviour
aggregated from events that occurred strictly **before** the cut-off.  The
label is whether it reached the outcome (became SQL, became an opportunity,
was won) within ``horizon_days`` after the cut-off.  Contacts that had
already reached the outcome by the cut-off are not examples.

Profile fields and custom properties have no history: they are read as
they are now, which is why the trainer checks every column for leaks
(``domain/predictive_checks.py``).

The SQL that gathers the columns is ``storage/predictive_sql.py``; this
module names the columns, derives the account-level rollups and turns the
gathered columns into the numeric matrix the model reads, with the category
vocabularies learnt once and stored with the model.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from silverplatter.domain.predictive_texts import TextColumn

Matrix = npt.NDArray[np.float64]
Kind = Literal["number", "category"]


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    label: str
    #: Reaching any of these stages counts as the outcome.
    stages: tuple[str, ...]
    #: A won opportunity of the contact counts too.
    won_deals: bool = False


OUTCOMES: Final = {
    outcome.name: outcome
    for outcome in (
        Outcome("sql", "became SQL", ("sql", "sal", "opportunity", "customer")),
        Outcome("opportunity", "became an opportunity", ("opportunity", "customer")),
        Outcome("won", "became a customer", ("customer",), won_deals=True),
    )
}

#: Windows (days before the cut-off) that behaviour is counted in; "all" is every earlier event.
WINDOWS: Final = (30, 90, 365)
#: At most this many event types get their own count columns (the most frequent).
MAX_EVENT_TYPES: Final = 25
#: Categories beyond the most frequent ones share one "(other)" code.
MAX_CATEGORIES: Final = 40
OTHER: Final = "(other)"
DAY: Final = 86_400.0

#: Profile columns read from the contact and its account (as they are now).
PROFILE: Final[tuple[tuple[str, Kind], ...]] = (
    ("contact.seniority", "category"),
    ("contact.department", "category"),
    ("contact.decision_role", "category"),
    ("contact.country", "category"),
    ("contact.source", "category"),
    ("account.industry", "category"),
    ("account.country", "category"),
    ("account.employees", "number"),
    ("account.annual_revenue", "number"),
    ("account.value_tier", "category"),
    ("account.needs_segment", "category"),
)


def property_kind(property_type: str) -> Kind | Literal["date"]:
    """How a custom property of this type is fed to the model."""
    if property_type in ("number", "boolean"):
        return "number"
    if property_type == "date":
        return "date"
    return "category"


def event_columns(event_types: Sequence[str]) -> list[str]:
    """Count columns per event type and window, in a fixed order."""
    names = []
    for event_type in event_types:
        names += [f"events.{event_type}.{days}d" for days in WINDOWS]
        names.append(f"events.{event_type}.all")
    return names


BEHAVIOUR_NUMBERS: Final = (
    "contact.age_days",
    "events.days_since_last",
    "events.days_since_first",
    "score.engagement",
    "account.events.90d",
)
#: Derived per account from its contacts' columns (:func:`account_rollups`).
ROLLUPS: Final = ("account.contacts", "account.engaged_contacts.90d", "account.score")


@dataclass(frozen=True, slots=True)
class Feature:
    """One column of the model's matrix; a category keeps its vocabulary."""

    name: str
    kind: Kind
    label: str
    categories: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "label": self.label}
        if self.kind == "category":
            data["categories"] = list(self.categories)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Feature:
        return cls(
            str(data["name"]),
            "category" if data["kind"] == "category" else "number",
            str(data.get("label") or data["name"]),
            tuple(str(c) for c in data.get("categories", ())),
        )


@dataclass
class FeatureTable:
    """Columns gathered for a set of contacts, before encoding.

    ``columns`` holds numbers (floats, ``nan`` when unknown) or texts
    (``None`` when unknown; gathered ones as a :class:`TextColumn`) per
    feature name; ``kinds`` says which.
    """

    contact_ids: npt.NDArray[np.int64]
    #: Seconds since the epoch each contact was created (time-ordered validation).
    created: Matrix
    account_ids: npt.NDArray[np.int64]
    columns: dict[str, list[Any] | TextColumn | Matrix]
    kinds: dict[str, Kind]
    labels: dict[str, str]
    #: 1 when the contact reached the outcome within the horizon (training only).
    outcome: npt.NDArray[np.int8] | None = None
    #: The event types that have count columns, in column order.
    event_types: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.contact_ids.shape[0])

    def take(self, mask: npt.NDArray[np.bool_]) -> FeatureTable:
        """The rows where ``mask`` holds."""
        columns: dict[str, list[Any] | TextColumn | Matrix] = {}
        indices = np.flatnonzero(mask)
        for name, values in self.columns.items():
            if isinstance(values, np.ndarray):
                columns[name] = values[mask]
            elif isinstance(values, TextColumn):
                columns[name] = values.take(indices)
            else:
                columns[name] = [values[i] for i in indices]
        return FeatureTable(
            self.contact_ids[mask],
            self.created[mask],
            self.account_ids[mask],
            columns,
            dict(self.kinds),
            dict(self.labels),
            None if self.outcome is None else self.outcome[mask],
            self.event_types,
        )


def numbers(values: Sequence[Any]) -> Matrix:
    """Floats from database values; ``None`` and booleans handled, unknown is ``nan``."""
    if not len(values):
        return np.empty(0, dtype=np.float64)
    try:  # numbers and None (as nan) convert in one go
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    array = np.asarray(values, dtype=object)
    missing = np.array([value is None for value in values], dtype=bool)
    array[missing] = math.nan
    return np.asarray(array, dtype=np.float64)


def account_rollups(
    account_ids: npt.NDArray[np.int64], recent_events: Matrix, scores: Matrix
) -> dict[str, Matrix]:
    """Per contact, its account's contacts, contacts engaged in 90 days, and summed score.

    A contact without an account (id 0) gets ``nan``: there is no account to speak of.
    """
    if account_ids.size == 0:
        empty = np.empty(0, dtype=np.float64)
        return {name: empty for name in ROLLUPS}
    size = int(account_ids.max()) + 1
    engaged = (np.nan_to_num(recent_events) > 0).astype(np.float64)
    contacts = np.bincount(account_ids, minlength=size).astype(np.float64)
    engaged_sum = np.bincount(account_ids, weights=engaged, minlength=size).astype(np.float64)
    score_sum = np.bincount(account_ids, weights=np.nan_to_num(scores), minlength=size).astype(
        np.float64
    )
    none = account_ids == 0
    result: dict[str, Matrix] = {
        "account.contacts": contacts[account_ids],
        "account.engaged_contacts.90d": engaged_sum[account_ids],
        "account.score": score_sum[account_ids],
    }
    for values in result.values():
        values[none] = math.nan
    return result


def learn_features(table: FeatureTable) -> list[Feature]:
    """The model's columns and their category vocabularies, learnt from training rows."""
    features = []
    for name in table.columns:
        kind = table.kinds[name]
        label = table.labels.get(name, name)
        if kind == "number":
            features.append(Feature(name, "number", label))
            continue
        values = table.columns[name]
        counts = (
            values.counts()
            if isinstance(values, TextColumn)
            else Counter(value for value in values if value is not None)
        )
        ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
        kept = tuple(str(value) for value, _count in ranked[:MAX_CATEGORIES])
        if len(ranked) > MAX_CATEGORIES:
            kept += (OTHER,)
        features.append(Feature(name, "category", label, kept))
    return features


def encode(table: FeatureTable, features: Sequence[Feature]) -> Matrix:
    """The matrix the model reads: numbers as they are, categories as vocabulary codes.

    A category value outside the vocabulary takes the ``(other)`` code when
    the vocabulary has one and is unknown (``nan``) otherwise; a feature the
    table lacks is unknown throughout.  The matrix is column-major: each
    feature's values lie together, as they are written here and read by the
    naive-Bayes baseline; LightGBM reads either layout (take rows with
    :func:`rows_of` to keep it).
    """
    matrix = np.full((len(table), len(features)), math.nan, dtype=np.float64, order="F")
    for position, feature in enumerate(features):
        values = table.columns.get(feature.name)
        if values is None:
            continue
        if feature.kind == "number":
            matrix[:, position] = values if isinstance(values, np.ndarray) else numbers(values)
            continue
        if isinstance(values, TextColumn):  # the few distinct values looked up once
            per_value = category_codes(values.values, feature.categories)
            matrix[:, position] = values.spread(per_value)
            continue
        listed = values if isinstance(values, list) else values.tolist()
        matrix[:, position] = category_codes(listed, feature.categories)
    return matrix


def rows_of(matrix: Matrix, rows: npt.NDArray[Any]) -> Matrix:
    """The rows picked by a mask or by indices, column-major as :func:`encode` gives.

    ``matrix[rows]`` would give a row-major copy, whose columns are then read
    at a stride; picking the columns of the transpose keeps each feature's
    values together (``compress`` with a mask: 0.11 s for 800,000 of a
    million rows of fifty features, against 0.20 s).
    """
    picked = (
        matrix.T.compress(rows, axis=1)
        if rows.dtype == np.bool_
        else np.take(matrix.T, rows, axis=1)
    )
    return np.asarray(picked.T, dtype=np.float64)


def category_codes(values: Sequence[Any], categories: Sequence[str]) -> Matrix:
    """Each value's position in ``categories``; ``(other)``'s (or ``nan``) when not there.

    The few distinct values are looked up once and the column is mapped in C
    (``map`` over a dict's ``__getitem__``): a Python step per cell cost 7 s
    for a million contacts' dozen category columns.
    """
    codes = {value: float(code) for code, value in enumerate(categories)}
    other = codes.get(OTHER, math.nan)
    if not set(map(type, values)) <= {str, type(None)}:  # as text: 1 and True differ
        values = [None if value is None else str(value) for value in values]
    lookup: dict[Any, float] = {
        value: math.nan if value is None else codes.get(value, other) for value in set(values)
    }
    return np.fromiter(map(lookup.__getitem__, values), dtype=np.float64, count=len(values))
