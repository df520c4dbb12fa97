"""The demo seller's customer understanding: a zipper board, the core questions, a SWOT,
a PEST and the target customer with its assumptions (domain §9, §10).

The demo seller sells ERP to manufacturers; the board is the one of its needs
segment *Delivery reliability*: the manufacturer's order-to-delivery process
zipped to the seller's sales and delivery process, with the situations where
the manufacturer stops and could use help, their worries, and the offer
modules that answer them.  Worries are looked up by name and made when
missing.  Made once, after the demo world exists, and never overwritten: what
is changed in the UI stays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.zipper import EMPTY, Board
from silverplatter.domain.zipper_edits import (
    add_situation,
    add_solution,
    add_step,
    add_touchpoint,
    answer_worry,
    place_worry,
)
from silverplatter.services.audit import Actor
from silverplatter.services.strategy_documents import (
    CORE_QUESTIONS,
    create_document,
    find_document,
    save_core_questions,
)
from silverplatter.services.zipper_boards import create_board, worry_id_named
from silverplatter.storage import zipper_boards as store

BOARD: Final = "delivery-reliability"
NEEDS_SEGMENT: Final = "delivery-reliability"
CUSTOMER_STEPS: Final = (
    "Take in the order",
    "Plan production",
    "Buy materials",
    "Make and check",
    "Deliver to the customer",
)
OUR_STEPS: Final = ("First meeting", "Process review", "Pilot", "Roll-out", "Support and reviews")
#: (customer step, our step, note)
TOUCHPOINTS: Final = (
    ("Take in the order", "First meeting", "sales call"),
    ("Plan production", "Process review", "workshop"),
    ("Make and check", "Pilot", "on site"),
    ("Deliver to the customer", "Roll-out", ""),
    ("Plan production", "Support and reviews", "quarterly"),
)
#: customer step → situation → its worries
SITUATIONS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "Take in the order": {
        "A rush order arrives": ("Can we promise a delivery date?", "Which orders will slip?"),
    },
    "Plan production": {
        "The plan no longer holds": (
            "Machines are double-booked",
            "Nobody sees the bottleneck",
            "Overtime eats the margin",
        ),
    },
    "Buy materials": {
        "A supplier is late": ("Materials arrive late", "Which orders does it hit?"),
    },
    "Deliver to the customer": {
        "The customer asks where the order is": (
            "Nobody knows the order status",
            "Penalties for late delivery",
        ),
    },
}
#: our step → solution → the worries it answers
SOLUTIONS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "Process review": {
        "Delivery planning": (
            "Can we promise a delivery date?",
            "Machines are double-booked",
            "Nobody sees the bottleneck",
        ),
    },
    "Pilot": {
        "Shop-floor tracking": ("Which orders will slip?", "Nobody knows the order status"),
    },
    "Roll-out": {"Supplier portal": ("Materials arrive late", "Which orders does it hit?")},
    "Support and reviews": {
        "Quarterly process review": ("Overtime eats the margin", "Penalties for late delivery"),
    },
}
CORE: Final[dict[str, Any]] = {
    "questions": [
        {
            "question": "How do we deliver on time when demand keeps changing?",
            "why": [
                "Our customers order smaller batches, more often",
                "Delivery dates decide who wins the order",
                "Late deliveries bring penalties and lost customers",
                "Suppliers of materials are less reliable than before",
                "Planners juggle spreadsheets that nobody else sees",
                "Skilled planners retire and their knowledge goes with them",
                "Competitors promise dates they can keep",
            ],
            "how": [
                "Map their order-to-delivery process with them (the zipper board)",
                "Show where the plan breaks and what it costs",
                "Delivery planning that promises dates from real capacity",
                "Shop-floor tracking so everyone sees the order status",
                "A pilot on one line before the roll-out",
                "Reference visits to a manufacturer like them",
                "Quarterly reviews of delivery performance after go-live",
            ],
        },
        {
            "question": "How do we keep costs under control when prices swing?",
            "why": [
                "Energy and material prices change month to month",
                "Owners expect a better margin every year",
                "Quotes are priced on last year's costs",
                "Scrap and rework are counted late, if at all",
                "Overtime hides poor planning",
                "Reporting to the authorities takes more time each year",
                "Banks ask for better figures before they lend",
            ],
            "how": [
                "Cost and margin analytics per order and per product",
                "Quotes priced from current costs",
                "Scrap and rework recorded where they happen",
                "Compliance reporting built in, not bolted on",
                "A cost review workshop with their controller",
                "Benchmarks from manufacturers of the same size",
                "A business case they can take to their board",
            ],
        },
        {
            "question": "How do we grow without our systems holding us back?",
            "why": [
                "A new plant or an acquired company must be running in months",
                "Old systems do not talk to each other",
                "Customers want data in their own portals",
                "Every new report is a project for IT",
                "The old ERP's supplier ends support",
                "Growth brings audits and certifications",
                "Young employees expect modern tools",
            ],
            "how": [
                "An integration platform for their customers' and suppliers' systems",
                "A multi-plant roll-out plan with fixed steps",
                "Data moved from the old system in a tested sequence",
                "Reports their own people can build",
                "A roadmap reviewed together twice a year",
                "Training in their language at their sites",
                "A named team that knows their business",
            ],
        },
    ]
}
SWOT: Final[dict[str, Any]] = {
    "strengths": [
        "Deep knowledge of make-to-order manufacturing",
        "Implementation team in the customers' own language",
        "References in metals, machinery and plastics",
    ],
    "weaknesses": [
        "Small marketing budget next to global suppliers",
        "Few partners outside the Nordics",
    ],
    "opportunities": [
        "Old ERP systems losing support in the next three years",
        "Manufacturers bringing production back to Europe",
        "Reporting duties that need better data",
    ],
    "threats": [
        "Global suppliers selling cloud ERP at low first-year prices",
        "Customers postponing investments when rates rise",
    ],
}
PEST: Final[dict[str, Any]] = {
    "political": ["Support for bringing production back to Europe", "Stricter reporting duties"],
    "economic": ["Interest rates decide when plants invest", "Energy prices swing"],
    "social": ["Skilled planners retiring", "Young employees expect modern tools"],
    "technological": ["Cloud ERP becoming the norm", "Sensors on machines are cheap"],
    "conclusions": [
        "Plants that bring production home need planning help now: an opportunity",
        "Investments wait for rates: keep the first step small and cheap",
        "Retiring planners make knowledge in the system worth more than in heads",
    ],
}
TARGET: Final[dict[str, Any]] = {
    "definition": (
        "Nordic make-to-order manufacturers with 50 to 1,000 employees whose delivery "
        "promises depend on planning several lines and suppliers."
    ),
    "criteria": [
        "Make to order or engineer to order",
        "50 to 1,000 employees, one to five plants",
        "An ERP system older than ten years",
        "Delivery reliability is a stated goal of the management",
    ],
    "assumptions": [
        {
            "assumption": "Manufacturers of this size decide within six months",
            "how_we_know": "Median days from first meeting to won deal in the pipeline",
        },
        {
            "assumption": "Delivery reliability is their first worry, before cost",
            "how_we_know": "What the people at these accounts read and ask about",
        },
        {
            "assumption": "They prefer a supplier that speaks their language",
            "how_we_know": "Reasons given when deals are won or lost",
        },
    ],
}


def demo_board(worry_id: Callable[[str], int]) -> Board:
    """The demo board, built with the board's own operations; ``worry_id`` gives a
    worry's id by its name."""
    board = EMPTY
    ids: dict[str, str] = {}
    for name in CUSTOMER_STEPS:
        board, ids[name] = add_step(board, "customer", name)
    for name in OUR_STEPS:
        board, ids[name] = add_step(board, "ours", name)
    for customer, ours, note in TOUCHPOINTS:
        board, _id = add_touchpoint(board, ids[customer], ids[ours], note)
    for step, situations in SITUATIONS.items():
        for name, worries in situations.items():
            board, situation = add_situation(board, ids[step], name)
            for worry in worries:
                board = place_worry(board, situation, worry_id(worry))
    for step, solutions in SOLUTIONS.items():
        for name, worries in solutions.items():
            board, solution = add_solution(board, ids[step], name)
            for worry in worries:
                board = answer_worry(board, solution, worry_id(worry))
    return board


