"""A small fixed world for the funnel, journeys and channel costs (2026, UTC).

Users: ``marketer`` (marketing) and ``seller`` (sales).  Accounts: ``A1`` gold,
needs segment ``growth``, owned by the seller; ``A2`` silver, ``cost``; ``A3``
unclassified, no segment.  Forms ``guide`` and ``webinar``.

==== ========== =============== ======= ===================== =======================
who  created    source          account first touch (channel) moves (day at 12:00)
==== ========== =============== ======= ===================== =======================
c1   01-05      form:guide      A1      paid_search           lead 01-06, mql 01-10,
                                                              sql 01-20 18:00, sal 01-22,
                                                              opportunity 02-01,
                                                              customer 03-03
c2   01-15      import:hubspot  A2      email                 lead 01-16, mql 01-26,
                                                              lead 02-05, mql 02-10,
                                                              recycled 02-25
c3   02-03      form:guide      A1      paid_search (an       lead 02-04, sql 02-09,
                                        earlier event has no  disqualified 02-12
                                        channel)
c4   02-10      api             —       none                  none (a subscriber)
c5   02-20      import:hubspot  A3      web                   none, imported as an MQL
c6   03-01      api             A2      email                 lead 03-02, mql 03-04
c7   03-05      form:guide      —       organic_search        lead 03-06, mql 03-08
==== ========== =============== ======= ===================== =======================

Every path starts at subscriber.  c2 submitted ``guide`` (01-20) then
``webinar`` (02-01); c6 submitted ``webinar``.  c6 is owned by the seller, so
the seller sees c1, c3 (their account A1) and c6.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy import Connection, Engine, insert

from silverplatter.services.workspace import init_workspace
from silverplatter.storage import first_touches
from silverplatter.storage.capture_schema import form_submissions, forms
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts, events, users

START = datetime(2025, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def day(month: int, date: int, hour: int = 12) -> datetime:
    return datetime(2026, month, date, hour, tzinfo=UTC)


#: name → (created, source, account, current stage)
PEOPLE: dict[str, tuple[datetime, str, str | None, str]] = {
    "c1": (day(1, 5), "form:guide", "A1", "customer"),
    "c2": (day(1, 15), "import:hubspot", "A2", "recycled"),
    "c3": (day(2, 3), "form:guide", "A1", "disqualified"),
    "c4": (day(2, 10), "api", None, "subscriber"),
    "c5": (day(2, 20), "import:hubspot", "A3", "mql"),
    "c6": (day(3, 1), "api", "A2", "mql"),
    "c7": (day(3, 5), "form:guide", None, "mql"),
}
MOVES = {
    "c1": [
        ("lead", day(1, 6)),
        ("mql", day(1, 10)),
        ("sql", day(1, 20, 18)),
        ("sal", day(1, 22)),
        ("opportunity", day(2, 1)),
        ("customer", day(3, 3)),
    ],
    "c2": [
        ("lead", day(1, 16)),
        ("mql", day(1, 26)),
        ("lead", day(2, 5)),
        ("mql", day(2, 10)),
        ("recycled", day(2, 25)),
    ],
    "c3": [("lead", day(2, 4)), ("sql", day(2, 9)), ("disqualified", day(2, 12))],
    "c6": [("lead", day(3, 2)), ("mql", day(3, 4))],
    "c7": [("lead", day(3, 6)), ("mql", day(3, 8))],
}
#: name → [(channel or None, when)]
TOUCHES: dict[str, list[tuple[str | None, datetime]]] = {
    "c1": [("paid_search", day(1, 5, 13)), ("email", day(1, 7))],
    "c2": [("email", day(1, 15, 13))],
    "c3": [(None, day(2, 3, 13)), ("paid_search", day(2, 4, 8))],
    "c5": [("web", day(2, 21))],
    "c6": [("email", day(3, 1, 13))],
    "c7": [("organic_search", day(3, 5, 13))],
}


def build_analytics_world(engine: Engine) -> dict[str, int]:
    """The world above; ids by name (people, accounts and the two users)."""
    init_workspace(engine, name="Analytics", now=START)
    with engine.begin() as connection:
        ids = _users(connection)
        ids |= _accounts(connection, ids)
        ids |= _people(connection, ids)
        _moves(connection, ids)
        _touches(connection, ids)
        first_touches.refresh(connection)
        _submissions(connection, ids)
    return ids


def _users(connection: Connection) -> dict[str, int]:
    ids = {}
    for name, role in (("marketer", "marketing"), ("seller", "sales")):
        ids[name] = connection.execute(
            insert(users)
            .values(
                email=f"{name}@seller.example", email_key=f"{name}@seller.example",
                name=name.title(), role=role, active=True, created_at=START,
            )
            .returning(users.c.id)
        ).scalar_one()  # fmt: skip
    return ids


def _accounts(connection: Connection, ids: dict[str, int]) -> dict[str, int]:
    found = {}
    for name, tier, segment, owner in (
        ("A1", "gold", "growth", ids["seller"]),
        ("A2", "silver", "cost", None),
        ("A3", "unclassified", None, None),
    ):
        found[name] = connection.execute(
            insert(accounts)
            .values(
                name=name, value_tier=tier, needs_segment=segment, owner_id=owner,
                status="prospect", custom={}, created_at=START, updated_at=START,
            )
            .returning(accounts.c.id)
        ).scalar_one()  # fmt: skip
    return found


def _people(connection: Connection, ids: dict[str, int]) -> dict[str, int]:
    found = {}
    for name, (created, source, account, stage) in PEOPLE.items():
        email = f"{name}@buyer.example"
        found[name] = connection.execute(
            insert(contacts)
            .values(
                email=email, email_key=email, account_id=ids[account] if account else None,
                owner_id=ids["seller"] if name == "c6" else None, custom={},
                created_at=created, updated_at=created, lifecycle_stage=stage,
                source=source,
            )
            .returning(contacts.c.id)
        ).scalar_one()  # fmt: skip
    return found


def _moves(connection: Connection, ids: dict[str, int]) -> None:
    for name, moves in MOVES.items():
        stage = "subscriber"
        for target, at in moves:
            connection.execute(
                insert(stage_transitions).values(
                    contact_id=ids[name], from_stage=stage, to_stage=target,
                    transition="test", actor="rule", reason="fixed world", occurred_at=at,
                )
            )  # fmt: skip
            stage = target


def _touches(connection: Connection, ids: dict[str, int]) -> None:
    numbers = count(1)
    for name, touches in TOUCHES.items():
        for channel, at in touches:
            number = next(numbers)
            connection.execute(
                insert(events).values(
                    key_hash=number, idempotency_key=f"touch-{number}", type="page_view",
                    occurred_at=at, contact_id=ids[name], channel=channel, properties={},
                    received_at=at,
                )
            )  # fmt: skip


def _submissions(connection: Connection, ids: dict[str, int]) -> None:
    form_ids = {}
    for slug in ("guide", "webinar"):
        form_ids[slug] = connection.execute(
            insert(forms)
            .values(
                slug=slug, name=slug, fields=[], questions=[], allowed_origins=[],
                created_at=START, updated_at=START,
            )
            .returning(forms.c.id)
        ).scalar_one()  # fmt: skip
    for name, slug, at in (
        ("c2", "guide", day(1, 20)),
        ("c2", "webinar", day(2, 1)),
        ("c6", "webinar", day(3, 1)),
        ("c1", "webinar", day(1, 9)),
    ):
        connection.execute(
            insert(form_submissions).values(
                form_id=form_ids[slug], contact_id=ids[name], answers={},
                opt_in="not_required", submitted_at=at,
            )
        )  # fmt: skip
