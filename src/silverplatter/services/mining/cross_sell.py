"""Lost leads among existing customers: a module that goes with one they bought.

The rules of what goes with what are in ``domain/cross_sell.py``.  Each
candidate is an account lacking module B that goes with a module A it won,
with the contact of its latest won deal for A (the buyer who knows us) when
there is one.  ``owner_id`` keeps the candidates whose account or contact
that user owns; the pairings are still learnt from every customer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain import cross_sell as rules
from silverplatter.domain.mining import Candidate, Section
from silverplatter.services.mining._people import candidate
from silverplatter.storage.mining_deals import module_deals

TITLE = "Cross-selling to customers"
EXPLANATION = (
    "Customers of one offer module who lack a module most customers with it also bought "
    "(at least 2 customers and 30 % bought both); ranked by that share, then by the share "
    "among customers in the same industry."
)


def _reason(suggestion: rules.Suggestion) -> str:
    p = suggestion.pairing
    words = (
        f"{rules.percent(p.share)} % of the {p.holders} customers with {p.having} "
        f"also bought {p.then}"
    )
    if suggestion.peers is not None:
        peers = suggestion.peers
        words += (
            f"; in {suggestion.industry}, {peers.together} of {peers.holders} "
            f"({rules.percent(peers.share)} %)"
        )
    return words


def _figures(suggestion: rules.Suggestion) -> dict[str, int | float | str]:
    p = suggestion.pairing
    figures: dict[str, int | float | str] = {
        "has_module": p.having,
        "suggested_module": p.then,
        "customers_with_module": p.holders,
        "bought_both": p.together,
        "share_pct": rules.percent(p.share),
    }
    if suggestion.peers is not None:
        figures["industry"] = suggestion.industry or ""
        figures["industry_share_pct"] = rules.percent(suggestion.peers.share)
    return figures


def section(
    connection: Connection,
    *,
    now: datetime,
    limit: int,
    owner_id: int | None = None,
) -> Section:
    """Customers to offer a module that goes with one they have, best first."""
    holdings: dict[int, set[str]] = defaultdict(set)
    pursued: dict[int, set[str]] = defaultdict(set)
    industries: dict[int, str | None] = {}
    names: dict[int, str] = {}
    buyer: dict[tuple[int, str], Any] = {}
    account_row: dict[int, Any] = {}
    for row in module_deals(connection):
        target = holdings if row.status == "won" else pursued
        target[row.account_id].add(row.module)
        industries[row.account_id] = row.industry
        names[row.account_id] = row.account_name
        account_row.setdefault(row.account_id, row)
        if row.status == "won" and row.contact_email is not None:
            buyer[(row.account_id, row.module)] = row  # the latest, rows come by close time
    found = rules.suggestions(holdings, industries=industries, pursued=pursued, names=names)
    shown: list[Candidate] = []
    total = 0
    for suggestion in found:
        account = suggestion.account_id
        bought = buyer.get((account, suggestion.pairing.having))
        contact_id = None if bought is None else bought.contact_id
        row = bought if bought is not None else account_row[account]
        if owner_id is not None and owner_id not in (
            row.account_owner_id,
            row.contact_owner_id if contact_id is not None else None,
        ):
            continue
        total += 1
        if len(shown) < limit:  # only the candidates shown are worded
            shown.append(
                candidate(
                    row,
                    reason=_reason(suggestion),
                    contact_id=contact_id,
                    account_id=account,
                    figures=_figures(suggestion),
                )
            )
    return Section(
        key="cross_sell",
        title=TITLE,
        explanation=EXPLANATION,
        candidates=shown,
        total=total,
    )
