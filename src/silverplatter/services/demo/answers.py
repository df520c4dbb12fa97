"""Answers to the seller's question campaigns: yes, no, or "not now, later" (domain §11).

A few times in the 24 months the seller mails a one-question campaign ("is
renewing your ERP on the agenda?").  Few people answer; the warmer their
account's buying window, the more of them say yes.  Many say "later", and
some say when; for the older campaigns that "later" has come by the demo's
``now``: those are the lost leads that lost-lead mining should bring back.

Draws come from the world's own ``answers`` stream, taken person by person in
order, so the rest of the world is the same as without question campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from random import Random
from typing import Final

from silverplatter.services.demo.content import to_json
from silverplatter.services.demo.plans import EventLog, Person, Touch, WorldContext
from silverplatter.services.demo.timeline import DAY, HOUR, MONTH, day_of, heat


@dataclass(frozen=True)
class QuestionCampaign:
    """A one-question campaign: its id, name, question and the month (of 24) it went out."""

    id: str
    name: str
    question: str
    month: int


QUESTION_CAMPAIGNS: Final = (
    QuestionCampaign(
        "question-erp-agenda-1", "Is an ERP renewal on your agenda?",
        "Is renewing your ERP on your agenda for the next 12 months?", 3),
    QuestionCampaign(
        "question-planning-1", "How do you plan production today?",
        "Would a short review of your production planning be useful?", 9),
    QuestionCampaign(
        "question-erp-agenda-2", "Is an ERP renewal on your agenda? (follow-up)",
        "Is renewing your ERP on your agenda for the next 12 months?", 15),
    QuestionCampaign(
        "question-reporting-1", "Are you ready for sustainability reporting?",
        "Would you like to see how others report sustainability figures from operations?", 20),
)  # fmt: skip
#: How many months ahead a "later" answer points, when the person says when.
_LATER_MONTHS: Final = (3, 3, 6, 6, 6, 9, 12, 12)


def sent_at(ctx: WorldContext, campaign: QuestionCampaign) -> int:
    """When the campaign went out: the tenth day of its month, at nine."""
    return ctx.start + campaign.month * MONTH + 9 * DAY + 9 * HOUR


def _later_on(sent: int, months: int) -> str:
    """The first day of the month ``months`` after the one the campaign went out in."""
    day = day_of(sent)
    total = day.year * 12 + day.month - 1 + months
    return datetime(total // 12, total % 12 + 1, 1, tzinfo=UTC).date().isoformat()


@lru_cache(maxsize=512)
def _properties(campaign: QuestionCampaign, answer: str, later_on: str | None) -> str:
    """The answer's properties as stored; the few distinct ones are serialised once."""
    document = {"campaign_id": campaign.id, "campaign": campaign.name, "answer": answer}
    if later_on is not None:
        document["later_on"] = later_on
    return to_json(document)


def answer_campaigns(
    rng: Random, ctx: WorldContext, person: Person, mail: tuple[int, int], log: EventLog
) -> None:
    """The person's answers to the question campaigns mailed while they could be mailed."""
    mail_from, mail_until = mail
    for campaign in QUESTION_CAMPAIGNS:
        sent = sent_at(ctx, campaign)
        if not mail_from <= sent < mail_until or person.created_at >= sent:
            continue
        warmth = heat(sent, person.account.window_opens)
        if rng.random() >= 0.03 + 0.12 * person.interest + 0.05 * warmth:
            continue
        answered = sent + 600 + int(rng.expovariate(1.0 / (2 * DAY)))
        if answered >= ctx.now:
            continue
        roll = rng.random()
        later_on: str | None = None
        if roll < 0.08 + 0.35 * warmth:
            answer = "yes"
        elif roll < 0.5 + 0.2 * warmth:
            answer = "later"
            if rng.random() < 0.7:
                later_on = _later_on(sent, _LATER_MONTHS[rng.randrange(len(_LATER_MONTHS))])
        else:
            answer = "no"
        touch = Touch(person.id, None, person.account.id, "email", "owned")
        log.add("campaign_answer", answered, touch, _properties(campaign, answer, later_on), 60)
