"""The companies of the demo world: industries, size classes, countries and install bases.

The fictional seller behind the demo sells business software for manufacturing
and distribution (ERP, production control, integration), so fit is highest for
mid-sized and large Nordic manufacturers and lowest for small service firms far
from the home market.  Everything here is fixed data; randomness lives in
``world.py``.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Final


@dataclass(frozen=True)
class Industry:
    name: str
    weight: float
    fit: float
    revenue_per_employee: tuple[int, int]  # EUR
    name_words: tuple[str, ...]  # the word a company of this industry carries in its name


@dataclass(frozen=True)
class SizeClass:
    name: str
    weight: float
    fit: float
    employees: tuple[int, int]
    committee: tuple[int, int, int]  # low, high, mode of the buying committee size


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    fit: float
    legal_form: str
    phone_prefix: str
    name_pool: str  # key into people.NAME_POOLS


@dataclass(frozen=True)
class SolutionCategory:
    name: str
    lifetime_years: tuple[int, int]
    vendors: tuple[tuple[str, str], ...]  # (vendor, product)
    share: float  # share of accounts that run one
    industries: tuple[str, ...] = ()  # when set, only these industries run one


INDUSTRIES: Final = (
    Industry("Industrial machinery", 0.14, 0.90, (180_000, 320_000),
             ("Machinery", "Engineering", "Works", "Mechanics")),
    Industry("Metal products", 0.12, 0.85, (150_000, 280_000),
             ("Metals", "Steel", "Metalworks", "Forge")),
    Industry("Food and beverage", 0.09, 0.70, (200_000, 450_000),
             ("Foods", "Dairy", "Bakeries", "Beverages")),
    Industry("Chemicals and plastics", 0.07, 0.75, (250_000, 600_000),
             ("Chemicals", "Polymers", "Coatings", "Plastics")),
    Industry("Electronics", 0.06, 0.80, (200_000, 400_000),
             ("Electronics", "Electric", "Sensors", "Automation")),
    Industry("Wholesale and distribution", 0.11, 0.65, (400_000, 900_000),
             ("Trading", "Wholesale", "Supply", "Distribution")),
    Industry("Logistics", 0.08, 0.50, (120_000, 250_000),
             ("Logistics", "Transport", "Freight", "Cargo")),
    Industry("Construction", 0.09, 0.35, (180_000, 350_000),
             ("Construction", "Builders", "Infra", "Contracting")),
    Industry("Retail", 0.07, 0.30, (150_000, 300_000),
             ("Retail", "Stores", "Brands", "Outlet")),
    Industry("Professional services", 0.08, 0.20, (90_000, 180_000),
             ("Consulting", "Advisors", "Partners", "Associates")),
    Industry("Software and IT services", 0.06, 0.25, (100_000, 220_000),
             ("Software", "Digital", "Data", "Cloud")),
    Industry("Energy and utilities", 0.03, 0.45, (400_000, 1_200_000),
             ("Energy", "Power", "Utilities", "Grid")),
)  # fmt: skip

SIZE_CLASSES: Final = (
    SizeClass("small", 0.42, 0.35, (10, 49), (1, 8, 5)),
    SizeClass("medium", 0.33, 0.80, (50, 249), (4, 13, 9)),
    SizeClass("large", 0.18, 1.00, (250, 999), (7, 15, 12)),
    SizeClass("enterprise", 0.07, 0.70, (1000, 20_000), (9, 15, 14)),
)

COUNTRIES: Final = (
    Country("FI", 0.30, 1.00, "Oy", "+358", "fi"),
    Country("SE", 0.18, 0.90, "AB", "+46", "se"),
    Country("NO", 0.10, 0.85, "AS", "+47", "no"),
    Country("DK", 0.09, 0.85, "A/S", "+45", "dk"),
    Country("EE", 0.04, 0.70, "OÜ", "+372", "ee"),
    Country("DE", 0.10, 0.60, "GmbH", "+49", "de"),
    Country("NL", 0.05, 0.60, "B.V.", "+31", "nl"),
    Country("GB", 0.05, 0.50, "Ltd", "+44", "en"),
    Country("PL", 0.04, 0.50, "Sp. z o.o.", "+48", "pl"),
    Country("FR", 0.03, 0.40, "SAS", "+33", "fr"),
    Country("LT", 0.01, 0.60, "UAB", "+370", "lt"),
    Country("LV", 0.01, 0.60, "SIA", "+371", "lv"),
)

SOLUTION_CATEGORIES: Final = (
    SolutionCategory(
        "ERP",
        (7, 10),
        (
            ("Kelo Systems", "Kelo ERP"),
            ("Norrsken Software", "Norrsken Business"),
            ("Baltic Ledger", "Ledger One"),
            ("Ferrum Business Software", "Ferrum X"),
            ("Atlas Enterprise", "Atlas ERP Cloud"),
            ("In-house", "Own system"),
        ),
        0.88,
    ),
    SolutionCategory(
        "CRM",
        (5, 7),
        (
            ("Lead Harbor", "Harbor CRM"),
            ("Compass Customer Cloud", "Compass CRM"),
            ("Kelo Systems", "Kelo Sales"),
        ),
        0.60,
    ),
    SolutionCategory(
        "MES",
        (10, 10),
        (("Shopfloor Works", "Shopfloor MES"), ("Takt Systems", "Takt Control")),
        0.55,
        (
            "Industrial machinery",
            "Metal products",
            "Food and beverage",
            "Chemicals and plastics",
            "Electronics",
        ),
    ),
    SolutionCategory(
        "WMS",
        (8, 10),
        (("Pallet Logic", "Pallet WMS"), ("Norrsken Software", "Norrsken Warehouse")),
        0.45,
        ("Wholesale and distribution", "Logistics", "Food and beverage", "Retail"),
    ),
    SolutionCategory(
        "PLM",
        (8, 12),
        (("Blueprint Labs", "Blueprint PLM"),),
        0.35,
        ("Industrial machinery", "Electronics"),
    ),
    SolutionCategory(
        "BI",
        (4, 6),
        (("Lumo Analytics", "Lumo BI"), ("Compass Customer Cloud", "Compass Insights")),
        0.40,
    ),
    SolutionCategory(
        "HR and payroll",
        (6, 9),
        (("Payday Nordic", "Payday HR"), ("Kelo Systems", "Kelo People")),
        0.50,
    ),
)

#: Partners who implement and run the systems above; contracts are often with them.
INTEGRATORS: Final = ("Fjord Integration", "Sisu Consulting", "Baltic Systems House")

CONTRACT_NOTES: Final = (
    "Renewal talks expected before the end date.",
    "Unhappy with support response times.",
    "Licence costs rose at the last renewal.",
    "Supplier is reliable; no plans to change.",
    "Customisations make upgrades expensive.",
)

#: Company names are a root, an ending and an industry word: "Nordvik Metals Oy".
NAME_ROOTS: Final = (
    "Nord", "Kalla", "Aur", "Lumi", "Kivi", "Hav", "Fjell", "Tamm", "Rhein", "Vasa",
    "Sarek", "Polar", "Balt", "Holm", "Riva", "Aalto", "Tuuli", "Vesi", "Sten", "Ek",
    "Lind", "Björk", "Mora", "Kotka", "Oulu", "Lahti", "Vaasa", "Kemi", "Rauma", "Salo",
    "Skog", "Ås", "Fors", "Dal", "Strand", "Sol", "Ren", "Varg", "Hjort", "Falk",
    "Ørn", "Sjö", "Mälar", "Vätter", "Oder", "Elbe", "Weser", "Maas", "Tyne", "Loire",
    "Daug", "Neris", "Emaj", "Pärn", "Narva", "Hiid", "Saar", "Mets", "Järv", "Kask",
)  # fmt: skip
NAME_ENDINGS: Final = (
    "vik", "berg", "dal", "lund", "ström", "koski", "mark", "heim", "ton", "by",
    "gård", "näs", "holm", "sund", "fors", "mäki", "niemi", "ranta", "vall", "stad",
    "hus", "bro", "torp", "vara",
)  # fmt: skip
NAME_QUALIFIERS: Final = (
    "", "Group", "Nordic", "International", "Partners", "Holding", "Europe", "Industries",
)  # fmt: skip

NEEDS_SEGMENTS: Final = ("Delivery reliability", "Cost efficiency", "Growth and integration")

INDUSTRY_BY_NAME: Final = {industry.name: industry for industry in INDUSTRIES}
COUNTRY_BY_CODE: Final = {country.code: country for country in COUNTRIES}
INDUSTRY_WEIGHTS: Final = tuple(accumulate(industry.weight for industry in INDUSTRIES))
SIZE_WEIGHTS: Final = tuple(accumulate(size.weight for size in SIZE_CLASSES))
COUNTRY_WEIGHTS: Final = tuple(accumulate(country.weight for country in COUNTRIES))

#: Revenue thresholds (EUR) of the value pyramid; below bronze an account stays unclassified.
GOLD_REVENUE: Final = 600_000_000
SILVER_REVENUE: Final = 40_000_000
BRONZE_REVENUE: Final = 4_000_000


def size_class_for(employees: int) -> SizeClass:
    """The size class an employee count falls into (the largest class for huge counts)."""
    for size in SIZE_CLASSES:
        if employees <= size.employees[1]:
            return size
    return SIZE_CLASSES[-1]


def profile_fit(industry: str, employees: int, country: str) -> float:
    """How well an account's visible profile fits the seller's offer, 0–0.9.

    The demo world adds up to 0.1 of hidden fit on top; grading and prediction
    should rediscover this from the data.
    """
    return (
        0.45 * INDUSTRY_BY_NAME[industry].fit
        + 0.25 * size_class_for(employees).fit
        + 0.20 * COUNTRY_BY_CODE[country].fit
    )


def value_tier_for(annual_revenue: int) -> str:
    """The value pyramid by revenue: few gold, more silver, most bronze."""
    if annual_revenue >= GOLD_REVENUE:
        return "gold"
    if annual_revenue >= SILVER_REVENUE:
        return "silver"
    if annual_revenue >= BRONZE_REVENUE:
        return "bronze"
    return "unclassified"


def _stems() -> tuple[str, ...]:
    stems = tuple(root + ending for root in NAME_ROOTS for ending in NAME_ENDINGS)
    if len(set(stems)) != len(stems):  # pragma: no cover - guards the data above
        raise AssertionError("company name stems must be unique")
    return stems


NAME_STEMS: Final = _stems()


@lru_cache(maxsize=64)
def _coprime_step(modulus: int) -> int:
    step = 7919
    while math.gcd(step, modulus) != 1:
        step += 2
    return step


def company_name(industry: Industry, ordinal: int, offset: int) -> tuple[str, str]:
    """The ``ordinal``-th company name of an industry and its slug, unique per industry.

    Names walk a fixed permutation of stem × industry word, so they look random
    yet never repeat; when an industry runs out, a qualifier ("Group",
    "Nordic" …, then a number) starts the next round.
    """
    words = industry.name_words
    combinations = len(NAME_STEMS) * len(words)
    round_, position = divmod(ordinal, combinations)
    index = (position * _coprime_step(combinations) + offset) % combinations
    stem = NAME_STEMS[index // len(words)]
    word = words[index % len(words)]
    if round_ < len(NAME_QUALIFIERS):
        qualifier = NAME_QUALIFIERS[round_]
    else:
        qualifier = f"{NAME_QUALIFIERS[round_ % len(NAME_QUALIFIERS)] or 'Group'} {round_}"
    parts = [part for part in (stem, word, qualifier) if part]
    return " ".join(parts), ascii_fold("-".join(parts)).lower().replace(" ", "-")


_FOLDED: Final = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ł": "l", "Ł": "L"}
)


@lru_cache(maxsize=8192)
def ascii_fold(text: str) -> str:
    """``text`` in plain ASCII letters, for email addresses and domains: Björk → Bjork."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    return decomposed.encode("ascii", "ignore").decode("ascii")
