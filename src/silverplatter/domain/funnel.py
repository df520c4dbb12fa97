"""The funnel as it really ran: how far contacts got, how fast, grouped (domain §5, §11).

A contact *reached* a funnel stage when it ever moved into that stage **or any
later one**: a contact handed over straight from lead to SQL has passed the
MQL step too, so every step's count is at least the next one's and a rate
never exceeds 100 %.  The contact's current stage counts as a move into it,
so records imported at a stage without a history of moves are not lost.
Recycled and disqualified are *exits*, counted per stage they were left from.

*Time in stage* is a completed stay: from the move into a stage to the next
move out of it, in whole days (a stay of less than a day is 0).  A contact
still in the stage has no completed stay there and is left out, so the
figures do not shrink as the period ends.  The median and the 75th
percentile are by nearest rank over the stays: the value below which at
least half (three quarters) of the stays fall.

The counting is done in the database (``storage/funnel.py``) where it runs
on a million contacts; :func:`summarise` does the same from per-contact
histories in Python, the reference the SQL is tested against.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Final

#: The funnel's stages in order (domain §5); "sal" is "accepted by sales".
FUNNEL: Final = ("lead", "mql", "sql", "sal", "opportunity", "customer")
#: Stages that leave the funnel.
EXITS: Final = ("recycled", "disqualified")
RANK: Final = {stage: number for number, stage in enumerate(FUNNEL, start=1)}
STAGE_LABELS: Final = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "mql": "MQL",
    "sql": "SQL",
    "sal": "Accepted by sales",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "recycled": "Recycled",
    "disqualified": "Disqualified",
}

#: How a report may be grouped, with the words the pages use.
GROUPINGS: Final = {
    "cohort": "Cohort (month created)",
    "source": "Source",
    "channel": "First-touch channel",
    "tier": "Value tier",
    "segment": "Needs segment",
    "form": "Form",
}
#: Group keys for contacts the grouping knows nothing about.
UNKNOWN_KEYS: Final = {
    "cohort": "(unknown)",
    "source": "(unknown source)",
    "channel": "(no tracked touch)",
    "tier": "(no account)",
    "segment": "(no segment)",
    "form": "(no form)",
}
DAY_SECONDS: Final = 86_400


class FunnelError(ValueError):
    """A report asked for with a bad parameter; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_grouping(grouping: str) -> str:
    if grouping not in GROUPINGS:
        raise FunnelError("group", f"expected one of {', '.join(GROUPINGS)}, got {grouping!r}")
    return grouping


@dataclass(frozen=True, slots=True)
class Move:
    """One move of a contact, as ``stage_transitions`` records it."""

    from_stage: str
    to_stage: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """A contact's moves in time order and the stage it is in now."""

    contact_id: int
    current_stage: str
    moves: tuple[Move, ...] = ()


@dataclass
class GroupTally:
    """What the database (or :func:`summarise`) counted for one group."""

    contacts: int = 0
    #: Contacts whose furthest funnel stage is this one (never reached any: absent).
    furthest: Counter[str] = field(default_factory=Counter)
    #: (stage left, exit) → contacts that made that move at least once.
    exits: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: stage → {whole days: completed stays of that length}.
    stays: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))


@dataclass(frozen=True, slots=True)
class StageStep:
    """One funnel stage of a group: how many got there and how many went on."""

    stage: str
    reached: int
    advanced: int
    recycled: int
    disqualified: int
    stays: int
    median_days: int | None
    p75_days: int | None

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def rate(self) -> float | None:
        """Share of those who reached the stage that reached the next; None at the end."""
        if self.stage == FUNNEL[-1] or self.reached == 0:
            return None
        return self.advanced / self.reached


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """A group's funnel: its contacts and one step per funnel stage."""

    key: str
    contacts: int
    steps: tuple[StageStep, ...]

    def step(self, stage: str) -> StageStep:
        return self.steps[FUNNEL.index(stage)]

    @property
    def overall_rate(self) -> float | None:
        """Customers per lead."""
        lead = self.steps[0].reached
        return self.steps[-1].reached / lead if lead else None


