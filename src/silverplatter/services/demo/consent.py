"""Consent histories: granted with a wording version, confirmed by double opt-in, withdrawn."""

from __future__ import annotations

from random import Random
from typing import Final

from silverplatter.services.demo.content import CONSENT_WORDINGS, to_json
from silverplatter.services.demo.plans import EventLog, NextIds, Person, Touch, WorldContext
from silverplatter.services.demo.rows import ConsentRow
from silverplatter.services.demo.timeline import DAY, HOUR, day_of

#: Share of each way of joining the list that comes with email consent.
_CONSENT_SHARE: Final = {"form": 1.0, "import": 0.9, "sales": 0.45}
_UNSUBSCRIBE_JSON: Final = to_json({"reason": "unsubscribe link"})


def record_consent(
    rng: Random,
    ctx: WorldContext,
    person: Person,
    form: str | None,
    ids: NextIds,
    consents: list[ConsentRow],
    log: EventLog,
) -> tuple[int, int]:
    """Record the person's consent history; return when they may be mailed, as (from, until).

    From a form the address counts only once the double opt-in is confirmed;
    a withdrawal ends mailing for good (domain §2).
    """
    if rng.random() >= _CONSENT_SHARE[person.source]:
        return 0, 0
    granted = person.created_at
    age = ctx.now - granted
    version, wording = next((v, w) for days, v, w in CONSENT_WORDINGS if age >= days * DAY)
    address: str | None = None
    if person.source == "form":
        origin = f"form:{form}"
        address = f"203.0.113.{1 + int(rng.random() * 254)}"
    elif person.source == "import":
        origin = f"import:trade-fair-{day_of(granted).year}"
    else:
        origin = "sales:business-card"

    def record(action: str, at: int, source: str, worded: bool, ip: str | None) -> None:
        text, edition = (wording, version) if worded else (None, None)
        consents.append(
            ConsentRow(
                ids.consent_records, person.id, "email", action, text, edition, source, at, ip
            )
        )
        ids.consent_records += 1

    record("granted", granted, origin, True, address)
    mail_from = granted
    if person.source == "form":
        if rng.random() >= 0.78:
            return 0, 0  # never confirmed the double opt-in: not mailed
        mail_from = granted + 60 + int(rng.random() * 3 * HOUR)
        record("confirmed", mail_from, "double_opt_in", True, address)
    mail_until = ctx.now
    if rng.random() < 0.045:
        mail_until = mail_from + DAY + int(rng.random() * max(0, ctx.now - mail_from - 2 * DAY))
        record("withdrawn", mail_until, "email:unsubscribe", False, None)
        if mail_until >= ctx.start:
            touch = Touch(person.id, None, person.account.id, "email", "owned")
            log.add("email_unsubscribe", mail_until, touch, _UNSUBSCRIBE_JSON, 30)
    return mail_from, mail_until
