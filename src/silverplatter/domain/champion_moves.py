"""When a person turns up at another account: the rules that say it is the same person.

A champion who changes jobs is a risk at the old account and an opening at the
new one (domain §11).  The person shows up as a contact record at a new
account; these rules decide which earlier record, at another account, is the
same person, and how sure we are:

* **LinkedIn URL** (``linkedin``): the same profile, ``/in/<slug>``, whatever
  the scheme, host (``www.``, country subdomains), trailing slash, query or
  case.  Strongest: it wins over a name match.
* **Name and a new e-mail domain** (``name_domain``): the same first *and*
  last name (case, accents and spacing ignored; both required) on a record
  whose e-mail domain is different, where the new record's e-mail domain is
  the domain of its own account, and that account is not the earlier one's.
  Two guards keep namesakes apart: records whose LinkedIn URLs both exist and
  differ are different people, and a name whose earlier records sit at more
  than one other account (or that is too common to look up, see
  ``CROWDED``) is ambiguous and matches nothing automatically.
* **By hand** (``user``): a user marks the move; no rule is involved.

When several earlier records match, the strongest reason wins, and among
records of the same reason the latest earlier one (the person's last known
job) wins; ties go to the higher id.  "Earlier" orders records by creation
time, then id.

Whether the person is a **champion**, worth alerting loudly, is decided from
what we knew of them at the old account (``champion_reasons``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Final, Literal
from urllib.parse import quote, unquote, urlsplit

MatchedBy = Literal["linkedin", "name_domain", "user"]
MATCHED_BY: Final[tuple[MatchedBy, ...]] = ("linkedin", "name_domain", "user")
#: Words for the pages: how the move was recognised.
MATCH_WORDS: Final[dict[str, str]] = {
    "linkedin": "same LinkedIn profile",
    "name_domain": "same name, new e-mail domain",
    "user": "marked by hand",
}
_STRENGTH: Final[dict[str, int]] = {"linkedin": 2, "name_domain": 1}

#: More records than this with one name make the name too common to match by.
CROWDED: Final = 5

#: Decision roles that make a person a champion of ours.
CHAMPION_ROLES: Final = frozenset({"decision_maker", "economic_buyer", "champion"})
#: Lifecycle stages that mean sales had real business with the person.
CHAMPION_STAGES: Final = frozenset({"sql", "sal", "opportunity", "customer"})
#: An engagement score at or above this makes a champion too.
HIGH_SCORE: Final = 60.0
#: Days the owners get to act: a champion's move now, a plain move within two weeks.
CHAMPION_DUE_DAYS: Final = 2
PLAIN_DUE_DAYS: Final = 14

_SPACES = re.compile(r"\s+")
_PROFILE = re.compile(r"^/in/([^/]+)")


def linkedin_key(raw: str | None) -> str | None:
    """The profile's slug, lower case and unquoted, or None when not a LinkedIn profile.

    ``https://WWW.linkedin.com/in/Jane-Doe/``, ``linkedin.com/in/jane-doe?x=1``
    and ``http://fi.linkedin.com/in/jane-doe/details`` all give ``jane-doe``.
    """
    if raw is None or not raw.strip():
        return None
    candidate = raw.strip()
    if "://" not in candidate:
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    found = _PROFILE.match(parts.path)
    if found is None:
        return None
    slug = unquote(found.group(1)).strip().lower()
    return slug or None


def linkedin_stored_forms(slug: str) -> tuple[str, ...]:
    """The spellings a profile is stored under (``domain.identity`` normalises on input)."""
    quoted = quote(slug, safe="-_.~").lower()
    forms = {f"https://www.linkedin.com/in/{slug}", f"https://www.linkedin.com/in/{quoted}"}
    return tuple(sorted(forms))


@lru_cache(maxsize=65536)
def fold_name(raw: str | None) -> str | None:
    """A name part for comparing: accents dropped, case folded, spaces collapsed."""
    if raw is None:
        return None
    decomposed = unicodedata.normalize("NFKD", raw)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = _SPACES.sub(" ", plain.casefold()).strip()
    return folded or None


def name_key(first_name: str | None, last_name: str | None) -> tuple[str, str] | None:
    """First and last name folded; None unless both are given."""
    first, last = fold_name(first_name), fold_name(last_name)
    if first is None or last is None:
        return None
    return first, last


@lru_cache(maxsize=65536)
def name_lookup_forms(raw: str) -> tuple[str, ...]:
    """Lower-case spellings of a name part to find its stored namesakes by index.

    The stored name is compared lower-cased by the database, so the lookup
    asks for the spelling as given and without accents; the exact,
    accent-blind comparison is ``name_key``'s.
    """
    spaced = _SPACES.sub(" ", raw).strip()
    forms = {spaced.lower(), spaced.casefold()}
    folded = fold_name(spaced)
    if folded:
        forms.add(folded)
    return tuple(sorted(form for form in forms if form))


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One contact record as the rules see it."""

    contact_id: int
    account_id: int | None
    email: str
    first_name: str | None
    last_name: str | None
    linkedin_url: str | None
    created_at: datetime

    @property
    def profile(self) -> str | None:
        return linkedin_key(self.linkedin_url)

    @property
    def name(self) -> tuple[str, str] | None:
        return name_key(self.first_name, self.last_name)

    @property
    def domain(self) -> str | None:
        return email_domain(self.email)

    def is_before(self, other: PersonRecord) -> bool:
        return (self.created_at, self.contact_id) < (other.created_at, other.contact_id)


