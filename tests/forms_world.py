"""A workspace with capture forms: a newsletter (soft, double opt-in, a guide) and a
meeting request (hard, single opt-in), the contact properties their questions fill,
and the lead magnet the newsletter offers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, func, select

from silverplatter.services.audit import Actor
from silverplatter.services.forms import Form, create_form
from silverplatter.services.workspace import init_workspace
from silverplatter.storage import properties as property_store
from silverplatter.storage.capture_schema import lead_magnets

NOW: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PUBLIC_URL: Final = "https://leads.seller.example"
WORDING: Final = (
    "Yes, email me guides and offers that match my interests. I can unsubscribe at any time."
)
MEETING_WORDING: Final = "Yes, contact me about my request by e-mail or phone."


def newsletter(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "slug": "newsletter",
        "name": "Newsletter",
        "fields": [
            {"name": "email", "label": "Work e-mail", "required": True},
            {"name": "first_name"},
            {"name": "company"},
        ],
        "questions": [
            {
                "key": "topics_of_interest",
                "label": "Which topics interest you?",
                "choices": ["ERP", "CRM", "BI"],
                "multiple": True,
                "property": "topics",
            },
            {
                "key": "responsibilities",
                "label": "What are you responsible for?",
                "choices": ["IT", "Finance", "Operations"],
            },
        ],
        "consent_wording": WORDING,
        "cta_kind": "soft",
        "lead_magnet": "erp-guide",
        "double_opt_in": True,
        "allowed_origins": ["https://www.seller.example", "http://localhost:8765"],
    }
    raw.update(changes)
    return raw


def meeting_request(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "slug": "request-a-meeting",
        "name": "Request a meeting",
        "fields": [
            {"name": "email", "required": True},
            {"name": "first_name", "required": True},
            {"name": "last_name", "required": True},
            {"name": "phone"},
        ],
        "questions": [],
        "consent_wording": MEETING_WORDING,
        "cta_kind": "hard",
        "double_opt_in": False,
        "allowed_origins": ["https://www.seller.example"],
        "success_message": "Thank you! We will call you within one working day.",
    }
    raw.update(changes)
    return raw


def add_lead_magnet(connection: Connection, slug: str = "erp-guide", now: datetime = NOW) -> int:
    content = b"%PDF-1.4 a guide to choosing an ERP\n"
    result = connection.execute(
        lead_magnets.insert()
        .values(
            slug=slug,
            title="How to choose an ERP",
            file_name="erp-guide.pdf",
            content_type="application/pdf",
            size_bytes=len(content),
            sha256="0" * 64,
            content=content,
            cta_kind="soft",
            active=True,
            created_at=now,
            updated_at=now,
        )
        .returning(lead_magnets.c.id)
    )
    return int(result.scalar_one())


def seed_capture(connection: Connection, now: datetime = NOW) -> None:
    """The topics property and the ERP guide (the workspace must exist)."""
    property_store.create_definition(
        connection,
        object_type="contact",
        name="topics",
        label="Topics",
        type="choice",
        options={"choices": ["ERP", "CRM", "BI", "HR"], "multiple": True},
        now=now,
    )
    add_lead_magnet(connection, now=now)


def seed_forms(engine: Engine, now: datetime = NOW, *, workspace: bool = True) -> dict[str, Form]:
    """The two forms by slug, in a workspace made here unless ``workspace`` is False."""
    if workspace:
        init_workspace(engine, name="Seller Oy", now=now)
    with engine.begin() as connection:
        seed_capture(connection, now)
        made = [
            create_form(connection, raw, actor=Actor(None), now=now)
            for raw in (newsletter(), meeting_request())
        ]
    return {form.slug: form for form in made}


def count(connection: Connection, table: Any, *where: Any) -> int:
    return int(
        connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    )
