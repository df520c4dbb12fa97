"""A nurture programme's definition: how contacts enter, their goal, and the steps (domain §6, §7).

A definition is one JSON document::

    {"entry": {"segment": "warm-leads"},          # or {"rule": {...}}, or {"event": ...}
     "goal_stages": ["sql", "sal", "opportunity", "customer"],
     "steps": [
       {"id": "hello", "type": "send_email", "template": "welcome"},
       {"id": "pause", "type": "wait", "days": 2},
       {"id": "ramp", "type": "wait",
        "until": {"edge": "opens", "months": -18}},   # 18 months before the window opens
       {"id": "check", "type": "branch", "arms": [
          {"label": "Clicked", "when": {"event": "email_click", "within_days": 30},
           "steps": [{"id": "tell", "type": "notify_owner", "message": "Call them"}]},
          {"label": "Otherwise", "steps": []}]},
       {"id": "done", "type": "end"}]}

**Entry**: members of a segment (by slug), of an inline segment rule (the
rule language of ``domain/segment_rules.py``), or whoever has an event of a
type (optionally with given property values).  **Goal**: reaching one of
``goal_stages`` ends the enrolment (exit ``goal``); unsubscribing always does.

**Steps** run in order.  A ``branch`` runs the first arm whose ``when``
holds (an arm without ``when`` is the "otherwise" arm and must be last; with
none and no arm holding, nothing runs) and then carries on after the branch.
``go_to`` jumps back to an earlier step (a yearly rhythm); the steps it
repeats must include a wait.  The end of the steps, or an ``end`` step,
completes the enrolment.  Step ids are unique in the whole definition: they
are how enrolled contacts keep their place when the programme is edited.

:func:`parse_definition` checks a document and raises
:class:`DocumentInvalid` naming the path of every problem
(``steps[3].arms[0].when.within_days``).  Branch conditions are in
``domain/programme_conditions.py``; running a step in
``domain/programme_run.py``.  Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from silverplatter.domain.document_checks import (
    ID_PATTERN,
    DocumentError,
    DocumentInvalid,
    from_validation_error,
)
from silverplatter.domain.lifecycle import STAGE_NAMES
from silverplatter.domain.programme_conditions import (
    Condition,
    parse_condition,
)
from silverplatter.domain.rule_values import SLUG
from silverplatter.domain.vocabulary import EVENT_TYPE_PATTERN

MAX_STEPS: Final = 200
MAX_ARMS: Final = 6
MAX_DEPTH: Final = 6
#: The built-in programmes a definition may come from (``programmes.template``).
TEMPLATES: Final = ("buying_window_clock", "lead_refinery", "re_permission", "welcome")
#: Stages that mean "handed to sales" — the usual goal of a nurture programme.
SALES_STAGES: Final = ("sql", "sal", "opportunity", "customer")

STEP_TYPES: Final[dict[str, str]] = {
    "send_email": "Send an e-mail (the template's variant for the contact's role and stage)",
    "wait": "Wait a while, or until a date relative to the account's buying window",
    "branch": "Take the first arm whose condition holds",
    "notify_owner": "Give the contact's owner a task",
    "change_stage": "Move the contact to a lifecycle stage",
    "add_to_segment": "Add the contact to a static segment",
    "remove_from_segment": "Remove the contact from a static segment",
    "suppress": "Put the address on the suppression list",
    "go_to": "Go back to an earlier step",
    "end": "End the programme for this contact",
}

StepId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Step(_Model):
    id: StepId
    label: Label = ""


class SendEmail(_Step):
    type: Literal["send_email"] = "send_email"
    #: The e-mail template's slug; its variant is chosen when the message is rendered.
    template: Slug


class WindowDate(_Model):
    """A day relative to the account's buying window: ``months`` and ``days`` after it
    (negative: before)."""

    edge: Literal["opens", "closes"] = "opens"
    months: int = Field(default=0, ge=-120, le=120)
    days: int = Field(default=0, ge=-3650, le=3650)


class Wait(_Step):
    """Wait a duration, or until a day relative to the buying window (at ``at_hour`` UTC).

    A window day earlier than today has *passed*: ``if_passed`` says whether to
    go on at once (``continue``) or skip the steps up to the next wait
    (``skip`` — a ramp does not send everything it missed at once).  A contact
    whose account has no buying window exits (``if_no_window: exit``) or goes
    on (``continue``).
    """

    type: Literal["wait"] = "wait"
    months: int = Field(default=0, ge=0, le=120)
    weeks: int = Field(default=0, ge=0, le=520)
    days: int = Field(default=0, ge=0, le=3650)
    hours: int = Field(default=0, ge=0, le=24 * 366)
    until: WindowDate | None = None
    at_hour: int = Field(default=9, ge=0, le=23)
    if_passed: Literal["continue", "skip"] = "continue"
    if_no_window: Literal["exit", "continue"] = "exit"

    @property
    def is_window(self) -> bool:
        return self.until is not None

    @property
    def is_duration(self) -> bool:
        return bool(self.months or self.weeks or self.days or self.hours)


class Arm(_Model):
    label: Label = ""
    when: Any = None
    steps: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class BranchArm:
    label: str
    #: ``None`` for the "otherwise" arm.
    when: Condition | None
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    label: str
    arms: tuple[BranchArm, ...]
    type: Literal["branch"] = "branch"


class NotifyOwner(_Step):
    type: Literal["notify_owner"] = "notify_owner"
    message: Text


class ChangeStage(_Step):
    type: Literal["change_stage"] = "change_stage"
    to: str
    reason: Label = ""


class AddToSegment(_Step):
    type: Literal["add_to_segment"] = "add_to_segment"
    segment: Slug


class RemoveFromSegment(_Step):
    type: Literal["remove_from_segment"] = "remove_from_segment"
    segment: Slug


class Suppress(_Step):
    """Put the contact's address on the suppression list (reason ``unsubscribed``)."""

    type: Literal["suppress"] = "suppress"
    reason: Label = ""


