"""The tier × needs matrix: offer modules per cell, a care model per tier, the pyramid's counts.

The pyramid has one band per tier (gold at the top) split into one cell per
needs segment, in their order, plus a last cell for accounts with no needs
segment (or one whose name is not a needs segment's — imported free text);
unclassified accounts are counted beside it.  Each cell counts accounts and
the contacts at them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.tier_matrix import (
    MatrixError,
    MatrixInvalid,
    care_model_fields,
    invalid,
    offer_cell_fields,
)
from silverplatter.domain.value_tiers import ALL_TIERS, RANKED_TIERS, UNCLASSIFIED
from silverplatter.services.needs_segments import NeedsSegment, list_needs_segments
from silverplatter.storage import tier_matrix as store

#: The pyramid column of accounts without a (known) needs segment.
NO_NEEDS: Final = ""
NO_NEEDS_LABEL: Final = "No needs segment"


@dataclass(frozen=True)
class OfferCell:
    tier: str
    needs_segment: str
    modules: tuple[str, ...]
    notes: str | None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class OfferMatrix:
    needs_segments: list[NeedsSegment]
    cells: dict[tuple[str, str], OfferCell] = field(default_factory=dict)

    def cell(self, tier: str, needs_slug: str) -> OfferCell:
        return self.cells.get((tier, needs_slug)) or OfferCell(tier, needs_slug, (), None)


@dataclass(frozen=True)
class CareModel:
    tier: str
    description: str | None = None
    touches_per_year: int | None = None
    channels: tuple[str, ...] = ()
    owner_role: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PyramidCell:
    accounts: int = 0
    contacts: int = 0


@dataclass(frozen=True)
class Pyramid:
    """Counts per (tier, needs segment column); columns are ``(slug, name)`` in order."""

    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], PyramidCell]
    contacts_without_account: int

    def cell(self, tier: str, column: str) -> PyramidCell:
        return self.cells.get((tier, column), PyramidCell())

    def tier_total(self, tier: str) -> PyramidCell:
        found = [self.cell(tier, key) for key, _label in self.columns]
        return PyramidCell(sum(c.accounts for c in found), sum(c.contacts for c in found))

    def column_total(self, column: str, tiers: Sequence[str] = RANKED_TIERS) -> PyramidCell:
        found = [self.cell(tier, column) for tier in tiers]
        return PyramidCell(sum(c.accounts for c in found), sum(c.contacts for c in found))

    @property
    def accounts(self) -> int:
        return sum(cell.accounts for cell in self.cells.values())


# --- offer matrix --------------------------------------------------------------------


def offer_matrix(connection: Connection) -> OfferMatrix:
    needs = list_needs_segments(connection)
    slugs = {n.id: n.slug for n in needs}
    cells = {
        (row.value_tier, slugs[row.needs_segment_id]): OfferCell(
            row.value_tier,
            slugs[row.needs_segment_id],
            tuple(row.modules or ()),
            row.notes,
            row.updated_at,
        )
        for row in store.cell_rows(connection)
        if row.needs_segment_id in slugs
    }
    return OfferMatrix(needs, cells)


def _tier(value: Any, where: str) -> str:
    if value not in ALL_TIERS:
        raise invalid(where, f"expected one of {', '.join(ALL_TIERS)}, got {value!r}")
    return str(value)


def _needs_id(needs: Sequence[NeedsSegment], slug: Any, where: str) -> int:
    for found in needs:
        if found.slug == slug:
            return found.id
    raise invalid(where, f"there is no needs segment {slug!r}")


def set_offer_cell(
    connection: Connection,
    tier: str,
    needs_slug: str,
    modules: Any,
    notes: Any,
    *,
    now: datetime,
) -> OfferCell:
    """Set the modules (a list, or one a line) and notes of one cell; empty clears it."""
    tier = _tier(tier, "tier")
    needs_id = _needs_id(list_needs_segments(connection), needs_slug, "needs_segment")
    names, cleaned = offer_cell_fields(modules, notes)
    store.put_cell(connection, tier, needs_id, names, cleaned, now=now)
    return offer_matrix(connection).cell(tier, needs_slug)


def replace_offer_matrix(connection: Connection, cells: Any, *, now: datetime) -> OfferMatrix:
    """Replace the whole matrix with ``cells`` (each: tier, needs_segment, modules, notes).

    Every cell is checked first; one bad field leaves the matrix as it was.
    """
    if not isinstance(cells, list):
        raise invalid("cells", "expected a list of cells")
    needs = list_needs_segments(connection)
    checked: dict[tuple[str, int], tuple[list[str], str | None]] = {}
    errors: list[MatrixError] = []
    for number, item in enumerate(cells):
        where = f"cells[{number}]"
        try:
            if not isinstance(item, Mapping):
                raise invalid(where, "expected an object with tier, needs_segment, modules, notes")
            unknown = set(item) - {"tier", "needs_segment", "modules", "notes"}
            if unknown:
                raise invalid(f"{where}.{sorted(unknown)[0]}", "unknown field")
            tier = _tier(item.get("tier"), f"{where}.tier")
            needs_id = _needs_id(needs, item.get("needs_segment"), f"{where}.needs_segment")
            if (tier, needs_id) in checked:
                raise invalid(where, "this cell is given twice")
            checked[(tier, needs_id)] = offer_cell_fields(
                item.get("modules"), item.get("notes"), where=f"{where}."
            )
        except MatrixInvalid as bad:
            errors.extend(bad.errors)
    if errors:
        raise MatrixInvalid(errors)
    store.clear_cells(connection)
    for (tier, needs_id), (names, notes) in checked.items():
        store.put_cell(connection, tier, needs_id, names, notes, now=now)
    return offer_matrix(connection)


# --- care models ---------------------------------------------------------------------


def care_models(connection: Connection) -> dict[str, CareModel]:
    """Every tier's care model, best tier first (empty where none is written yet)."""
    found = {tier: CareModel(tier) for tier in ALL_TIERS}
    for row in store.care_rows(connection):
        found[row.value_tier] = CareModel(
            row.value_tier,
            row.description,
            row.touches_per_year,
            tuple(row.channels or ()),
            row.owner_role,
            row.updated_at,
        )
    return found


