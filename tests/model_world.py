"""The lead engine's fixed world (tests/lead_world.py) scored with the default model,
and a changed model whose effect on it is known.

Before the change: ceo@acme.fi MQL, ops@acme.fi MQL (26 points), director@pohja.fi
lead (26 points, grade B), buyer@kauppa.se lead with a hard CTA, the other two
subscribers.  :data:`CHANGED` raises gold's MQL bar to 30 (ops: MQL → lead),
lowers silver's to 25 (director: lead → MQL), lets a hard CTA alone make a
bronze SQL (buyer: lead → SQL, handed over to sales) and counts a senior role
a whole letter (director B → B+, cfo@unknown.co.uk D+ → C-).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, func, select

from lead_world import NOW, build_world, event
from silverplatter.domain.model_file import default_model_text
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts, metadata

EVENTS = (
    event("page_view", "ceo@acme.fi", 0, url="/pricing"),
    event("webinar_attended", "ops@acme.fi", 2),
    event("form_submit", "ops@acme.fi", 1, cta="soft", form="guide_download"),
    event("form_submit", "director@pohja.fi", 3, cta="soft", form="guide_download"),
    event("webinar_attended", "director@pohja.fi", 2),
    event("form_submit", "buyer@kauppa.se", 5, cta="hard", form="demo_request"),
    event("page_view", "buyer@kauppa.se", 1, url="/blog/why-deliveries-slip"),
)


def _changed(text: str) -> str:
    replacements = (
        ("[thresholds.gold]\nmql = { score = 20 }", "[thresholds.gold]\nmql = { score = 30 }"),
        ('mql = { score = 35, grade = "C" }', 'mql = { score = 25, grade = "C" }'),
        (
            'sql = { all = [ { grade = "B" }, { engaged_contacts_at_account = 2 }, '
            '{ bant = "complete" } ] }',
            'sql = { flag = "hard_cta" }',
        ),
        (
            'in = ["C-level", "VP", "Director"]\nmatch = "+2/3"',
            'in = ["C-level", "VP", "Director"]\nmatch = "+1"',
        ),
    )
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


DEFAULT = default_model_text()
CHANGED = _changed(DEFAULT)

#: Line 69 of the default model is the pricing rule's ``points = 10``.
BROKEN = DEFAULT.replace(
    'url_matches = "/pricing*"\npoints = 10', 'url_matches = "/pricing*"\npoints = "ten"'
)


def build_scored_world(engine: Engine) -> dict[str, int]:
    """The fixed world with its events, fully recomputed with the default model."""
    with engine.begin() as connection:
        ids = build_world(connection)
        ingest_events(connection, list(EVENTS), now=NOW)
        recompute(connection, now=NOW)
    return ids


def states(connection: Connection) -> dict[str, tuple[str, str | None, float | None]]:
    """email → (stage, grade, score)."""
    rows = connection.execute(
        select(
            contacts.c.email,
            contacts.c.lifecycle_stage,
            contact_scores.c.grade,
            contact_scores.c.score,
        ).select_from(
            contacts.outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id)
        )
    )
    return {row.email: (row.lifecycle_stage, row.grade, row.score) for row in rows}


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in metadata.sorted_tables
        }


def moves(before: dict[str, Any], after: dict[str, Any], part: int) -> dict[tuple[Any, Any], int]:
    """How many contacts went from one value to another in ``part`` of :func:`states`."""
    counted: dict[tuple[Any, Any], int] = {}
    for email, old in before.items():
        pair = (old[part], after[email][part])
        if pair[0] != pair[1]:
            counted[pair] = counted.get(pair, 0) + 1
    return counted
