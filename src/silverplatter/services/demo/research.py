"""The demo seller's worries with their content tags, a needs and competitor grid and a Kano
study (domain §9, §10), so the worry profiles, talking points, heatmaps and Kano charts show.

* **Worries**: the seven the demo content answers (``content.WORRIES``), each
  with a talking point, tagged with its content pieces (by content id and
  page), its blog and solution pages; their profiles are then computed from
  the demo's 24 months of reading.
* **Grid** "ERP buyers in manufacturing": brand, product, quality, price and
  service; us and three ERP vendors of the demo world.  Six internal raters
  disagree as seed 001 says they do (marketing: brand and quality; sales:
  product and price; customer service: quality and service); twelve
  customers' survey answers put service and quality first.
* **Kano** "ERP features 2026": seven features, thirty respondents in two
  segments, answers drawn with a fixed seed.

Made once and never overwritten: what is changed in the UI stays.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.services.audit import Actor
from silverplatter.services.demo.content import BLOG_PAGES, CONTENT, GENERAL_PAGES, WORRIES
from silverplatter.services.kano_studies import create_study, import_answers, list_studies
from silverplatter.services.need_grids import create_grid, list_grids, save_rating
from silverplatter.services.worries import add_tag, create_worry, list_worries
from silverplatter.services.worry_profiles import recompute_worry_profiles

TALKING_POINTS: Final = {
    "delivery_reliability": "Ask which orders slipped last quarter; offer the delivery-delay "
    "guide and a look at promise dates they can keep.",
    "cost_control": "Ask where the margin leaks (quoting, overtime, stock); offer the ERP "
    "total-cost benchmark.",
    "integration": "Ask how many systems keep the same data; show the shop-floor integration "
    "video.",
    "production_visibility": "Ask how they know what is happening on the floor today; offer "
    "the real-time visibility guide.",
    "ageing_systems": "Ask when their ERP was installed and who still knows it; offer the "
    "end-of-life checklist.",
    "growth": "Ask about the next plant or country; show a multi-plant roll-out.",
    "compliance": "Ask what CSRD reporting costs them today; offer the sustainability "
    "reporting guide.",
}
GRID: Final = "erp-buyers"
NEEDS: Final = ("Brand", "Product", "Quality", "Price", "Service")
COMPETITORS: Final = ("Us", "Kelo Systems", "Norrsken Software", "Atlas Enterprise")
#: (rater, department, points per need, scores per competitor in NEEDS order)
INTERNAL: Final = (
    ("Maria", "Marketing", (35, 15, 30, 10, 10),
     ((9, 8, 8, 6, 7), (6, 7, 7, 8, 6), (7, 6, 6, 7, 5), (8, 7, 6, 5, 6))),
    ("Mikko", "Marketing", (30, 20, 25, 10, 15),
     ((8, 8, 8, 6, 7), (6, 7, 6, 8, 6), (7, 7, 6, 7, 6), (8, 6, 7, 5, 5))),
    ("Sami", "Sales", (10, 35, 10, 35, 10),
     ((7, 9, 7, 5, 7), (6, 7, 7, 8, 6), (6, 7, 6, 8, 6), (7, 8, 7, 4, 6))),
    ("Sofia", "Sales", (5, 40, 15, 30, 10),
     ((7, 8, 8, 5, 6), (6, 6, 7, 8, 5), (6, 6, 6, 9, 6), (7, 8, 7, 5, 5))),
    ("Kaisa", "Customer service", (5, 10, 35, 10, 40),
     ((7, 7, 7, 6, 6), (6, 7, 7, 7, 7), (6, 6, 6, 8, 6), (7, 7, 6, 5, 5))),
    ("Pekka", "Customer service", (10, 10, 30, 10, 40),
     ((6, 7, 7, 6, 6), (6, 6, 8, 7, 7), (5, 6, 7, 8, 6), (7, 7, 6, 5, 6))),
)  # fmt: skip
#: The customers' pattern: points centre and score centre per competitor.
CUSTOMER_POINTS: Final = (8, 20, 27, 15, 30)
CUSTOMER_SCORES: Final = ((6, 7, 6, 6, 5), (6, 7, 7, 7, 7), (6, 6, 7, 8, 7), (7, 7, 6, 5, 6))
CUSTOMERS: Final = 12
KANO: Final = "erp-features-2026"
#: feature → chances of (A, O, M, I) answer pairs
FEATURES: Final = {
    "Real-time production visibility": (0.2, 0.5, 0.2, 0.1),
    "Delivery date promise (ATP)": (0.1, 0.3, 0.5, 0.1),
    "Mobile shop-floor app": (0.5, 0.2, 0.05, 0.25),
    "Carbon footprint per order": (0.35, 0.15, 0.1, 0.4),
    "Single sign-on": (0.05, 0.15, 0.6, 0.2),
    "AI demand forecast": (0.45, 0.15, 0.05, 0.35),
    "Dark mode": (0.15, 0.05, 0.0, 0.8),
}
#: an answer pair (functional, dysfunctional) for each category
PAIRS: Final = {
    "A": ((1, 3), (1, 4), (1, 2)),
    "O": ((1, 5),),
    "M": ((2, 5), (3, 5), (4, 5)),
    "I": ((3, 3), (2, 3), (3, 4), (4, 4)),
}
RESPONDENTS: Final = 30
SEED: Final = 9


def _slug(key: str) -> str:
    return key.replace("_", "-")


def _worries(connection: Connection, actor: Actor, now: datetime) -> list[str]:
    existing = {worry.slug for worry in list_worries(connection)}
    made: list[str] = []
    for key, name in WORRIES.items():
        if _slug(key) in existing:
            continue
        create_worry(
            connection,
            {
                "slug": _slug(key),
                "name": name,
                "description": f"What the demo seller's content about {name.lower()} answers.",
                "talking_point": TALKING_POINTS[key],
            },
            actor=actor,
            now=now,
        )
        tags: list[dict[str, Any]] = []
        for piece in CONTENT:
            if piece.worry == key:
                tags.append({"kind": "content", "target": piece.id, "weight": 2})
                tags.append({"kind": "url_pattern", "target": piece.url, "weight": 1})
        for page in BLOG_PAGES + GENERAL_PAGES:
            if page.worry == key:
                tags.append({"kind": "url_pattern", "target": page.url, "weight": 1})
        for tag in tags:
            add_tag(connection, _slug(key), tag, actor=actor, now=now, recompute=False)
        made.append(_slug(key))
    if made:
        recompute_worry_profiles(connection, now=now)
    return made


def _scores(rows: tuple[tuple[int, ...], ...]) -> dict[str, dict[str, int]]:
    return {
        rival: dict(zip(NEEDS, row, strict=True))
        for rival, row in zip(COMPETITORS, rows, strict=True)
    }


def _customer(rng: random.Random) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    raw = [max(0, centre + rng.randint(-5, 5)) for centre in CUSTOMER_POINTS]
    points = [round(value * 100 / sum(raw)) for value in raw]
    points[-1] += 100 - sum(points)
    scores = tuple(
        tuple(min(10, max(0, centre + rng.randint(-1, 1))) for centre in row)
        for row in CUSTOMER_SCORES
    )
    return dict(zip(NEEDS, points, strict=True)), _scores(scores)


def _grid(connection: Connection, actor: Actor, now: datetime) -> bool:
    if any(grid.slug == GRID for grid in list_grids(connection)):
        return False
    create_grid(
        connection,
        {
            "slug": GRID,
            "name": "ERP buyers in manufacturing",
            "needs": list(NEEDS),
            "competitors": list(COMPETITORS),
            "us": "Us",
        },
        actor=actor,
        now=now,
    )
    for rater, department, points, scores in INTERNAL:
        document = {
            "rater": rater,
            "department": department,
            "weights": dict(zip(NEEDS, points, strict=True)),
            "scores": _scores(scores),
        }
        save_rating(connection, GRID, document, actor=actor, now=now)
    rng = random.Random(SEED)
    for number in range(1, CUSTOMERS + 1):
        weights, scores_of = _customer(rng)
        document = {
            "rater": f"Customer {number:02d}",
            "source": "customer",
            "weights": weights,
            "scores": scores_of,
        }
        save_rating(connection, GRID, document, actor=actor, now=now)
    return True


def _kano(connection: Connection, actor: Actor, now: datetime) -> bool:
    if any(study.slug == KANO for study in list_studies(connection)):
        return False
    create_study(connection, {"slug": KANO, "name": "ERP features 2026"}, actor=actor, now=now)
    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    for number in range(1, RESPONDENTS + 1):
        segment = "Enterprise" if number % 3 == 0 else "SMB"
        for feature, chances in FEATURES.items():
            # Enterprises expect single sign-on and delivery promises more than small firms do.
            if segment == "Enterprise" and feature in (
                "Single sign-on",
                "Delivery date promise (ATP)",
            ):
                chances = (chances[0] / 2, chances[1], chances[2] + chances[0] / 2, chances[3])
            category = rng.choices("AOMI", weights=chances)[0]
            functional, dysfunctional = rng.choice(PAIRS[category])
            if rng.random() < 0.03:
                functional, dysfunctional = 1, 1  # now and then a contradictory pair
            rows.append(
                {
                    "respondent": f"R{number:02d}",
                    "feature": feature,
                    "functional": functional,
                    "dysfunctional": dysfunctional,
                    "segment": segment,
                }
            )
    import_answers(connection, KANO, rows, actor=actor, now=now)
    return True


def ensure_demo_research(connection: Connection, *, now: datetime) -> list[str]:
    """Make what is missing of the demo's worries, grid and Kano study; what was made."""
    actor = Actor(None)
    made = [f"worry {slug}" for slug in _worries(connection, actor, now)]
    if _grid(connection, actor, now):
        made.append(f"needs grid {GRID}")
    if _kano(connection, actor, now):
        made.append(f"Kano study {KANO}")
    return made


__all__ = ["ensure_demo_research"]