class GoTo(_Step):
    type: Literal["go_to"] = "go_to"
    step: StepId


class End(_Step):
    type: Literal["end"] = "end"


Step = (
    SendEmail
    | Wait
    | Branch
    | NotifyOwner
    | ChangeStage
    | AddToSegment
    | RemoveFromSegment
    | Suppress
    | GoTo
    | End
)
_MODELS: Final[dict[str, type[_Step]]] = {
    "send_email": SendEmail,
    "wait": Wait,
    "notify_owner": NotifyOwner,
    "change_stage": ChangeStage,
    "add_to_segment": AddToSegment,
    "remove_from_segment": RemoveFromSegment,
    "suppress": Suppress,
    "go_to": GoTo,
    "end": End,
}


class SegmentEntry(_Model):
    segment: Slug


class RuleEntry(_Model):
    #: A segment rule document (``domain/segment_rules.py``), checked by the service.
    rule: dict[str, Any]


class EventEntry(_Model):
    event: Annotated[str, StringConstraints(pattern=EVENT_TYPE_PATTERN.pattern)]
    #: Property values the event must carry, e.g. ``{"form": "newsletter"}``.
    properties: dict[str, str | int | bool] = Field(default_factory=dict, max_length=10)


Entry = SegmentEntry | RuleEntry | EventEntry


@dataclass(frozen=True, slots=True)
class Definition:
    entry: Entry
    goal_stages: tuple[str, ...]
    steps: tuple[Step, ...]
    #: Every step by id, and where it sits.
    index: Mapping[str, Placed]

    @property
    def first(self) -> str | None:
        return self.steps[0].id if self.steps else None

    def step(self, step_id: str) -> Step:
        return self.index[step_id].step

    def successor(self, step_id: str) -> str | None:
        """The step that runs after ``step_id`` when it simply finishes (None: the end)."""
        placed = self.index[step_id]
        while True:
            if placed.position + 1 < len(placed.siblings):
                return placed.siblings[placed.position + 1].id
            if placed.parent is None:
                return None
            placed = self.index[placed.parent]

    def ids(self) -> list[str]:
        """Every step id, in document order (a branch before its arms' steps)."""
        return list(self.index)


@dataclass(frozen=True, slots=True)
class Placed:
    step: Step
    #: The steps of the list it is in, and its position there.
    siblings: tuple[Step, ...]
    position: int
    #: The branch whose arm holds it (None at the top level).
    parent: str | None
    path: str


