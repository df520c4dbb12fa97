"""Imported lists of people: the seller's social followers and its customer survey (NPS).

Both are places where lost leads hide (domain §11).  Of the followers, a few
are contacts already (matched by their LinkedIn address); most are not: their
colleagues at accounts the seller knows, and people at companies it does not.
The survey went to customers' contacts a couple of months before ``now``;
about a third answered, with scores that depend on how the account feels about
the seller, and some left a comment.

Draws come from the world's own ``lists`` stream, taken account by account in
order, so the rest of the world is the same as without the lists.
"""

from __future__ import annotations

from random import Random
from typing import Final

from silverplatter.services.demo.catalogue import ascii_fold
from silverplatter.services.demo.chance import clamp, poisson
from silverplatter.services.demo.people import NAME_POOLS
from silverplatter.services.demo.plans import AccountPlan, NextIds, Person
from silverplatter.services.demo.rows import ContactRow, PeopleListEntryRow, PeopleListRow
from silverplatter.services.demo.timeline import DAY, day_of

#: When the survey went out, and when its answers were imported, before ``now``.
SURVEY_SENT_BEFORE_NOW: Final = 75 * DAY
SURVEY_IMPORTED_BEFORE_NOW: Final = 40 * DAY
FOLLOWERS_IMPORTED_BEFORE_NOW: Final = 6 * DAY
#: Companies outside the CRM that followers work at.
OUTSIDE_COMPANIES: Final = (
    "Nordic Consulting Group", "Baltic Tech University", "Freelance", "Oulu Polytechnic",
    "Industrial Automation Weekly", "Hansa Recruitment", "Self-employed", "KTH Student",
)  # fmt: skip
_COMMENTS: Final = {
    "detractor": (
        "Support takes far too long to answer.",
        "The last upgrade broke our reports.",
        "Too expensive for what we use.",
        "Our consultant changed three times during the project.",
        "Invoicing errors every month.",
    ),
    "passive": (
        "Works, but the user interface feels dated.",
        "Good product, training could be better.",
        "Fine overall; reporting needs work.",
        "We would like more integrations out of the box.",
    ),
    "promoter": (
        "Reliable and the support team knows our business.",
        "Production planning saves us hours every week.",
        "Great partner in our growth.",
        "The account manager really understands us.",
        "Delivery accuracy improved a lot since go-live.",
    ),
}
_KEY_ROLES: Final = frozenset({"decision_maker", "economic_buyer", "champion"})


class PeopleLists:
    """The two imported lists: their rows, then their entries account by account."""

    def __init__(self, seed: int, now: int, ids: NextIds, imported_by: int | None) -> None:
        self.rng = Random(f"{seed}/lists")
        self.now = now
        self.ids = ids
        self.imported_by = imported_by
        self.followers_id = 0
        self.survey_id = 0

    def lists(self) -> list[PeopleListRow]:
        """The list rows, numbered from the next free id."""
        self.followers_id = self.ids.people_lists
        self.survey_id = self.followers_id + 1
        self.ids.people_lists += 2
        survey_year = day_of(self.now - SURVEY_SENT_BEFORE_NOW).year
        return [
            PeopleListRow(
                self.followers_id,
                "LinkedIn company page followers",
                "social_followers",
                "linkedin",
                self.imported_by,
                self.now - FOLLOWERS_IMPORTED_BEFORE_NOW,
            ),
            PeopleListRow(
                self.survey_id,
                f"Customer satisfaction survey {survey_year}",
                "nps_survey",
                "survey tool",
                self.imported_by,
                self.now - SURVEY_IMPORTED_BEFORE_NOW,
            ),
        ]

    def entries(
        self, account: AccountPlan, people: list[Person], contacts: list[ContactRow]
    ) -> list[PeopleListEntryRow]:
        """The account's followers and survey answers."""
        rng = self.rng
        rows: list[PeopleListEntryRow] = []
        for person, contact in zip(people, contacts, strict=True):
            if contact.linkedin_url and rng.random() < 0.03 + 0.25 * person.interest:
                name = f"{contact.first_name} {contact.last_name}"
                rows.append(
                    self._follower(name, account.name, contact.linkedin_url, contact.id, account.id)
                )
        pool = NAME_POOLS[account.country.name_pool]
        for _ in range(poisson(rng, 0.15 * len(people))):
            first = pool.first[rng.randrange(len(pool.first))]
            last = pool.last[rng.randrange(len(pool.last))]
            linkedin = _linkedin(rng, first, last)
            rows.append(self._follower(f"{first} {last}", account.name, linkedin, None, account.id))
        for _ in range(poisson(rng, 0.3)):
            first = pool.first[rng.randrange(len(pool.first))]
            last = pool.last[rng.randrange(len(pool.last))]
            company = OUTSIDE_COMPANIES[rng.randrange(len(OUTSIDE_COMPANIES))]
            linkedin = _linkedin(rng, first, last)
            rows.append(self._follower(f"{first} {last}", company, linkedin, None, None))
        if account.status == "customer":
            rows.extend(self._survey(rng, account, people, contacts))
        return rows

    def _follower(
        self, name: str, company: str, linkedin: str, contact_id: int | None, account_id: int | None
    ) -> PeopleListEntryRow:
        """A follower: the import matched a contact by LinkedIn address, a company by name."""
        entry_id = self.ids.people_list_entries
        self.ids.people_list_entries += 1
        return PeopleListEntryRow(
            entry_id, self.followers_id, None, name, company, linkedin, None, None, None, None,
            contact_id, account_id,
        )  # fmt: skip

    def _survey(
        self, rng: Random, account: AccountPlan, people: list[Person], contacts: list[ContactRow]
    ) -> list[PeopleListEntryRow]:
        """Answers of the customer's contacts who were on the list when the survey went out."""
        sent = self.now - SURVEY_SENT_BEFORE_NOW
        mood = rng.gauss(0.0, 1.0)  # how the account feels about the seller
        rows: list[PeopleListEntryRow] = []
        for person, contact in zip(people, contacts, strict=True):
            if person.created_at >= sent:
                continue
            if rng.random() >= (0.45 if person.decision_role in _KEY_ROLES else 0.3):
                continue
            score = int(clamp(round(7.9 + 1.1 * mood + rng.gauss(0.0, 1.2)), 0, 10))
            band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            comments = _COMMENTS[band]
            comment = comments[rng.randrange(len(comments))] if rng.random() < 0.55 else None
            answered = sent + 3600 + int(rng.expovariate(1.0 / (4 * DAY)))
            answered = min(answered, self.now - SURVEY_IMPORTED_BEFORE_NOW - DAY)
            entry_id = self.ids.people_list_entries
            self.ids.people_list_entries += 1
            rows.append(
                PeopleListEntryRow(
                    entry_id,
                    self.survey_id,
                    contact.email,
                    f"{contact.first_name} {contact.last_name}",
                    account.name,
                    None,
                    None,
                    score,
                    comment,
                    answered,
                    contact.id,
                    account.id,
                )
            )
        return rows


def _linkedin(rng: Random, first: str, last: str) -> str:
    local = f"{ascii_fold(first)}-{ascii_fold(last)}".lower().replace(" ", "-")
    return f"https://www.linkedin.com/in/{local}-{rng.getrandbits(24):06x}"