def set_care_model(
    connection: Connection, tier: str, document: Mapping[str, Any], *, now: datetime
) -> CareModel:
    tier = _tier(tier, "tier")
    fields = care_model_fields(document)
    store.put_care_model(
        connection,
        tier,
        {
            "description": fields.description,
            "touches_per_year": fields.touches_per_year,
            "channels": list(fields.channels),
            "owner_role": fields.owner_role,
            "updated_at": now,
        },
    )
    return care_models(connection)[tier]


# --- the pyramid ---------------------------------------------------------------------


def pyramid(connection: Connection) -> Pyramid:
    needs = list_needs_segments(connection)
    by_name = {n.name: n.slug for n in needs}
    columns = [(n.slug, n.name) for n in needs] + [(NO_NEEDS, NO_NEEDS_LABEL)]
    cells: dict[tuple[str, str], PyramidCell] = {}
    for tier, name, accounts, people in store.pyramid_counts(connection):
        key = (tier, by_name.get(name or "", NO_NEEDS))
        before = cells.get(key, PyramidCell())
        cells[key] = PyramidCell(before.accounts + accounts, before.contacts + people)
    return Pyramid(columns, cells, store.contacts_without_account(connection))


__all__ = [
    "NO_NEEDS",
    "NO_NEEDS_LABEL",
    "UNCLASSIFIED",
    "CareModel",
    "OfferCell",
    "OfferMatrix",
    "Pyramid",
    "PyramidCell",
    "care_models",
    "offer_matrix",
    "pyramid",
    "replace_offer_matrix",
    "set_care_model",
    "set_offer_cell",
]