def walk(steps: Sequence[Step]) -> Iterator[Step]:
    """Every step, in document order."""
    for step in steps:
        yield step
        if isinstance(step, Branch):
            for arm in step.arms:
                yield from walk(arm.steps)


# ---------------------------------------------------------------- parsing


class _Checker:
    def __init__(self) -> None:
        self.errors: list[DocumentError] = []
        self.count = 0
        self.index: dict[str, Placed] = {}
        self.places: dict[str, tuple[tuple[Step, ...], int, str | None, str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.append(DocumentError(path, message))

    def shaped(self, model: type[BaseModel], document: dict[str, Any], path: str) -> Any:
        try:
            return model.model_validate(document)
        except ValidationError as error:
            prefix = path.replace("]", "").replace("[", ".").split(".")
            location: list[int | str] = [int(p) if p.isdigit() else p for p in prefix if p]
            self.errors.extend(from_validation_error(error, prefix=location).errors)
            return None

    def steps(self, document: Any, path: str, depth: int) -> tuple[Step, ...] | None:
        if not isinstance(document, list):
            self.fail(path, "must be a list of steps")
            return None
        found = [self.step(item, f"{path}[{n}]", depth) for n, item in enumerate(document)]
        if any(step is None for step in found):
            return None
        return tuple(step for step in found if step is not None)

    def step(self, document: Any, path: str, depth: int) -> Step | None:
        self.count += 1
        if self.count == MAX_STEPS + 1:
            self.fail(path, f"a programme may have at most {MAX_STEPS} steps")
        if not isinstance(document, dict):
            self.fail(path, "must be an object with an id and a type")
            return None
        kind = document.get("type")
        if kind not in STEP_TYPES:
            self.fail(f"{path}.type", f"must be one of {', '.join(STEP_TYPES)}")
            return None
        if kind == "branch":
            return self.branch(document, path, depth)
        step: Step | None = self.shaped(_MODELS[kind], document, path)
        if isinstance(step, Wait) and step.is_window == step.is_duration:
            self.fail(path, "give a duration (months, weeks, days, hours) or until, not both")
            return None
        if isinstance(step, ChangeStage) and step.to not in STAGE_NAMES:
            self.fail(f"{path}.to", f"must be one of {', '.join(STAGE_NAMES)}")
            return None
        return step

    def branch(self, document: dict[str, Any], path: str, depth: int) -> Branch | None:
        if depth >= MAX_DEPTH:
            self.fail(path, f"branches may nest at most {MAX_DEPTH} deep")
            return None
        head = self.shaped(
            _Step, {k: document.get(k) for k in ("id", "label") if k in document}, path
        )
        extra = sorted(set(document) - {"id", "label", "type", "arms"})
        for key in extra:
            self.fail(f"{path}.{key}", "is not a known field")
        arms = document.get("arms")
        if not isinstance(arms, list) or not 2 <= len(arms) <= MAX_ARMS:
            self.fail(f"{path}.arms", f"must be a list of 2 to {MAX_ARMS} arms")
            return None
        built = [
            self.arm(arm, f"{path}.arms[{n}]", depth, n == len(arms) - 1)
            for n, arm in enumerate(arms)
        ]
        if head is None or extra or any(arm is None for arm in built):
            return None
        return Branch(head.id, head.label, tuple(arm for arm in built if arm is not None))

    def arm(self, document: Any, path: str, depth: int, last: bool) -> BranchArm | None:
        if not isinstance(document, dict):
            self.fail(path, "must be an object with steps")
            return None
        shaped: Arm | None = self.shaped(Arm, document, path)
        if shaped is None:
            return None
        when = None
        if shaped.when is None:
            if not last:
                self.fail(f"{path}.when", "only the last arm may go without a condition")
                return None
        else:
            when = parse_condition(shaped.when, f"{path}.when", self.errors)
        steps = self.steps(list(shaped.steps), f"{path}.steps", depth + 1)
        if steps is None or (shaped.when is not None and when is None):
            return None
        return BranchArm(shaped.label, when, steps)

    def place(self, steps: tuple[Step, ...], path: str, parent: str | None) -> None:
        for position, step in enumerate(steps):
            where = f"{path}[{position}]"
            if step.id in self.index:
                self.fail(f"{where}.id", f"{step.id!r} is used by {self.index[step.id].path} too")
                continue
            self.index[step.id] = Placed(step, steps, position, parent, where)
            if isinstance(step, Branch):
                for n, arm in enumerate(step.arms):
                    self.place(arm.steps, f"{where}.arms[{n}].steps", step.id)

    def jumps(self) -> None:
        order = list(self.index)
        for step_id, placed in self.index.items():
            step = placed.step
            if not isinstance(step, GoTo):
                continue
            target = self.index.get(step.step)
            if target is None:
                self.fail(f"{placed.path}.step", f"there is no step {step.step!r}")
                continue
            if order.index(step.step) >= order.index(step_id) or not _encloses(
                self.index, target, placed
            ):
                self.fail(
                    f"{placed.path}.step",
                    "must name an earlier step in the same list or an enclosing one",
                )
                continue
            between = order[order.index(step.step) : order.index(step_id)]
            if not any(isinstance(self.index[s].step, Wait) for s in between):
                self.fail(
                    f"{placed.path}.step",
                    "the steps it repeats need a wait, or the programme would loop at once",
                )


def _encloses(index: Mapping[str, Placed], target: Placed, jump: Placed) -> bool:
    """Whether ``target`` sits in the list of ``jump`` or of one of its enclosing branches."""
    parent: str | None = jump.parent
    lists = [jump.siblings]
    while parent is not None:
        lists.append(index[parent].siblings)
        parent = index[parent].parent
    return any(target.siblings is siblings for siblings in lists)


def _entry(document: Any, checker: _Checker) -> Entry | None:
    if not isinstance(document, dict):
        checker.fail("entry", "must be an object: {segment}, {rule} or {event}")
        return None
    kinds = [key for key in ("segment", "rule", "event") if key in document]
    if len(kinds) != 1:
        checker.fail("entry", "give exactly one of segment, rule or event")
        return None
    models: dict[str, type[BaseModel]] = {
        "segment": SegmentEntry,
        "rule": RuleEntry,
        "event": EventEntry,
    }
    model = models[kinds[0]]
    found: Entry | None = checker.shaped(model, document, "entry")
    return found


def parse_definition(document: Any) -> Definition:
    """The definition ``document`` describes; :class:`DocumentInvalid` naming every bad part."""
    checker = _Checker()
    if not isinstance(document, dict):
        raise DocumentInvalid([DocumentError("definition", "must be an object")])
    extra = sorted(set(document) - {"entry", "goal_stages", "steps"})
    for key in extra:
        checker.fail(key, "is not a known field")
    entry = _entry(document.get("entry"), checker)
    goals = document.get("goal_stages", [])
    if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
        checker.fail("goal_stages", "must be a list of stages")
        goals = []
    for n, stage in enumerate(goals):
        if stage not in STAGE_NAMES:
            checker.fail(f"goal_stages[{n}]", f"must be one of {', '.join(STAGE_NAMES)}")
    steps = checker.steps(document.get("steps"), "steps", 0)
    if steps is not None and not steps:
        checker.fail("steps", "must have at least one step")
    if steps:
        checker.place(steps, "steps", None)
        if not checker.errors:
            checker.jumps()
    if checker.errors or entry is None or steps is None:
        raise DocumentInvalid(checker.errors or [DocumentError("definition", "is not valid")])
    return Definition(entry, tuple(dict.fromkeys(goals)), steps, dict(checker.index))


__all__ = [
    "MAX_STEPS",
    "SALES_STAGES",
    "STEP_TYPES",
    "TEMPLATES",
    "AddToSegment",
    "Branch",
    "BranchArm",
    "ChangeStage",
    "Definition",
    "End",
    "Entry",
    "EventEntry",
    "GoTo",
    "NotifyOwner",
    "Placed",
    "RemoveFromSegment",
    "RuleEntry",
    "SegmentEntry",
    "SendEmail",
    "Step",
    "Suppress",
    "Wait",
    "WindowDate",
    "parse_definition",
    "walk",
]
