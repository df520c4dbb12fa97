"""The List's KPIs: the addresses given with consent are the company's capital (domain §2).

* **New addresses per month** (contacts created), by how the address was
  acquired (``contacts.source``: ``form:<slug>``, ``import:<file>``, ``api`` …),
  and by the form and lead magnet of each person's first form submission;
* **list size**: contacts whose latest e-mail consent is granted or confirmed
  and whose address is not suppressed, against all contacts;
* **leavers per month**: unsubscribed, hard-bounced, complained, blocked by
  hand, erased;
* **list quality**: the share of the list that engaged (opened or clicked an
  e-mail, visited, downloaded, submitted a form) in the last 90 days;
* **owned against bought traffic** per month, and its conversion: the new
  addresses whose first tracked visit (before the address was given) was
  owned or bought, per visitor of that traffic.

This module holds the shapes and the arithmetic; ``storage/list_kpis.py``
counts, ``services/list_kpis.py`` joins the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from silverplatter.domain.dashboard import Month, share

#: Behaviour that counts as engaging with the list.
ENGAGING_EVENTS: Final = (
    "email_open",
    "email_click",
    "email_reply",
    "page_view",
    "content_download",
    "form_submit",
)
#: The window of list quality.
QUALITY_DAYS: Final = 90
#: Why people leave the list, in the order they are shown.
LEAVER_REASONS: Final = ("unsubscribed", "hard_bounce", "complaint", "manual", "erased")
#: How a new address is labelled when its acquisition was not recorded.
UNKNOWN_SOURCE: Final = "unknown"


@dataclass(frozen=True, slots=True)
class Leavers:
    """People who left the list in a month, by why."""

    unsubscribed: int = 0
    hard_bounce: int = 0
    complaint: int = 0
    manual: int = 0
    erased: int = 0

    @property
    def total(self) -> int:
        return self.unsubscribed + self.hard_bounce + self.complaint + self.manual + self.erased

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Leavers:
        unknown = sorted(set(counts) - set(LEAVER_REASONS))
        if unknown:
            raise ValueError(f"unknown leaver reasons: {', '.join(unknown)}")
        return cls(**{reason: int(counts.get(reason, 0)) for reason in LEAVER_REASONS})


@dataclass(frozen=True, slots=True)
class TrafficConversion:
    """A month's page views of one kind of traffic, their visitors, the addresses they brought."""

    views: int
    visitors: int
    addresses: int

    @property
    def rate(self) -> float | None:
        """New addresses per visitor (0–1); None without visitors."""
        return share(self.addresses, self.visitors)


@dataclass(frozen=True, slots=True)
class KpiMonth:
    month: Month
    new_addresses: int
    by_source: dict[str, int]
    by_form: dict[str, int]
    by_lead_magnet: dict[str, int]
    leavers: Leavers
    owned: TrafficConversion
    bought: TrafficConversion
    #: New addresses with no tracked visit before they were given.
    untracked: int

    @property
    def net_growth(self) -> int:
        return self.new_addresses - self.leavers.total


@dataclass(frozen=True, slots=True)
class ListState:
    """The list as it stands: its size against all contacts, and how much of it engages."""

    contacts: int
    size: int
    engaged: int

    @property
    def share_of_contacts(self) -> float | None:
        return share(self.size, self.contacts)

    @property
    def quality(self) -> float | None:
        """The share (0–1) of the list that engaged in the last ``QUALITY_DAYS`` days."""
        return share(self.engaged, self.size)


@dataclass(frozen=True, slots=True)
class ListKpis:
    """Every list KPI as of ``as_of``; ``months`` oldest first, the current one (so far) last.

    ``sources``, ``forms`` and ``lead_magnets`` name every key of the monthly
    breakdowns, the largest total first.
    """

    as_of: datetime
    months: tuple[KpiMonth, ...]
    list: ListState
    sources: tuple[str, ...]
    forms: tuple[str, ...]
    lead_magnets: tuple[str, ...]

    @property
    def this_month(self) -> KpiMonth:
        return self.months[-1]


@dataclass(frozen=True, slots=True)
class ListSummary:
    """The list this month, cheap enough for the dashboard: no traffic counts."""

    month: Month
    list: ListState
    new_addresses: int
    leavers: Leavers
    #: New addresses by the traffic of their first tracked visit.
    from_owned: int
    from_bought: int
    untracked: int


def ranked_keys(breakdowns: Iterable[Mapping[str, int]]) -> tuple[str, ...]:
    """The keys of monthly breakdowns, the largest total first, then by name."""
    totals: dict[str, int] = {}
    for breakdown in breakdowns:
        for key, count in breakdown.items():
            totals[key] = totals.get(key, 0) + count
    return tuple(sorted(totals, key=lambda key: (-totals[key], key)))


def top_with_other(
    counts: Mapping[str, int], keys: Sequence[str], limit: int, other: str = "other"
) -> dict[str, int]:
    """``counts`` for the first ``limit`` of ``keys``, the rest summed under ``other``."""
    shown = {key: int(counts.get(key, 0)) for key in keys[:limit]}
    rest = sum(count for key, count in counts.items() if key not in shown)
    if len(keys) > limit:
        shown[other] = rest
    return shown


__all__ = [
    "ENGAGING_EVENTS",
    "LEAVER_REASONS",
    "QUALITY_DAYS",
    "UNKNOWN_SOURCE",
    "KpiMonth",
    "Leavers",
    "ListKpis",
    "ListState",
    "ListSummary",
    "TrafficConversion",
    "ranked_keys",
    "top_with_other",
]
