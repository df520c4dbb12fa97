"""Web visits: pages, soft and hard calls to action, anonymous visitors (domain §2–§3)."""

from __future__ import annotations

import math
from random import Random
from typing import Final

from silverplatter.services.demo.chance import cumulative, pick, poisson
from silverplatter.services.demo.content import (
    CONTENT,
    CONTENT_BY_WORRY,
    GENERAL_PAGES,
    HARD_FORMS,
    INTENT_PAGES,
    LANDING_PAGES,
    PAGES_BY_WORRY,
    ContentPiece,
    Page,
    form_json,
)
from silverplatter.services.demo.plans import EventLog, Person, Touch, WorldContext
from silverplatter.services.demo.timeline import HOUR, PEAK_LEAD, PEAK_SPREAD, YEAR, heat

ENTRY_CHANNELS: Final = (
    "organic_search",
    "direct",
    "paid_search",
    "organic_social",
    "paid_social",
    "referral",
    "display",
)
_ENTRY_WEIGHTS: Final = cumulative((0.34, 0.18, 0.12, 0.08, 0.07, 0.08, 0.03))
#: Channels the seller pays for: their traffic is bought, the rest is owned (domain §2).
BOUGHT_CHANNELS: Final = frozenset({"paid_search", "paid_social", "display"})
CONTENT_PAGES: Final = {piece.id: Page(piece.url, piece.worry) for piece in CONTENT}
_SQRT2: Final = math.sqrt(2.0)


def arrive(
    rng: Random, contact_id: int | None, visitor_id: str | None, account_id: int | None
) -> Touch:
    """A visit that came from search, social, ads, a referral or straight in."""
    channel = pick(rng, ENTRY_CHANNELS, _ENTRY_WEIGHTS)
    traffic = "bought" if channel in BOUGHT_CHANNELS else "owned"
    return Touch(contact_id, visitor_id, account_id, channel, traffic)


def _landing(rng: Random, worry: str) -> Page:
    roll = rng.random()
    pages = PAGES_BY_WORRY[worry] if roll < 0.5 else GENERAL_PAGES if roll < 0.8 else LANDING_PAGES
    return pages[int(rng.random() * len(pages))]


def piece_for(rng: Random, worry: str) -> ContentPiece:
    """Content a person picks: usually about their own worry."""
    pieces = CONTENT_BY_WORRY[worry] if rng.random() < 0.7 else CONTENT
    return pieces[int(rng.random() * len(pieces))]


def browse(
    rng: Random, log: EventLog, at: int, touch: Touch, first: Page | None, worry: str, intent: float
) -> tuple[int, int, bool]:
    """One visit of 1–6 pages; ``intent`` is the chance of each next page being a buying page.

    Returns the visit's end, the pages seen and whether a buying page was among them.
    """
    now = log.now
    page = first or _landing(rng, worry)
    pages = 1
    while pages < 6 and rng.random() < 0.45:
        pages += 1
    saw_intent = False
    moment = at
    for number in range(pages):
        if number:
            buying = rng.random() < intent
            page = INTENT_PAGES[int(rng.random() * 4)] if buying else _landing(rng, worry)
        if moment >= now:
            return moment, number, saw_intent
        log.add("page_view", moment, touch, page.view_json, 1 + int(rng.random() * 4))
        saw_intent = saw_intent or page.intent
        moment += 15 + int(rng.random() * 225)
    return moment, pages, saw_intent


def download(log: EventLog, person: Person, at: int, touch: Touch, piece: ContentPiece) -> None:
    """A soft call to action: the guide's form, then the download itself."""
    if at + 5 >= log.now:
        return
    log.add("form_submit", at, touch, form_json("guide_download", piece.id), 2)
    log.add("content_download", at + 5, touch, piece.download_json, 2)
    person.engagement += 5.0


def request(log: EventLog, person: Person, at: int, touch: Touch, form: str) -> None:
    """A hard call to action: the person asks for a demo, a contact or a quote."""
    if at >= log.now:
        return
    log.add("form_submit", at, touch, form_json(form, None), 2)
    person.hard_requests.append(at)
    person.engagement += 20.0


def _normal_cdf(value: float) -> float:
    return 0.5 * (1.0 + math.erf(value / _SQRT2))


def visit_web(rng: Random, ctx: WorldContext, person: Person, log: EventLog) -> None:
    """Visits of a known person, more of them as the buying window approaches (domain §6)."""
    now = ctx.now
    active_from = max(person.created_at, ctx.start)
    if active_from >= now - HOUR:
        return
    account = person.account
    interest = person.interest
    fit = account.fit
    peak = account.window_opens - PEAK_LEAD
    base_mean = (now - active_from) / YEAR * (0.4 + 2.6 * interest)
    mass = _normal_cdf((now - peak) / PEAK_SPREAD) - _normal_cdf((active_from - peak) / PEAK_SPREAD)
    visits = poisson(rng, base_mean) + poisson(rng, mass * (1.0 + 5.0 * interest) * (0.3 + fit))
    span = now - HOUR - active_from
    for number in range(visits):
        at = active_from + int(rng.random() * span)
        if number % 2 and mass > 0.05:  # some visits cluster around the peak
            for _ in range(8):
                candidate = int(rng.gauss(peak, PEAK_SPREAD))
                if active_from <= candidate < now - HOUR:
                    at = candidate
                    break
        warmth = heat(at, account.window_opens)
        intent = (0.03 + 0.3 * interest * (0.3 + warmth)) * (0.5 + fit)
        touch = arrive(rng, person.id, person.visitor_id, account.id)
        end, pages, saw_intent = browse(rng, log, at, touch, None, person.worry, intent)
        person.engagement += 0.5 * pages + (2.0 if saw_intent else 0.0)
        if saw_intent and rng.random() < (0.03 + 0.35 * warmth) * (0.4 + fit) * (0.5 + interest):
            request(log, person, end, touch, HARD_FORMS[int(rng.random() * len(HARD_FORMS))])
        elif rng.random() < 0.04 + 0.12 * interest:
            download(log, person, end, touch, piece_for(rng, person.worry))


def anonymous_visitor(rng: Random, ctx: WorldContext, worry: str, log: EventLog) -> None:
    """Someone who reads but never says who they are: events carry a visitor id only."""
    visitor_id = f"{rng.getrandbits(64):016x}"
    span = ctx.now - HOUR - ctx.start
    for _ in range(1 + int(rng.random() * 3)):
        touch = arrive(rng, None, visitor_id, None)
        at = ctx.start + int(rng.random() * span)
        browse(rng, log, at, touch, None, worry, 0.04)
