"""What a known person does over the 24 months: sign up, read email, visit, attend webinars.

How much a person engages follows their hidden interest and their account's
fit, and rises as the account's buying window approaches (domain §6).  Only
hard calls to action (demo, contact, quote requests) express intent to buy
(domain §3); they become the inbound leads in ``deals.py``.
"""

from __future__ import annotations

from random import Random
from typing import Final

from silverplatter.services.demo.chance import cumulative, pick
from silverplatter.services.demo.consent import record_consent
from silverplatter.services.demo.content import (
    GENERAL_PAGES,
    HARD_FORMS,
    INTENT_PAGES,
    Webinar,
    form_json,
)
from silverplatter.services.demo.plans import EventLog, NextIds, Person, Touch, WorldContext
from silverplatter.services.demo.rows import ConsentRow
from silverplatter.services.demo.timeline import DAY, HOUR, heat
from silverplatter.services.demo.web import (
    CONTENT_PAGES,
    arrive,
    browse,
    download,
    piece_for,
    request,
    visit_web,
)

SIGN_UP_FORMS: Final = ("newsletter", "guide_download", "webinar_registration", "contact_request")
_SIGN_UP_WEIGHTS: Final = cumulative((0.36, 0.41, 0.20, 0.03))
_SIGN_UP_PAGES: Final = {
    "newsletter": GENERAL_PAGES[0],
    "webinar_registration": GENERAL_PAGES[5],
    "contact_request": INTENT_PAGES[3],
}


def sign_up(rng: Random, ctx: WorldContext, person: Person, form: str, log: EventLog) -> str | None:
    """Anonymous visits, then the form that made the person known (domain §3).

    Returns the id of the webinar the person signed up for, if that was the form.
    """
    created = person.created_at
    if rng.random() < 0.6:
        for _ in range(1 + int(rng.random() * 3)):
            at = created - int(rng.random() * 60 * DAY)
            if at >= ctx.start:
                touch = arrive(rng, None, person.visitor_id, None)
                browse(rng, log, at, touch, None, person.worry, 0.02)
    anonymous = arrive(rng, None, person.visitor_id, None)
    known = anonymous._replace(contact_id=person.id, account_id=person.account.id)
    piece = piece_for(rng, person.worry)
    first = CONTENT_PAGES[piece.id] if form == "guide_download" else _SIGN_UP_PAGES.get(form)
    log.add("page_view", created - 90, anonymous, (first or GENERAL_PAGES[0]).view_json, 1)
    if form == "guide_download":
        download(log, person, created, known, piece)
        return None
    if form in HARD_FORMS:
        request(log, person, created, known, form)
        return None
    log.add("form_submit", created, known, form_json(form, None), 2)
    person.engagement += 2.0
    if form != "webinar_registration":
        return None
    webinar = next(w for w in ctx.calendar.webinars if w.held_at > created)
    log.add("webinar_registered", created + 1, known, webinar.properties_json, 2)
    _attend(rng, ctx, person, webinar, log)
    return webinar.id


def _attend(
    rng: Random, ctx: WorldContext, person: Person, webinar: Webinar, log: EventLog
) -> None:
    attended = webinar.held_at + int(rng.random() * 600)
    if attended < ctx.now and rng.random() < 0.55:
        touch = Touch(person.id, None, person.account.id, "event", "owned")
        log.add("webinar_attended", attended, touch, webinar.properties_json, HOUR)
        person.engagement += 8.0


def read_email(
    rng: Random, ctx: WorldContext, person: Person, mail_from: int, mail_until: int, log: EventLog
) -> None:
    """Campaigns the person received, opened and clicked; nurture mails follow their worry."""
    if mail_until <= ctx.start or mail_from >= mail_until:
        return
    random = rng.random
    now = ctx.now
    interest = person.interest
    worry = person.worry
    window_opens = person.account.window_opens
    mail = Touch(person.id, None, person.account.id, "email", "owned")
    add = log.add
    for campaign in ctx.calendar.campaigns:
        sent = campaign.sent_at
        if sent < mail_from or sent >= mail_until:
            continue
        match = campaign.worry == worry
        if random() >= (0.6 if campaign.worry is None else 0.55 if match else 0.1):
            continue
        sent += int(random() * 1800)
        add("email_sent", sent, mail, campaign.message_json, 5)
        warmth = 1.0 + 1.2 * heat(sent, window_opens)
        if random() >= 0.05 + 0.45 * interest * warmth + (0.08 if match else 0.0):
            continue
        opened = sent + 300 + int(rng.expovariate(1.0 / (6 * HOUR)))
        if opened >= now:
            continue
        add("email_open", opened, mail, campaign.message_json, 30 + int(random() * 600))
        person.engagement += 1.0
        if random() >= 0.08 + 0.35 * interest + (0.1 if match else 0.0):
            continue
        clicked = opened + 5 + int(random() * 900)
        if clicked >= now:
            continue
        add("email_click", clicked, mail, campaign.click_json, 30 + int(random() * 600))
        person.engagement += 3.0
        visit = mail._replace(visitor_id=person.visitor_id)
        page = CONTENT_PAGES[campaign.content.id]
        end, pages, _ = browse(rng, log, clicked + 2, visit, page, worry, 0.03)
        person.engagement += 0.5 * pages
        if random() < 0.2 + 0.3 * interest:
            download(log, person, end, visit, campaign.content)


def attend_webinars(
    rng: Random, ctx: WorldContext, person: Person, log: EventLog, signed_up_for: str | None
) -> None:
    """Webinars the person registered for from an invitation, and maybe attended."""
    active_from = max(person.created_at, ctx.start)
    invited = Touch(person.id, person.visitor_id, person.account.id, "email", "owned")
    for webinar in ctx.calendar.webinars:
        if webinar.id == signed_up_for:
            continue
        registered = webinar.held_at - DAY - int(rng.random() * 20 * DAY)
        if registered < active_from or registered >= ctx.now:
            continue
        chance = (0.01 + 0.07 * person.interest) * (2.2 if webinar.worry == person.worry else 1.0)
        if rng.random() >= chance:
            continue
        log.add("webinar_registered", registered, invited, webinar.properties_json, 2)
        person.engagement += 2.0
        _attend(rng, ctx, person, webinar, log)


def live(
    rng: Random,
    ctx: WorldContext,
    person: Person,
    ids: NextIds,
    consents: list[ConsentRow],
    log: EventLog,
) -> tuple[int, int]:
    """Everything one known person does in the demo world.

    Returns when the person could be e-mailed: from the consent to its withdrawal.
    """
    form = pick(rng, SIGN_UP_FORMS, _SIGN_UP_WEIGHTS) if person.source == "form" else None
    if form == "webinar_registration" and not any(
        webinar.held_at > person.created_at for webinar in ctx.calendar.webinars
    ):
        form = "guide_download"
    person.signed_up_with = form
    mail_from, mail_until = record_consent(rng, ctx, person, form, ids, consents, log)
    webinar = None
    if form is not None and person.created_at >= ctx.start:
        webinar = sign_up(rng, ctx, person, form, log)
    read_email(rng, ctx, person, mail_from, mail_until, log)
    visit_web(rng, ctx, person, log)
    attend_webinars(rng, ctx, person, log, webinar)
    return mail_from, mail_until
