"""An account of the demo world: its profile, install base, contracts and buying committee."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random
from typing import Final

from silverplatter.services.demo.catalogue import (
    CONTRACT_NOTES,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    INTEGRATORS,
    SIZE_CLASSES,
    SIZE_WEIGHTS,
    SOLUTION_CATEGORIES,
    ascii_fold,
    company_name,
    profile_fit,
    value_tier_for,
)
from silverplatter.services.demo.chance import clamp, cumulative, log_uniform, pick
from silverplatter.services.demo.content import WORRIES, WORRY_KEYS, to_json
from silverplatter.services.demo.people import (
    COMMITTEE_ORDER,
    DEPARTMENT_WORRIES,
    NAME_POOL_KEYS,
    NAME_POOLS,
    ROLE_PROFILES,
    TITLES,
)
from silverplatter.services.demo.plans import AccountPlan, NextIds, Person, WorldContext
from silverplatter.services.demo.rows import (
    ContactRow,
    InstalledSolutionRow,
    SupplierContractRow,
)
from silverplatter.services.demo.timeline import DAY, YEAR, day_of

_ROLE_POSITION_WEIGHTS: Final = {
    role: cumulative([weight for _, _, weight in profile.positions])
    for role, profile in ROLE_PROFILES.items()
}
#: Answers to the sign-up question "how would you like to hear from us?" (domain §3).
CHANNEL_PREFERENCES: Final = ("Email", "Phone", "Meeting", "Webinar")


def plan_account(
    rng: Random,
    ctx: WorldContext,
    ids: NextIds,
    name_rounds: dict[str, int],
    name_offsets: Mapping[str, int],
) -> tuple[AccountPlan, list[InstalledSolutionRow], list[SupplierContractRow]]:
    """An account's profile and install base.

    ``name_rounds`` counts the names used so far per industry; ``name_offsets``
    starts each industry's walk through the names at a seed-dependent place.
    """
    now = ctx.now
    industry = pick(rng, INDUSTRIES, INDUSTRY_WEIGHTS)
    size = pick(rng, SIZE_CLASSES, SIZE_WEIGHTS)
    country = pick(rng, COUNTRIES, COUNTRY_WEIGHTS)
    employees = log_uniform(rng, *size.employees)
    low, high = industry.revenue_per_employee
    revenue = employees * rng.uniform(low, high) * rng.lognormvariate(0.0, 0.3)
    annual_revenue = int(round(revenue, -4))
    fit = profile_fit(industry.name, employees, country.code) + 0.1 * rng.random()

    roll = rng.random()
    customer_since: int | None = None
    if roll < 0.01 + 0.1 * fit:
        status = "customer"
        customer_since = now - int(rng.uniform(2.5, 10.0) * YEAR)
    elif roll < 0.04 + 0.15 * fit:
        status = "former_customer"
        customer_since = now - int(rng.uniform(6.0, 12.0) * YEAR)
    else:
        status = "prospect"
    value_tier = value_tier_for(annual_revenue)
    if status == "prospect" and rng.random() < 0.12:
        value_tier = "unclassified"  # not looked at yet
    owned = {"gold": 1.0, "silver": 1.0, "bronze": 0.8}.get(value_tier, 0.45)
    owner_id = (
        pick(rng, ctx.owner_ids, ctx.owner_weights)
        if status == "customer" or rng.random() < owned
        else None
    )

    ordinal = name_rounds.get(industry.name, 0)
    name_rounds[industry.name] = ordinal + 1
    stem_name, slug = company_name(industry, ordinal, name_offsets[industry.name])
    account_id = ids.accounts
    ids.accounts += 1

    solutions: list[InstalledSolutionRow] = []
    contracts: list[SupplierContractRow] = []
    window_opens: int | None = None
    erp_vendor: str | None = None
    erp_year: int | None = None
    erp_lifetime: int | None = None
    created = now - int(rng.uniform(0.5, 3.0) * YEAR)
    for category in SOLUTION_CATEGORIES:
        if category.industries and industry.name not in category.industries:
            continue
        if rng.random() >= category.share:
            continue
        vendor, product = category.vendors[rng.randrange(len(category.vendors))]
        lifetime = rng.randint(*category.lifetime_years)
        age = int(rng.random() * min(15 * YEAR, (lifetime + 2) * YEAR))
        go_live = now - age
        renewal = go_live + lifetime * YEAR
        solutions.append(
            InstalledSolutionRow(
                ids.installed_solutions,
                account_id,
                category.name,
                vendor,
                product,
                day_of(go_live),
                lifetime,
                created,
            )
        )
        ids.installed_solutions += 1
        if category.name == "ERP":
            window_opens = renewal
            erp_vendor, erp_year, erp_lifetime = vendor, day_of(go_live).year, lifetime
        elif category.name == "MES" and window_opens is None:
            window_opens = renewal
        if rng.random() < (0.75 if category.name == "ERP" else 0.4):
            supplier = vendor
            if vendor == "In-house" or rng.random() < 0.3:
                supplier = INTEGRATORS[rng.randrange(len(INTEGRATORS))]
            end = renewal + int(rng.gauss(0.0, 120.0) * DAY)
            satisfaction = (
                None if rng.random() < 0.25 else int(clamp(round(rng.gauss(6.5, 2.0)), 0, 10))
            )
            notes = (
                CONTRACT_NOTES[rng.randrange(len(CONTRACT_NOTES))] if rng.random() < 0.15 else None
            )
            contracts.append(
                SupplierContractRow(
                    ids.supplier_contracts,
                    account_id,
                    category.name,
                    supplier,
                    day_of(end),
                    satisfaction,
                    notes,
                    created,
                )
            )
            ids.supplier_contracts += 1
    if window_opens is None:
        window_opens = now + int(rng.uniform(-1.0, 5.0) * YEAR)

    plan = AccountPlan(
        id=account_id,
        name=f"{stem_name} {country.legal_form}",
        domain=f"{slug}.example",
        industry=industry,
        size=size,
        country=country,
        employees=employees,
        annual_revenue=annual_revenue,
        value_tier=value_tier,
        fit=fit,
        status=status,
        owner_id=owner_id,
        window_opens=window_opens,
        erp_vendor=erp_vendor,
        erp_go_live_year=erp_year,
        erp_lifetime=erp_lifetime,
        customer_since=customer_since,
    )
    return plan, solutions, contracts


def committee_size(rng: Random, account: AccountPlan) -> int:
    low, high, mode = account.size.committee
    return int(clamp(round(rng.triangular(low, high, mode)), 1, 15))


def _created(rng: Random, ctx: WorldContext, account: AccountPlan) -> tuple[int, str]:
    """When a person joined the list, and how: by a form, an import or a salesperson."""
    old_share = 0.7 if account.status == "customer" else 0.4
    if rng.random() < old_share:
        created = ctx.start - int(rng.random() * 4 * YEAR) - DAY
        roll = rng.random()
        source = "import" if roll < 0.5 else "sales" if roll < 0.72 else "form"
    else:
        # the list grows: more new addresses in recent months than early on
        span = ctx.now - 2 * DAY - ctx.start
        created = ctx.start + int(span * rng.random() ** 0.5)
        roll = rng.random()
        source = "form" if roll < 0.7 else "import" if roll < 0.85 else "sales"
    return created, source


def build_committee(
    rng: Random, ctx: WorldContext, account: AccountPlan, size: int, ids: NextIds
) -> tuple[list[Person], list[ContactRow]]:
    """The buying committee: decision maker first, then champion, economic buyer, others."""
    people: list[Person] = []
    rows: list[ContactRow] = []
    taken: set[str] = set()
    for position in range(size):
        role = COMMITTEE_ORDER[position]
        if position > 0 and rng.random() < 0.15:
            role = COMMITTEE_ORDER[rng.randrange(1, len(COMMITTEE_ORDER))]
        profile = ROLE_PROFILES[role]
        seniority, department, _ = pick(rng, profile.positions, _ROLE_POSITION_WEIGHTS[role])
        titles = TITLES[(seniority, department)]
        title = titles[rng.randrange(len(titles))]
        pool_key = account.country.name_pool
        if rng.random() < 0.12:
            pool_key = NAME_POOL_KEYS[rng.randrange(len(NAME_POOL_KEYS))]
        pool = NAME_POOLS[pool_key]
        first = pool.first[rng.randrange(len(pool.first))]
        last = pool.last[rng.randrange(len(pool.last))]
        local = f"{ascii_fold(first)}.{ascii_fold(last)}".lower().replace(" ", "")
        candidate, number = local, 1
        while candidate in taken:
            number += 1
            candidate = f"{local}{number}"
        taken.add(candidate)
        email = f"{candidate}@{account.domain}"

        worries = DEPARTMENT_WORRIES[department]
        roll = rng.random()
        if roll < 0.55 or (len(worries) == 1 and roll < 0.8):
            worry = worries[0]
        elif roll < 0.8:
            worry = worries[1]
        else:
            worry = WORRY_KEYS[rng.randrange(len(WORRY_KEYS))]
        base = rng.betavariate(1.2, 3.2)
        interest = min(1.0, base * profile.interest_factor * (0.55 + 0.9 * account.fit))
        created, source = _created(rng, ctx, account)
        contact_id = ids.contacts
        ids.contacts += 1

        custom: dict[str, str] = {}
        if source == "form" or rng.random() < 0.3:
            custom["topics_of_interest"] = WORRIES[worry]
        if source == "form" and rng.random() < 0.35:
            custom["preferred_channel"] = CHANNEL_PREFERENCES[rng.randrange(4)]
        phone = (
            f"{account.country.phone_prefix} {rng.randint(20, 50)} {rng.randint(100, 999)} "
            f"{rng.randint(1000, 9999)}"
            if rng.random() < 0.55
            else None
        )
        linkedin = (
            f"https://www.linkedin.com/in/{local.replace('.', '-')}-{rng.getrandbits(24):06x}"
            if rng.random() < 0.6
            else None
        )
        external_id = f"DEMO-C{contact_id:08d}" if source != "form" and rng.random() < 0.5 else None
        country = account.country.code
        if pool_key != account.country.name_pool and rng.random() < 0.3:
            country = COUNTRIES[rng.randrange(len(COUNTRIES))].code  # works abroad
        rows.append(
            ContactRow(
                contact_id,
                external_id,
                email,
                email.lower(),
                first,
                last,
                title,
                seniority,
                department,
                role,
                account.id,
                phone,
                linkedin,
                country,
                account.owner_id,
                to_json(custom),
                created,
                created,
            )
        )
        people.append(
            Person(
                id=contact_id,
                account=account,
                first_name=first,
                last_name=last,
                decision_role=role,
                worry=worry,
                interest=interest,
                created_at=created,
                source=source,
                visitor_id=f"{rng.getrandbits(64):016x}",
            )
        )
    return people, rows
