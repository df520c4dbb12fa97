"""The demo seller's offer modules, and which of them each customer has bought.

Cross-selling (domain §11) looks for customers who bought module A but not yet
B while most customers with A also have B.  For that to find something real,
customers buy along a few typical paths: the ERP core first, then production
planning and quality, or supply chain and analytics, and so on.  A customer
of some years has gone some way along its path (its won deals from before the
24 months are in the history, as a CRM's would be); the next module on the
path is what sales offers it now.

Draws come from the world's own ``offers`` stream, taken account by account in
order, so the rest of the world (behaviour, deals, their outcomes) is the same
as without modules.
"""

from __future__ import annotations

from decimal import Decimal
from random import Random
from typing import Final

from silverplatter.services.demo.chance import cumulative, pick
from silverplatter.services.demo.plans import AccountPlan, NextIds, Person, WorldContext
from silverplatter.services.demo.rows import Batch, OpportunityRow
from silverplatter.services.demo.timeline import DAY, MONTH, YEAR

CORE: Final = "Core ERP"
PLANNING: Final = "Production planning"
QUALITY: Final = "Quality management"
SUPPLY: Final = "Supply chain"
ANALYTICS: Final = "Analytics"
SUSTAINABILITY: Final = "Sustainability reporting"
#: The modules of the seller's offer, and each one's share of a whole deal's price.
OFFER_MODULES: Final = {
    CORE: 1.0,
    PLANNING: 0.45,
    QUALITY: 0.25,
    SUPPLY: 0.35,
    ANALYTICS: 0.2,
    SUSTAINABILITY: 0.15,
}
#: The orders in which customers buy the modules, and how often each order is taken.
PURCHASE_PATHS: Final = (
    (CORE, PLANNING, QUALITY, ANALYTICS, SUPPLY),
    (CORE, SUPPLY, ANALYTICS, SUSTAINABILITY, PLANNING),
    (CORE, ANALYTICS, SUSTAINABILITY, QUALITY, PLANNING),
    (PLANNING, QUALITY, CORE, SUPPLY, ANALYTICS),
)
_PATH_WEIGHTS: Final = cumulative((0.4, 0.3, 0.15, 0.15))
#: How likely a customer takes the next step on its path, by value tier.
_NEXT_STEP: Final = {"gold": 0.85, "silver": 0.75, "bronze": 0.6}
_TYPICAL_DEAL: Final = {"gold": 320_000, "silver": 120_000, "bronze": 45_000}


def first_module(account: AccountPlan) -> str:
    """What a new customer buys first: the ERP core, or production planning without an ERP
    project (the deals' names say "ERP renewal" and "Production control")."""
    return CORE if account.erp_vendor else PLANNING


def module_for_deal(account: AccountPlan) -> str:
    """The module an opportunity opened now is for: a customer's next module on its path
    (another plant's core once it has them all), a prospect's first."""
    if account.status != "customer":
        return first_module(account)
    for module in account.offer_path:
        if module not in account.modules:
            return module
    return CORE


def plan_purchases(
    rng: Random,
    ctx: WorldContext,
    account: AccountPlan,
    people: list[Person],
    ids: NextIds,
    batch: Batch,
) -> None:
    """Choose the account's path and record the won deals of its modules bought before the
    24 months: the first at ``customer_since``, then further steps every year or so."""
    path: tuple[str, ...] = pick(rng, PURCHASE_PATHS, _PATH_WEIGHTS)
    first = first_module(account)
    if path[0] != first:
        path = (first, *(module for module in path if module != first))
    account.offer_path = path
    if account.customer_since is None:
        return
    bought = account.customer_since
    steps = [bought]
    if account.status == "customer":
        chance = _NEXT_STEP.get(account.value_tier, 0.5)
        for _ in path[1:]:
            bought += int((0.4 + rng.expovariate(1.0 / 0.9)) * YEAR)
            if bought >= ctx.start - MONTH or rng.random() >= chance:
                break
            steps.append(bought)
    for module, closed in zip(path, steps, strict=False):
        _won_before(rng, account, people, module, closed, ids, batch)
        account.modules.append(module)


def _won_before(
    rng: Random,
    account: AccountPlan,
    people: list[Person],
    module: str,
    closed: int,
    ids: NextIds,
    batch: Batch,
) -> None:
    """A won deal from before the demo's 24 months, as the CRM's history holds it."""
    created = closed - int((40 + rng.random() * 160) * DAY)
    known = [person for person in people if person.created_at <= created]
    contact = next((p for p in known if p.decision_role == "champion"), None)
    if contact is None and known:
        contact = known[0]
    typical = _TYPICAL_DEAL.get(account.value_tier, 22_000) * OFFER_MODULES[module]
    amount = Decimal(int(round(typical * rng.lognormvariate(0.0, 0.35), -2)) or 100)
    opportunity_id = ids.opportunities
    ids.opportunities += 1
    batch.opportunities.append(
        OpportunityRow(
            opportunity_id,
            f"DEMO-O{opportunity_id:07d}",
            account.id,
            contact.id if contact is not None else None,
            f"{account.name} – {module}",
            amount,
            "EUR",
            "Closed won",
            "won",
            None,
            module,
            account.owner_id,
            created,
            closed,
            closed,
        )
    )
