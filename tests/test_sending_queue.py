"""Queueing nurture mail in the send ledger: idempotent, suppression enforced."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update

from nurture_world import NOW, add_template, ledger, seed_world
from silverplatter.domain.privacy import erased_address
from silverplatter.services.sending import queue_send, recipient_domain
from silverplatter.services.suppression import suppress
from silverplatter.storage.schema import contacts


def test_queue_send_is_idempotent_by_dedupe_key(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    with engine.begin() as connection:
        first = queue_send(
            connection,
            template_id=template,
            contact_id=people["lea"],
            dedupe_key="b:1:lea",
            now=NOW,
        )
        again = queue_send(
            connection,
            template_id=template,
            contact_id=people["lea"],
            dedupe_key="b:1:lea",
            now=NOW,
        )
    assert (first.status, again.status, again.send_id) == ("queued", "duplicate", None)
    rows = ledger(engine)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == first.send_id
    assert (row["status"], row["to_domain"], row["attempts"], row["contact_id"]) == (
        "queued",
        "buyer.example",
        0,
        people["lea"],
    )


def test_suppressed_and_erased_contacts_get_a_suppressed_row(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    with engine.begin() as connection:
        suppress(connection, "OLLI@buyer.example", reason="unsubscribed", source="t", now=NOW)
        tombstone = erased_address(people["pia"])
        connection.execute(
            update(contacts).where(contacts.c.id == people["pia"]).values(email=tombstone)
        )
        olli = queue_send(
            connection, template_id=template, contact_id=people["olli"], dedupe_key="o", now=NOW
        )
        pia = queue_send(
            connection, template_id=template, contact_id=people["pia"], dedupe_key="p", now=NOW
        )
    assert (olli.status, pia.status) == ("suppressed", "suppressed")
    assert [row["last_error"] for row in ledger(engine)] == [
        "suppressed: unsubscribed",
        "suppressed: erased",
    ]


def test_dedupe_key_is_checked() -> None:
    with pytest.raises(ValueError, match="dedupe_key"):
        queue_send(None, template_id=1, contact_id=1, dedupe_key="", now=NOW)  # type: ignore[arg-type]


def test_recipient_domain() -> None:
    assert recipient_domain("Lea@Buyer.Example") == "buyer.example"
    assert recipient_domain("nobody") is None
    assert recipient_domain(None) is None
