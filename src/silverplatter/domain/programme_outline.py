"""What a programme's definition says, read back: its canonical JSON document, the
e-mail templates and segments it names (with their paths), each step in words, and where
an enrolled contact goes when an edit removes the step it was due to run."""

from __future__ import annotations

from typing import Any

from silverplatter.domain.programme_conditions import condition_document
from silverplatter.domain.programmes import (
    AddToSegment,
    Branch,
    BranchArm,
    ChangeStage,
    Definition,
    EventEntry,
    GoTo,
    NotifyOwner,
    RemoveFromSegment,
    SendEmail,
    Step,
    Suppress,
    Wait,
    walk,
)


def definition_document(definition: Definition) -> dict[str, Any]:
    """The canonical JSON of ``definition`` (what is stored)."""
    entry = definition.entry.model_dump(exclude_defaults=True)
    if isinstance(definition.entry, EventEntry):
        entry = {"event": definition.entry.event, **entry}
    return {
        "entry": entry,
        "goal_stages": list(definition.goal_stages),
        "steps": [step_document(step) for step in definition.steps],
    }


def step_document(step: Step) -> dict[str, Any]:
    if isinstance(step, Branch):
        head: dict[str, Any] = {"id": step.id, "type": "branch"}
        if step.label:
            head["label"] = step.label
        head["arms"] = [_arm_document(arm) for arm in step.arms]
        return head
    document = step.model_dump(exclude_defaults=True, exclude={"type"})
    if isinstance(step, Wait) and step.until is not None:
        document["until"] = step.until.model_dump()
    return {"id": step.id, "type": step.type, **document}


def _arm_document(arm: BranchArm) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if arm.label:
        document["label"] = arm.label
    if arm.when is not None:
        document["when"] = condition_document(arm.when)
    document["steps"] = [step_document(step) for step in arm.steps]
    return document


def templates_used(definition: Definition) -> list[tuple[str, str]]:
    """``(path, slug)`` of every e-mail template the steps send."""
    return [
        (f"{definition.index[s.id].path}.template", s.template)
        for s in walk(definition.steps)
        if isinstance(s, SendEmail)
    ]


def segments_used(definition: Definition) -> list[tuple[str, str]]:
    """``(path, slug)`` of every static segment the steps add to or remove from."""
    return [
        (f"{definition.index[s.id].path}.segment", s.segment)
        for s in walk(definition.steps)
        if isinstance(s, AddToSegment | RemoveFromSegment)
    ]


def next_surviving(old: Definition, new: Definition, step_id: str) -> str | None:
    """Where a contact at ``step_id`` of ``old`` carries on in ``new``.

    The step itself when ``new`` still has it; otherwise the first of the
    steps that would have run after it in ``old`` that ``new`` still has;
    ``None`` when none is left (the contact has finished).
    """
    seen: set[str] = set()
    current: str | None = step_id
    while current is not None and current not in seen:
        if current in new.index:
            return current
        seen.add(current)
        current = old.successor(current) if current in old.index else None
    return None


def _amount(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def wait_words(step: Wait) -> str:
    """``Wait 2 days``, ``Wait until 18 months before the window opens`` …"""
    if step.until is None:
        parts = [
            _amount(count, unit)
            for count, unit in (
                (step.months, "month"),
                (step.weeks, "week"),
                (step.days, "day"),
                (step.hours, "hour"),
            )
            if count
        ]
        return "Wait " + " ".join(parts)
    edge = step.until.edge
    months, days = step.until.months, step.until.days
    offsets = [
        _amount(abs(count), unit) for count, unit in ((months, "month"), (days, "day")) if count
    ]
    if not offsets:
        when = f"the window {edge}"
    else:
        side = "before" if (months or days) < 0 else "after"
        when = f"{' '.join(offsets)} {side} the window {edge}"
    return f"Wait until {when}, {step.at_hour:02d}:00 UTC"


def step_words(step: Step) -> str:
    """One step in words, as the programme's picture and the enrolment tables show it."""
    if isinstance(step, Wait):
        return wait_words(step)
    if isinstance(step, Branch):
        return step.label or "Branch"
    if isinstance(step, SendEmail):
        return f"Send e-mail {step.template!r}"
    if isinstance(step, NotifyOwner):
        return f"Task for the owner: {step.message}"
    if isinstance(step, ChangeStage):
        return f"Move to stage {step.to}"
    if isinstance(step, AddToSegment):
        return f"Add to segment {step.segment!r}"
    if isinstance(step, RemoveFromSegment):
        return f"Remove from segment {step.segment!r}"
    if isinstance(step, Suppress):
        return "Put the address on the suppression list"
    if isinstance(step, GoTo):
        return f"Back to step {step.step!r}"
    return "End"


__all__ = [
    "definition_document",
    "next_surviving",
    "segments_used",
    "step_document",
    "step_words",
    "templates_used",
    "wait_words",
]
