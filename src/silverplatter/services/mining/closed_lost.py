"""Lost leads among closed-lost deals of the last 24 months, each with a date to reopen.

A deal counts while its account has had no deal since it was lost (a newer
one means it was already reopened).  The reopen date comes from the lost
reason, the account's buying window and its supplier contracts by the
rules of ``domain/reopen.py``; the soonest reopen date comes first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain.buying_window import add_months
from silverplatter.domain.mining import Candidate, Section
from silverplatter.domain.reopen import Reopen, SupplierEnd, suggest_reopen
from silverplatter.services.mining._people import candidate
from silverplatter.storage.mining_deals import contract_ends, recent_losses

TITLE = "Closed-lost deals to reopen"
EXPLANATION = (
    "Deals lost in the last 24 months at accounts with no deal since, with a reopen date from "
    "the lost reason: a competitor's contract end, the buying window, or a delay by reason."
)
LOOKBACK_MONTHS = 24


def section(
    connection: Connection,
    *,
    now: datetime,
    limit: int,
    owner_id: int | None = None,
) -> Section:
    """Closed-lost deals to reopen, soonest reopen date first."""
    since = datetime.combine(add_months(now.date(), -LOOKBACK_MONTHS), now.timetz())
    losses = recent_losses(connection, since=since, now=now, owner_id=owner_id)
    contracts: dict[int, list[SupplierEnd]] = defaultdict(list)
    for row in contract_ends(connection, [loss.account_id for loss in losses]):
        contracts[row.account_id].append(SupplierEnd(row.supplier, row.end_date))
    today = now.date()
    ranked = []
    for loss in losses:
        reopen = suggest_reopen(
            loss.lost_reason,
            lost_on=loss.closed_at.date(),
            today=today,
            window_opens_on=loss.window_opens_on,
            contracts=contracts.get(loss.account_id, ()),
        )
        ranked.append(
            (reopen.suggested_on, reopen.rule_date, loss.account_name or "", loss, reopen)
        )
    # Ranked first, worded after: only the candidates shown are built.
    ranked.sort(key=lambda item: item[:3])
    return Section(
        key="closed_lost",
        title=TITLE,
        explanation=EXPLANATION,
        candidates=[_candidate(loss, reopen) for *_, loss, reopen in ranked[:limit]],
        total=len(ranked),
    )


def _candidate(loss: Any, reopen: Reopen) -> Candidate:
    lost_on = loss.closed_at.date()
    said = loss.lost_reason or "no reason given"
    figures: dict[str, int | float | str] = {
        "deal": loss.name,
        "lost_on": lost_on.isoformat(),
        "lost_reason": said,
        "kind": reopen.kind,
        "rule_date": reopen.rule_date.isoformat(),
    }
    if loss.amount is not None:
        figures["amount"] = f"{loss.amount:.2f} {loss.currency}"
    return candidate(
        loss,
        reason=f"Lost '{loss.name}' on {lost_on.isoformat()} ({said}): reopen {reopen.basis}",
        contact_id=loss.contact_id,
        account_id=loss.account_id,
        figures=figures,
        suggested_on=reopen.suggested_on,
    )
