"""A small fixed world of accounts and contacts for the list, API and page tests.

Three accounts, six contacts with known names, scores, grades, stages and
consent, so every filter and every sort has an exact expected answer.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update

from silverplatter.domain.grades import level_of
from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.schema import consent_records, contacts
from web_world import NOW, ROLE_EMAILS, seed_users

SALES = ROLE_EMAILS["sales"]
MARKETING = ROLE_EMAILS["marketing"]

#: email → (first, last, account domain, owner, country, decision role)
PEOPLE = {
    "anna@nordtek.fi": ("Anna", "Virtanen", "nordtek.fi", None, "FI", "decision_maker"),
    "pekka@nordtek.fi": ("Pekka", "Korhonen", "nordtek.fi", None, "FI", "champion"),
    "erik@vasa-energi.se": ("Erik", "Lind", "vasa-energi.se", SALES, "SE", "economic_buyer"),
    "sara@vasa-energi.se": ("Sara", "Berg", "vasa-energi.se", MARKETING, "SE", "influencer"),
    "ola@bergendata.no": ("Ola", "Nordmann", "bergendata.no", None, "NO", "user"),
    "lone@example.com": (None, None, None, None, None, None),
}
#: email → (score, grade)
SCORES = {
    "anna@nordtek.fi": (80.0, "A"),
    "pekka@nordtek.fi": (45.0, "B-"),
    "erik@vasa-energi.se": (62.0, "B+"),
    "sara@vasa-energi.se": (45.0, "C"),
}
STAGES = {"anna@nordtek.fi": "mql", "erik@vasa-energi.se": "sql"}
#: email → e-mail consent actions in time order
CONSENT = {
    "anna@nordtek.fi": ("granted", "confirmed"),
    "pekka@nordtek.fi": ("granted", "withdrawn"),
    "erik@vasa-energi.se": ("granted",),
}


def build(engine: Engine) -> dict[str, int]:
    """Users, accounts and contacts; returns name → id (emails, domains and roles)."""
    ids: dict[str, int] = dict(seed_users(engine))
    with engine.begin() as connection:
        made = upsert_accounts(
            connection,
            [
                AccountFields(
                    name="Nordtek Oy",
                    domain="nordtek.fi",
                    value_tier="gold",
                    owner_email=SALES,
                    country="FI",
                    industry="Manufacturing",
                    employees=1250,
                ),
                AccountFields(
                    name="Vasa Energi AB",
                    domain="vasa-energi.se",
                    value_tier="silver",
                    owner_email=MARKETING,
                    country="SE",
                    industry="Energy",
                    status="customer",
                ),
                AccountFields(
                    name="Bergen Data AS", domain="bergendata.no", value_tier="bronze", country="NO"
                ),
            ],
            now=NOW,
        )
        assert not made.errors, made.errors
        for domain, account_id in zip(
            ("nordtek.fi", "vasa-energi.se", "bergendata.no"), made.ids, strict=True
        ):
            assert account_id is not None
            ids[domain] = account_id
        people = [
            ContactFields(
                email=email,
                first_name=first,
                last_name=last,
                account_domain=domain,
                owner_email=owner,
                country=country,
                decision_role=role,
                created_at=NOW - timedelta(days=10 - n),
            )
            for n, (email, (first, last, domain, owner, country, role)) in enumerate(PEOPLE.items())
        ]
        result = upsert_contacts(connection, people, now=NOW)
        assert not result.errors, result.errors
        for email, contact_id in zip(PEOPLE, result.ids, strict=True):
            assert contact_id is not None
            ids[email] = contact_id
        for email, (score, grade) in SCORES.items():
            connection.execute(
                contact_scores.insert().values(
                    contact_id=ids[email],
                    model_version=1,
                    grade_level=level_of(grade),
                    grade=grade,
                    score=score,
                    evaluated_at=NOW,
                    sums={},
                    flags={},
                    engaged=True,
                    last_engaged_ts=None,
                    touches=1,
                    recent_touches=[],
                    silent=False,
                    qualification="lead",
                    needs_qualification=False,
                )
            )
        for domain, score in (("nordtek.fi", 120.0), ("vasa-energi.se", 70.0)):
            connection.execute(
                account_scores.insert().values(
                    account_id=ids[domain],
                    model_version=1,
                    evaluated_at=NOW,
                    sums={},
                    flags={},
                    own_score=score,
                    contacts_score=0.0,
                    top_contact_score=0.0,
                    engaged_contacts=1,
                    roles_covered=[],
                    score=score,
                )
            )
        for email, stage in STAGES.items():
            connection.execute(
                update(contacts).where(contacts.c.id == ids[email]).values(lifecycle_stage=stage)
            )
        for email, actions in CONSENT.items():
            for hour, action in enumerate(actions):
                connection.execute(
                    consent_records.insert().values(
                        contact_id=ids[email],
                        channel="email",
                        action=action,
                        source="test",
                        occurred_at=NOW - timedelta(days=5, hours=-hour),
                    )
                )
    return ids


def names_of(ids: dict[str, int], found: list[int]) -> list[str]:
    """The world's e-mail addresses (or domains) of ``found`` ids, in order."""
    by_id = {value: key for key, value in ids.items() if "@" in key}
    return [by_id.get(value, str(value)) for value in found]
