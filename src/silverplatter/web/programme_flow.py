"""A programme's steps as a picture: boxes in running order, a branch's arms side by side.

``flow`` turns a definition into nested boxes for ``_programme_flow.html``,
which draws them as HTML (boxes, arrows between them, the arms of a branch
in columns that join again below it) — readable without scripts, printable,
and within the page's content policy.  Each box carries how many enrolled
contacts will run that step next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from silverplatter.domain.programme_conditions import describe
from silverplatter.domain.programme_outline import step_words
from silverplatter.domain.programmes import (
    Branch,
    Definition,
    EventEntry,
    GoTo,
    RuleEntry,
    SegmentEntry,
    Step,
    Wait,
)

#: The CSS kind of each step type (its colour in the picture).
KINDS: Final[dict[str, str]] = {
    "send_email": "send",
    "wait": "wait",
    "branch": "branch",
    "notify_owner": "task",
    "change_stage": "stage",
    "add_to_segment": "segment",
    "remove_from_segment": "segment",
    "suppress": "stop",
    "go_to": "jump",
    "end": "stop",
}
TYPE_WORDS: Final[dict[str, str]] = {
    "send_email": "E-mail",
    "wait": "Wait",
    "branch": "Branch",
    "notify_owner": "Task",
    "change_stage": "Stage",
    "add_to_segment": "Segment",
    "remove_from_segment": "Segment",
    "suppress": "Suppress",
    "go_to": "Repeat",
    "end": "End",
}


@dataclass(frozen=True)
class Box:
    id: str
    kind: str
    type_words: str
    #: The step's label, or what it does in words when it has none.
    title: str
    #: What it does in words, under a label ("" when the title says it already).
    words: str
    #: Live enrolments that will run this step next.
    waiting: int
    arms: tuple[ArmColumn, ...] = ()
    #: A wait's extra: what happens when its day has passed or no window is known.
    note: str = ""


@dataclass(frozen=True)
class ArmColumn:
    label: str
    condition: str
    boxes: tuple[Box, ...]


def _note(step: Wait) -> str:
    if step.until is None:
        return ""
    passed = "skipped if already passed" if step.if_passed == "skip" else "at once if passed"
    missing = "exits without a window" if step.if_no_window == "exit" else "on without a window"
    return f"{passed}; {missing}"


def _boxes(steps: Sequence[Step], counts: Mapping[str, int]) -> tuple[Box, ...]:
    found = []
    for step in steps:
        arms: tuple[ArmColumn, ...] = ()
        if isinstance(step, Branch):
            arms = tuple(
                ArmColumn(
                    arm.label or ("Otherwise" if arm.when is None else f"Arm {n + 1}"),
                    "otherwise" if arm.when is None else describe(arm.when),
                    _boxes(arm.steps, counts),
                )
                for n, arm in enumerate(step.arms)
            )
        label = step.label if not isinstance(step, Branch | GoTo) else ""
        words = step_words(step)
        found.append(
            Box(
                id=step.id,
                kind=KINDS[step.type],
                type_words=TYPE_WORDS[step.type],
                title=label or words,
                words=words if label else "",
                waiting=int(counts.get(step.id, 0)),
                arms=arms,
                note=_note(step) if isinstance(step, Wait) else "",
            )
        )
    return tuple(found)


def flow(definition: Definition, counts: Mapping[str, int] | None = None) -> tuple[Box, ...]:
    """The boxes of ``definition``'s steps, with the live enrolments due at each."""
    return _boxes(definition.steps, counts or {})


def entry_words(definition: Definition) -> str:
    entry = definition.entry
    if isinstance(entry, SegmentEntry):
        return f"Members of segment {entry.segment!r}"
    if isinstance(entry, RuleEntry):
        return "Contacts the entry rule takes (a segment rule)"
    assert isinstance(entry, EventEntry)
    where = ", ".join(f"{key} = {value}" for key, value in entry.properties.items())
    return f"Whoever has a {entry.event} event" + (f" with {where}" if where else "")


def goal_words(definition: Definition) -> str:
    if not definition.goal_stages:
        return "No goal stage; unsubscribing always ends it"
    return "Reaching " + ", ".join(definition.goal_stages) + " ends it; so does unsubscribing"


__all__ = ["KINDS", "ArmColumn", "Box", "entry_words", "flow", "goal_words"]