def nearest_rank(lengths: Mapping[int, int], share: float) -> int | None:
    """The smallest value with at least ``share`` of the weights at or below it."""
    total = sum(lengths.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value in sorted(lengths):
        seen += lengths[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: ranks are within the total")


def funnel_row(key: str, tally: GroupTally) -> FunnelRow:
    """The steps of one group from its tally."""
    reached = {
        stage: sum(n for s, n in tally.furthest.items() if RANK.get(s, 0) >= RANK[stage])
        for stage in FUNNEL
    }
    steps = []
    for position, stage in enumerate(FUNNEL):
        following = FUNNEL[position + 1] if position + 1 < len(FUNNEL) else None
        stays = tally.stays.get(stage, Counter())
        steps.append(
            StageStep(
                stage=stage,
                reached=reached[stage],
                advanced=reached[following] if following else 0,
                recycled=tally.exits[(stage, "recycled")],
                disqualified=tally.exits[(stage, "disqualified")],
                stays=sum(stays.values()),
                median_days=nearest_rank(stays, 0.5),
                p75_days=nearest_rank(stays, 0.75),
            )
        )
    return FunnelRow(key, tally.contacts, tuple(steps))


def funnel_rows(tallies: Mapping[str, GroupTally]) -> tuple[FunnelRow, ...]:
    """Every group's row, the largest groups first (cohorts oldest first)."""
    return tuple(funnel_row(key, tally) for key, tally in tallies.items())


def total_tally(tallies: Iterable[GroupTally]) -> GroupTally:
    """All groups together (each contact is in exactly one group)."""
    total = GroupTally()
    for tally in tallies:
        total.contacts += tally.contacts
        total.furthest.update(tally.furthest)
        total.exits.update(tally.exits)
        for stage, lengths in tally.stays.items():
            total.stays[stage].update(lengths)
    return total


def order_rows(grouping: str, rows: Sequence[FunnelRow]) -> tuple[FunnelRow, ...]:
    """Cohorts in time order; other groupings by size, then name."""
    if grouping == "cohort":
        return tuple(sorted(rows, key=lambda row: row.key))
    return tuple(sorted(rows, key=lambda row: (-row.contacts, row.key)))


# --- the reference: the same figures from histories in Python ------------------------


def furthest_stage(history: ContactHistory) -> str | None:
    """The furthest funnel stage the contact ever moved into (or is in now)."""
    entered = [move.to_stage for move in history.moves] + [history.current_stage]
    ranked = [stage for stage in entered if stage in RANK]
    return max(ranked, key=RANK.__getitem__) if ranked else None


def completed_stays(history: ContactHistory) -> list[tuple[str, int]]:
    """(stage, whole days) of each stay that ended with a move out."""
    return [
        (move.to_stage, int((after.at - move.at).total_seconds() // DAY_SECONDS))
        for move, after in pairwise(history.moves)
    ]


def tally_of(histories: Iterable[ContactHistory]) -> GroupTally:
    tally = GroupTally()
    for history in histories:
        tally.contacts += 1
        furthest = furthest_stage(history)
        if furthest is not None:
            tally.furthest[furthest] += 1
        tally.exits.update(
            {
                (move.from_stage, move.to_stage)
                for move in history.moves
                if move.to_stage in EXITS and move.from_stage in RANK
            }
        )
        for stage, days in completed_stays(history):
            if stage in RANK:
                tally.stays[stage][days] += 1
    return tally


def summarise(
    histories: Iterable[ContactHistory], key_of: Callable[[ContactHistory], str]
) -> dict[str, GroupTally]:
    """Each group's tally from per-contact histories."""
    groups: dict[str, list[ContactHistory]] = defaultdict(list)
    for history in histories:
        groups[key_of(history)].append(history)
    return {key: tally_of(members) for key, members in groups.items()}


__all__ = [
    "EXITS",
    "FUNNEL",
    "GROUPINGS",
    "RANK",
    "STAGE_LABELS",
    "UNKNOWN_KEYS",
    "ContactHistory",
    "FunnelError",
    "FunnelRow",
    "GroupTally",
    "Move",
    "StageStep",
    "check_grouping",
    "completed_stays",
    "funnel_row",
    "funnel_rows",
    "furthest_stage",
    "nearest_rank",
    "order_rows",
    "summarise",
    "tally_of",
    "total_tally",
]
