"""The journeys contacts actually take through the stages (domain §9: a sequence of
next steps the customer takes, not a funnel).

A contact's *path* is the stage it started in followed by every stage it moved
into, in time order, with repeats next to each other collapsed (``lead, lead,
mql`` is ``lead → mql``).  Contacts that never moved have no path and are
counted apart.  From the paths come the most common ones with their share of
all contacts with a path, the *edges* (from → to with the number of moves made
along them) and the *flows* of the flow chart: the moves between the n-th and
the (n+1)-th stage of a path, so the chart reads left to right without loops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Final

#: Separator of the stages of a path as the database writes it.
SEPARATOR: Final = ">"
#: Steps the flow chart draws; longer paths are cut there (their counts stay).
FLOW_STEPS: Final = 6
TOP_PATHS: Final = 10


def collapse(stages: Iterable[str]) -> tuple[str, ...]:
    """The stages with runs of the same stage made one."""
    return tuple(stage for stage, _run in groupby(stages))


def parse_path(text: str) -> tuple[str, ...]:
    return collapse(part for part in text.split(SEPARATOR) if part)


@dataclass(frozen=True, slots=True)
class PathCount:
    stages: tuple[str, ...]
    contacts: int
    share: float

    @property
    def moves(self) -> int:
        return len(self.stages) - 1


@dataclass(frozen=True, slots=True)
class Edge:
    """Moves from one stage to another, over all paths."""

    from_stage: str
    to_stage: str
    moves: int
    contacts: int


@dataclass(frozen=True, slots=True)
class Flow:
    """Contacts whose ``step``-th stage was ``from_stage`` and next ``to_stage``."""

    step: int
    from_stage: str
    to_stage: str
    contacts: int


@dataclass(frozen=True, slots=True)
class Journeys:
    contacts: int
    never_moved: int
    distinct_paths: int
    top: tuple[PathCount, ...]
    edges: tuple[Edge, ...]
    flows: tuple[Flow, ...]


def merge_paths(raw: Iterable[tuple[str, int]]) -> Counter[tuple[str, ...]]:
    """Counts per collapsed path from ``(path text, contacts)`` rows."""
    paths: Counter[tuple[str, ...]] = Counter()
    for text, count in raw:
        stages = parse_path(text)
        if len(stages) > 1:
            paths[stages] += count
    return paths


def journeys(
    paths: Mapping[tuple[str, ...], int],
    *,
    never_moved: int = 0,
    top: int = TOP_PATHS,
    flow_steps: int = FLOW_STEPS,
) -> Journeys:
    """The most common paths, the edges and the flows of these path counts."""
    total = sum(paths.values())
    ranked = sorted(paths.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
    moves: Counter[tuple[str, str]] = Counter()
    movers: Counter[tuple[str, str]] = Counter()
    flows: Counter[tuple[int, str, str]] = Counter()
    for stages, count in paths.items():
        pairs = list(pairwise(stages))
        for pair in pairs:
            moves[pair] += count
        for pair in set(pairs):
            movers[pair] += count
        for step, (origin, target) in enumerate(pairs[:flow_steps]):
            flows[(step, origin, target)] += count
    edges = tuple(
        Edge(origin, target, n, movers[(origin, target)])
        for (origin, target), n in sorted(moves.items(), key=lambda item: (-item[1], item[0]))
    )
    return Journeys(
        contacts=total,
        never_moved=never_moved,
        distinct_paths=len(paths),
        top=tuple(
            PathCount(stages, count, count / total if total else 0.0)
            for stages, count in ranked[:top]
        ),
        edges=edges,
        flows=tuple(
            Flow(step, origin, target, n) for (step, origin, target), n in sorted(flows.items())
        ),
    )


def path_text(stages: Sequence[str], labels: Mapping[str, str] | None = None) -> str:
    """A path in words: ``Lead → MQL → SQL``."""
    return " → ".join(labels.get(s, s) if labels else s for s in stages)


__all__ = [
    "FLOW_STEPS",
    "SEPARATOR",
    "TOP_PATHS",
    "Edge",
    "Flow",
    "Journeys",
    "PathCount",
    "collapse",
    "journeys",
    "merge_paths",
    "parse_path",
    "path_text",
]
