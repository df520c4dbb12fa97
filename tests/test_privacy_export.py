"""Exporting everything held about a person as one JSON document."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from privacy_world import COLLEAGUE, EMAIL, NOW, build_privacy_world
from silverplatter.services.audit import Actor
from silverplatter.services.privacy import EXPORT_FORMAT, export_person, find_person
from silverplatter.storage.access_schema import audit_log


def test_the_export_holds_every_section_about_her(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    with engine.begin() as connection:
        document = export_person(
            connection, ids["zelda"], actor=Actor(ids["marketing"], "203.0.113.9"), now=NOW
        )
    assert json.loads(json.dumps(document)) == document
    assert list(document) == [
        "format",
        "exported_at",
        "contact",
        "account",
        "consent",
        "form_submissions",
        "events",
        "score",
        "prediction",
        "segments",
        "lifecycle",
        "qualifications",
        "handovers",
        "meetings",
        "opportunities",
        "mail",
        "suppression",
        "visitors",
        "programmes",
        "nurture_mail",
        "bounces",
        "worries",
        "erasure",
    ]
    assert (document["format"], document["exported_at"]) == (EXPORT_FORMAT, NOW.isoformat())
    contact = document["contact"]
    assert (contact["email"], contact["first_name"], contact["last_name"]) == (
        EMAIL,
        "Zelda",
        "Quimby",
    )
    assert (contact["phone"], contact["external_id"], contact["custom"]) == (
        "+358 40 765 4321",
        "CRM-ZQ-1",
        {"pet_name": "Zelda's cat Quimbo"},
    )
    assert document["account"] == {
        "id": ids["account"],
        "name": "Northwind Oy",
        "domain": "northwind.example",
    }
    assert [(c["action"], c["source"], c["ip_address"]) for c in document["consent"]] == [
        ("granted", "form:erp-guide", "198.51.100.7"),
        ("confirmed", "double_opt_in", "198.51.100.7"),
    ]
    [submission] = document["form_submissions"]
    assert (
        submission["form_slug"],
        submission["lead_magnet_slug"],
        submission["consent_wording_version"],
        submission["answers"]["message"],
        submission["opt_in"],
    ) == ("erp-guide", "erp-guide", 1, "Call me, Zelda, on my mobile", "confirmed")
    assert [(e["type"], e["visitor_id"]) for e in document["events"]] == [
        ("page_view", "v-zelda"),
        ("page_view", "v-zelda"),
        ("form_submit", "v-zelda"),
        ("email_click", None),
    ]
    assert document["events"][3]["properties"] == {
        "url": f"https://seller.example/webinar?e={EMAIL}",
        "campaign": "march",
    }
    assert document["score"]["grade"] is not None
    assert (document["prediction"], document["segments"]) == (None, [])
    assert document["lifecycle"]["stage"] == "sql"
    assert [move["to_stage"] for move in document["lifecycle"]["history"]] == ["mql", "sql"]
    assert document["lifecycle"]["history"][-1]["reason"] == "Zelda asked for a call"
    assert [q["authority"] for q in document["qualifications"]] == ["Zelda Quimby decides"]
    assert [(h["tier"], h["acted_at"]) for h in document["handovers"]] == [("gold", None)]
    assert [(m["subject"], m["attendee_name"]) for m in document["meetings"]] == [
        ("Intro with Zelda", "Zelda Quimby")
    ]
    assert [(o["name"], o["amount"]) for o in document["opportunities"]] == [
        ("Northwind ERP (Zelda)", "50000.00")
    ]
    assert [(m["subject"], m["status"]) for m in document["mail"]] == [
        ("Confirm, Zelda", "sent"),
        ("Your ERP guide, Zelda", "queued"),
    ]
    assert document["suppression"] == {
        "reason": "unsubscribed",
        "source": "unsubscribe link",
        "created_at": "2026-02-27T09:00:00+00:00",
    }
    assert [v["id"] for v in document["visitors"]] == ["v-zelda"]
    [programme] = document["programmes"]
    assert (programme["programme_slug"], programme["status"]) == ("welcome", "active")
    assert [step["detail"]["note"] for step in programme["steps"]] == ["sent to Zelda"]
    assert [(m["dedupe_key"], m["status"]) for m in document["nurture_mail"]] == [
        ("welcome:zelda", "bounced")
    ]
    assert [(b["kind"], b["email_key"]) for b in document["bounces"]] == [("hard", EMAIL)]
    assert [(w["slug"], w["value"]) for w in document["worries"]] == [("erp-risk", 2.5)]
    assert document["erasure"] is None
    assert COLLEAGUE not in json.dumps(document)
    with engine.connect() as connection:
        entry = connection.execute(
            select(audit_log.c.user_id, audit_log.c.subject, audit_log.c.details).where(
                audit_log.c.action == "contact.exported"
            )
        ).one()
    assert tuple(entry) == (
        ids["marketing"],
        f"contact {ids['zelda']}",
        {"events": 4, "consent": 2},
    )


def test_an_unaudited_export_writes_nothing(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    with engine.connect() as connection:
        document = export_person(connection, ids["olli"])
        exported = connection.execute(
            select(audit_log.c.id).where(audit_log.c.action == "contact.exported")
        ).all()
    assert exported == []
    assert document["exported_at"] is None
    assert [e["properties"] for e in document["events"]] == [{"url": "https://seller.example/x"}]
    assert document["form_submissions"][0]["answers"] == {
        "email": COLLEAGUE,
        "responsibility": "Finance",
    }
    assert document["visitors"] == []


def test_a_person_is_found_by_id_or_address(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    with engine.connect() as connection:
        assert find_person(connection, str(ids["zelda"])) == ids["zelda"]
        assert find_person(connection, " Zelda.Quimby@NorthWind.example ") == ids["zelda"]
        for given, message in (
            ("999", "no contact with id 999"),
            ("nobody@northwind.example", "no contact with e-mail address nobody@northwind"),
            ("not an address", "'not an address' is neither a contact id nor an e-mail address"),
            ("99999999999", "no contact with id 99999999999"),
        ):
            with pytest.raises(LookupError, match=message):
                find_person(connection, given)
        with pytest.raises(LookupError, match="no contact with id 999"):
            export_person(connection, 999)