def _board(connection: Connection, now: datetime, actor: Actor) -> None:
    def worry(name: str) -> int:
        return worry_id_named(connection, name, now=now, actor=actor)

    fields: dict[str, Any] = {
        "name": "Delivery reliability",
        "slug": BOARD,
        "document": demo_board(worry).document(),
    }
    if store.needs_segment_id(connection, NEEDS_SEGMENT) is not None:
        fields["needs_segment"] = NEEDS_SEGMENT
    create_board(connection, fields, now=now, actor=actor)


def ensure_demo_understanding(connection: Connection, *, now: datetime) -> list[str]:
    """Make what is missing of the demo's customer understanding; returns what was made."""
    actor = Actor(None)
    made: list[str] = []
    if store.board_row(connection, BOARD) is None:
        _board(connection, now, actor)
        made.append("zipper board")
    if find_document(connection, CORE_QUESTIONS) is None:
        save_core_questions(connection, CORE, version=None, now=now, actor=actor)
        made.append("core questions")
    for kind, slug, body in (
        ("swot", "swot", SWOT),
        ("pest", "pest", PEST),
        ("target_customer", "target-customer", TARGET),
    ):
        if find_document(connection, slug) is None:
            create_document(
                connection, {"kind": kind, "slug": slug, "body": body}, now=now, actor=actor
            )
            made.append(slug)
    return made


__all__ = ["demo_board", "ensure_demo_understanding"]
