"""A small fixed list for the list KPIs: three months (2026-01 to 2026-03), exact counts.

New addresses (contacts created) and how they were acquired:

* January: ``a1`` (form:newsletter, 10th), ``a2`` (import:fair-2026, 20th);
* February: ``a3`` (form:newsletter, 5th), ``a4`` (form:erp-guide, 14th), ``a5`` (api, 20th);
* March: ``a6`` (no source recorded, 1st);
* before: ``old`` and ``gone`` (2025), on the list; ``gone`` is erased at :data:`NOW`.

First form submissions: a1 newsletter (Jan; her erp-guide one in Feb is not a
first), a3 newsletter (Feb), a4 erp-guide (Feb), old erp-guide (Mar).  The
erp-guide form delivers the lead magnet ``erp-pdf``.

Consent and leavers: a1, a4 and old are on the list.  a2 hard-bounced (Feb),
a3 withdrew her consent (Feb), a5 unsubscribed (withdrawal and suppression on
1 March: one leaver), a complaint from a stranger (Jan), a manual block
(Feb), and gone's erasure (Mar).  Engaged in the last 90 days: a1 (opened an
e-mail) and a4 (visited); old was only sent an e-mail.

Traffic: visitor ``v1`` viewed two owned pages on 8 and 9 January and then
submitted a1's form; ``v3`` viewed a bought page on 4 February, stitched to
a3; ``v9`` viewed two bought pages in February and never identified; a4
visited an owned page on 1 March, after giving her address.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from silverplatter.domain.records import ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.services.privacy import erase_person
from silverplatter.services.records import upsert_contacts
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.suppression import suppress
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.capture_schema import form_submissions, forms, lead_magnets
from silverplatter.storage.schema import consent_records, contacts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PEOPLE = (
    ("a1", datetime(2026, 1, 10, 12, tzinfo=UTC), "form:newsletter"),
    ("a2", datetime(2026, 1, 20, 12, tzinfo=UTC), "import:fair-2026"),
    ("a3", datetime(2026, 2, 5, 12, tzinfo=UTC), "form:newsletter"),
    ("a4", datetime(2026, 2, 14, 12, tzinfo=UTC), "form:erp-guide"),
    ("a5", datetime(2026, 2, 20, 12, tzinfo=UTC), "api"),
    ("a6", datetime(2026, 3, 1, 12, tzinfo=UTC), None),
    ("old", datetime(2025, 6, 1, 12, tzinfo=UTC), "import:old"),
    ("gone", datetime(2025, 5, 1, 12, tzinfo=UTC), "import:old"),
)


def day(month: int, date: int, hour: int = 12) -> datetime:
    return datetime(2026, month, date, hour, tzinfo=UTC)


def address(name: str) -> str:
    return f"{name}@list.example"


def build_list_world(engine: Engine, *, score: bool = True) -> dict[str, int]:
    """The list above; returns contact ids by name.  With ``score`` the lead engine
    scores the events as they arrive (the default model), else nothing is scored."""
    init_workspace(engine, name="Seller", now=datetime(2025, 1, 1, tzinfo=UTC))
    with engine.begin() as connection:
        ids = _people(connection)
        _submissions(connection, ids)
        _consent(connection, ids)
        _behaviour(connection, ids, score)
    with engine.begin() as connection:
        erase_person(connection, ids["gone"], actor=Actor(None), now=NOW)
    return ids


def _people(connection: Connection) -> dict[str, int]:
    for name, created, source in PEOPLE:
        upsert_contacts(
            connection,
            [ContactFields(email=address(name), created_at=created)],
            now=created,
            source=source,
        )
    rows = connection.execute(select(contacts.c.email_key, contacts.c.id))
    return {email.partition("@")[0]: contact_id for email, contact_id in rows}


def _submissions(connection: Connection, ids: dict[str, int]) -> None:
    magnet = connection.execute(
        insert(lead_magnets)
        .values(
            slug="erp-pdf", title="ERP guide", file_name="erp.pdf", content_type="application/pdf",
            size_bytes=3, sha256="0" * 64, content=b"pdf", created_at=day(1, 1),
            updated_at=day(1, 1),
        )
        .returning(lead_magnets.c.id)
    ).scalar_one()  # fmt: skip
    form_ids = {}
    for slug, lead_magnet in (("newsletter", None), ("erp-guide", magnet)):
        form_ids[slug] = connection.execute(
            insert(forms)
            .values(
                slug=slug, name=slug, fields=[], questions=[], lead_magnet_id=lead_magnet,
                allowed_origins=[], created_at=day(1, 1), updated_at=day(1, 1),
            )
            .returning(forms.c.id)
        ).scalar_one()  # fmt: skip
    for person, slug, at in (
        ("a1", "newsletter", day(1, 10)),
        ("a1", "erp-guide", day(2, 3)),
        ("a3", "newsletter", day(2, 5)),
        ("a4", "erp-guide", day(2, 14)),
        ("old", "erp-guide", day(3, 1)),
    ):
        connection.execute(
            insert(form_submissions).values(
                form_id=form_ids[slug], contact_id=ids[person], answers={},
                opt_in="not_required", submitted_at=at,
            )
        )  # fmt: skip


def _consent(connection: Connection, ids: dict[str, int]) -> None:
    grants: list[tuple[str, str, datetime]] = [
        ("a1", "granted", day(1, 10)),
        ("a1", "confirmed", day(1, 10, 13)),
        ("a2", "granted", day(1, 20)),
        ("a3", "granted", day(2, 5)),
        ("a3", "withdrawn", day(2, 25)),
        ("a4", "granted", day(2, 14)),
        ("a5", "granted", day(2, 20)),
        ("a5", "withdrawn", day(3, 1)),
        ("old", "granted", datetime(2025, 6, 1, 12, tzinfo=UTC)),
        ("gone", "granted", datetime(2025, 5, 1, 12, tzinfo=UTC)),
    ]
    for person, action, at in grants:
        connection.execute(
            insert(consent_records).values(
                contact_id=ids[person], channel="email", action=action, source="test",
                occurred_at=at,
            )
        )  # fmt: skip
    for email, reason, at in (
        ("stranger@else.example", "complaint", day(1, 15)),
        (address("a2"), "hard_bounce", day(2, 10)),
        ("blocked@else.example", "manual", day(2, 11)),
        (address("a5"), "unsubscribed", day(3, 1)),
    ):
        suppress(connection, email, reason=reason, source="test", now=at)


def _view(at: datetime, traffic: str, **subject: Any) -> dict[str, Any]:
    return {
        "type": "page_view",
        "occurred_at": at.isoformat(),
        "traffic": traffic,
        "properties": {"url": "https://seller.example/"},
        **subject,
    }


def _behaviour(connection: Connection, ids: dict[str, int], score: bool) -> None:
    batch = [
        _view(day(1, 8), "owned", visitor_id="v1"),
        _view(day(1, 9), "owned", visitor_id="v1"),
        {"type": "form_submit", "occurred_at": day(1, 10).isoformat(), "visitor_id": "v1",
         "contact_id": ids["a1"], "properties": {"form": "newsletter"}},
        _view(day(2, 4), "bought", visitor_id="v3"),
        _view(day(2, 1), "bought", visitor_id="v9"),
        _view(day(2, 2), "bought", visitor_id="v9"),
        _view(day(3, 1, 15), "owned", visitor_id="v4", contact_id=ids["a4"]),
        {"type": "email_open", "occurred_at": day(2, 2).isoformat(), "contact_id": ids["a1"]},
        {"type": "email_sent", "occurred_at": day(2, 2).isoformat(), "contact_id": ids["old"]},
    ]  # fmt: skip
    result = ingest_events(connection, batch, now=NOW, score=score)
    assert result.errors == [], result.errors
    stitch_visitor(connection, visitor_id="v3", contact_id=ids["a3"], now=day(2, 5))
    connection.execute(update(contacts).where(contacts.c.id == ids["a6"]).values(source=None))


__all__ = ["NOW", "address", "build_list_world", "day"]
