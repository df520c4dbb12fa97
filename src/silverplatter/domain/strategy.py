"""Strategy documents (domain §9, §10): core questions, SWOT, PEST, the target customer.

Each is a small structured document kept with every saved version:

* **core_questions** — the customers' top three strategic questions to us, each
  with a *Why?* box (what causes the pressure) and a *How?* box (how we answer
  it) of **7 to 10 bullets** each — no more, no fewer;
* **swot** — strengths, weaknesses (inside), opportunities, threats (outside);
* **pest** — political, economic, social and technological factors, and the
  **conclusions** drawn from them: what they mean for us (seed 003: "it is
  sterile just to describe factors without thinking through what they mean";
  the conclusions feed the opportunities and threats of a SWOT);
* **target_customer** — who we sell to: a definition, the criteria a customer
  meets, and the **assumptions** behind the choice, each with a note on how we
  will know whether it holds (write them down, so what was missed shows later).

:func:`parse_body` checks a body and names the path of every problem
(``questions[1].why: write 7 to 10 bullets; there are 5``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from silverplatter.domain.document_checks import (
    DocumentError,
    DocumentInvalid,
    from_validation_error,
    invalid,
)

Kind = Literal["core_questions", "swot", "pest", "target_customer"]
KINDS: Final[tuple[Kind, ...]] = ("core_questions", "swot", "pest", "target_customer")
#: What each kind is called on the page.
KIND_TITLES: Final[dict[str, str]] = {
    "core_questions": "Strategic core questions",
    "swot": "SWOT",
    "pest": "PEST",
    "target_customer": "Target customer",
}
QUESTIONS: Final = 3
FEWEST_BULLETS: Final = 7
MOST_BULLETS: Final = 10
MAX_BULLET: Final = 300
MAX_LIST: Final = 40
MAX_DEFINITION: Final = 4000
MAX_TITLE: Final = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must be one line without control characters")
    return value


def _text(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise ValueError("must be text without control characters")
    return value.replace("\r\n", "\n")


Bullet = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BULLET),
    AfterValidator(_one_line),
]
Bullets = Annotated[list[Bullet], Field(default_factory=list, max_length=MAX_LIST)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE),
    AfterValidator(_one_line),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class CoreQuestion(_Body):
    question: Bullet
    why: Annotated[list[Bullet], Field(max_length=MAX_LIST)]
    how: Annotated[list[Bullet], Field(max_length=MAX_LIST)]


class CoreQuestions(_Body):
    """The customers' top three questions, each with its Why? and How? boxes."""

    questions: Annotated[list[CoreQuestion], Field(max_length=10)]


class Swot(_Body):
    strengths: Bullets
    weaknesses: Bullets
    opportunities: Bullets
    threats: Bullets


class Pest(_Body):
    political: Bullets
    economic: Bullets
    social: Bullets
    technological: Bullets
    conclusions: Bullets


class Assumption(_Body):
    assumption: Bullet
    how_we_know: Bullet = Field(description="how we will know whether it holds")


class TargetCustomer(_Body):
    definition: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DEFINITION),
        AfterValidator(_text),
    ]
    criteria: Bullets
    assumptions: Annotated[list[Assumption], Field(default_factory=list, max_length=MAX_LIST)]


Body = CoreQuestions | Swot | Pest | TargetCustomer
MODELS: Final[dict[str, type[_Body]]] = {
    "core_questions": CoreQuestions,
    "swot": Swot,
    "pest": Pest,
    "target_customer": TargetCustomer,
}
#: The lists of a SWOT and a PEST, with their headings, in order.
LISTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "swot": (
        ("strengths", "Strengths"),
        ("weaknesses", "Weaknesses"),
        ("opportunities", "Opportunities"),
        ("threats", "Threats"),
    ),
    "pest": (
        ("political", "Political"),
        ("economic", "Economic"),
        ("social", "Social"),
        ("technological", "Technological"),
        ("conclusions", "Conclusions: what they mean for us"),
    ),
}


def parse_body(kind: str, data: Any) -> Body:
    """The body of a document of ``kind``; :class:`DocumentInvalid` names every problem."""
    if kind not in MODELS:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    try:
        body: Body = MODELS[kind].model_validate(data)  # type: ignore[assignment]
    except ValidationError as error:
        raise from_validation_error(error) from None
    if isinstance(body, CoreQuestions):
        problems = core_question_problems(body)
        if problems:
            raise DocumentInvalid(problems)
    return body


def core_question_problems(body: CoreQuestions) -> list[DocumentError]:
    """Three questions, each with 7 to 10 bullets in both boxes."""
    found = []
    if len(body.questions) != QUESTIONS:
        found.append(
            DocumentError(
                "questions",
                f"write the customers' top {QUESTIONS} questions; there are {len(body.questions)}",
            )
        )
    for index, question in enumerate(body.questions):
        for box in ("why", "how"):
            count = len(getattr(question, box))
            if not FEWEST_BULLETS <= count <= MOST_BULLETS:
                found.append(
                    DocumentError(
                        f"questions[{index}].{box}",
                        f"write {FEWEST_BULLETS} to {MOST_BULLETS} bullets; there are {count}",
                    )
                )
    return found


def lines(text: str) -> list[str]:
    """The bullets of a text box: one per line, blank lines and list marks left out."""
    found = []
    for line in text.splitlines():
        stripped = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if stripped:
            found.append(stripped)
    return found


__all__ = [
    "FEWEST_BULLETS",
    "KINDS",
    "KIND_TITLES",
    "LISTS",
    "MOST_BULLETS",
    "QUESTIONS",
    "Assumption",
    "Body",
    "CoreQuestion",
    "CoreQuestions",
    "Kind",
    "Pest",
    "Swot",
    "TargetCustomer",
    "core_question_problems",
    "lines",
    "parse_body",
]