@dataclass(frozen=True, slots=True)
class Match:
    """The earlier record of the person a new record belongs to, and why."""

    earlier: PersonRecord
    later: PersonRecord
    matched_by: MatchedBy


def _profiles_disagree(a: PersonRecord, b: PersonRecord) -> bool:
    first, second = a.profile, b.profile
    return first is not None and second is not None and first != second


def _name_domain_applies(
    new: PersonRecord, earlier: PersonRecord, domain_accounts: Mapping[str, int]
) -> bool:
    if new.name is None or new.name != earlier.name or _profiles_disagree(new, earlier):
        return False
    domain = new.domain
    if domain is None or domain == earlier.domain:
        return False
    return domain_accounts.get(domain) == new.account_id


def find_match(
    new: PersonRecord,
    candidates: Iterable[PersonRecord],
    *,
    domain_accounts: Mapping[str, int],
    crowded_names: frozenset[tuple[str, str]] = frozenset(),
) -> Match | None:
    """The earlier record at another account that ``new`` is the same person as, if any.

    ``domain_accounts`` maps e-mail domains to the account owning them;
    ``crowded_names`` are names with too many records to match by.
    """
    if new.account_id is None:
        return None
    earlier = [
        c
        for c in candidates
        if c.contact_id != new.contact_id
        and c.account_id is not None
        and c.account_id != new.account_id
        and c.is_before(new)
    ]
    best: tuple[int, datetime, int] | None = None
    winner: Match | None = None

    def consider(record: PersonRecord, reason: MatchedBy) -> None:
        nonlocal best, winner
        rank = (_STRENGTH[reason], record.created_at, record.contact_id)
        if best is None or rank > best:
            best, winner = rank, Match(record, new, reason)

    profile = new.profile
    if profile is not None:
        for record in earlier:
            if record.profile == profile:
                consider(record, "linkedin")
    if new.name is not None and new.name not in crowded_names:
        namesakes = [r for r in earlier if _name_domain_applies(new, r, domain_accounts)]
        if len({r.account_id for r in namesakes}) == 1:
            for record in namesakes:
                consider(record, "name_domain")
    return winner


@dataclass(frozen=True, slots=True)
class ChampionFacts:
    """What we knew of a person at the old account."""

    decision_role: str | None = None
    lifecycle_stage: str | None = None
    score: float | None = None
    open_or_won_opportunities: int = 0
    handed_over: bool = False


def champion_reasons(facts: ChampionFacts) -> tuple[str, ...]:
    """Why the person is a champion worth alerting loudly; empty for a plain move.

    A champion had a deciding role, reached sales (SQL or later), is on an
    open or won opportunity, was handed over to sales, or engaged strongly
    (score ``HIGH_SCORE`` or more).  Each is a reason in words.
    """
    reasons: list[str] = []
    if facts.decision_role in CHAMPION_ROLES:
        reasons.append(f"decision role {facts.decision_role.replace('_', ' ')}")
    if facts.lifecycle_stage in CHAMPION_STAGES:
        reasons.append(f"lifecycle stage {facts.lifecycle_stage.upper()}")
    if facts.open_or_won_opportunities:
        count = facts.open_or_won_opportunities
        reasons.append(f"{count} open or won opportunit{'y' if count == 1 else 'ies'}")
    if facts.handed_over:
        reasons.append("handed over to sales")
    if facts.score is not None and facts.score >= HIGH_SCORE:
        reasons.append(f"score {facts.score:.0f}")
    return tuple(reasons)


def due_on(champion: bool, today: date) -> date:
    """When the owners should have acted on the move."""
    return today + timedelta(days=CHAMPION_DUE_DAYS if champion else PLAIN_DUE_DAYS)


def display_name(first_name: str | None, last_name: str | None, email: str) -> str:
    name = " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())
    return name or email


def risk_title(name: str, old: str, new: str) -> str:
    """The old owner's task: the person is gone."""
    return f"risk: {name} left {old} for {new}"[:300]


def opening_title(name: str, old: str, new: str) -> str:
    """The new owner's task: someone who knows us has arrived."""
    return f"opening: {name} joined {new} from {old}, who knew us at {old}"[:300]
