"""Which offer modules are bought together, and which customers lack one (domain §8, §11).

Existing customers are the cheapest lost leads: a customer of one offer
module who looks like the customers that also bought another is a
cross-selling candidate.  From the modules each account has won
(``opportunities.offer_module``):

* module B **goes with** module A when at least ``min_together`` (2) accounts
  won both and at least ``min_share`` (30 %) of the accounts that won A also
  won B;
* an account that won A but neither won nor has an open deal for B is a
  candidate for B; of several As pointing to the same B the one with the
  highest share counts (ties: more customers with A, then A's name);
* **peers** — the same rule counted among the customers in the account's
  own industry — sharpen the ranking: candidates are ranked by the overall
  share, then by the peers' share (when at least ``min_peers`` (2) peers
  have A; otherwise they rank after those that have one), then by how many
  customers have A, then by account and module name.  Value tier is not used:
  a module bought together with another is bought for a need, and the need
  follows the industry more than the size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass
from itertools import permutations


@dataclass(frozen=True, slots=True)
class CrossSellRules:
    min_together: int = 2
    min_share: float = 0.3
    min_peers: int = 2


@dataclass(frozen=True, slots=True)
class Pairing:
    """Module ``then`` goes with ``having``: ``together`` of ``holders`` bought both."""

    having: str
    then: str
    holders: int
    together: int

    @property
    def share(self) -> float:
        return self.together / self.holders


@dataclass(frozen=True, slots=True)
class Suggestion:
    account_id: int
    pairing: Pairing
    #: The same pairing among the account's industry peers, when there are enough.
    peers: Pairing | None
    industry: str | None


def pairings(
    holdings: Mapping[int, Set[str]], rules: CrossSellRules | None = None
) -> dict[tuple[str, str], Pairing]:
    """Every (A, B) where B goes with A, counted over ``holdings`` (account → modules won)."""
    rules = rules or CrossSellRules()
    holders: dict[str, int] = defaultdict(int)
    together: dict[tuple[str, str], int] = defaultdict(int)
    for modules in holdings.values():
        for module in modules:
            holders[module] += 1
        for pair in permutations(sorted(modules), 2):
            together[pair] += 1
    found = {}
    for (having, then), both in together.items():
        pairing = Pairing(having, then, holders[having], both)
        if both >= rules.min_together and pairing.share >= rules.min_share:
            found[(having, then)] = pairing
    return found


def _peer_counts(
    holdings: Mapping[int, Set[str]], industries: Mapping[int, str | None]
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str, str], int]]:
    """Per industry: how many accounts hold each module, and each ordered pair."""
    holders: dict[tuple[str, str], int] = defaultdict(int)
    together: dict[tuple[str, str, str], int] = defaultdict(int)
    for account, modules in holdings.items():
        industry = industries.get(account)
        if not industry:
            continue
        for module in modules:
            holders[(industry, module)] += 1
        for having, then in permutations(sorted(modules), 2):
            together[(industry, having, then)] += 1
    return holders, together


def suggestions(
    holdings: Mapping[int, Set[str]],
    *,
    industries: Mapping[int, str | None],
    pursued: Mapping[int, Set[str]],
    names: Mapping[int, str],
    rules: CrossSellRules | None = None,
) -> list[Suggestion]:
    """The candidates, ranked: accounts lacking a module that goes with one they have.

    ``pursued`` holds the modules each account has an open deal for; ``names``
    the account names for a stable order.
    """
    rules = rules or CrossSellRules()
    found = pairings(holdings, rules)
    by_having: dict[str, list[Pairing]] = defaultdict(list)
    for pairing in found.values():
        by_having[pairing.having].append(pairing)
    chosen: dict[tuple[int, str], Pairing] = {}
    for account, modules in holdings.items():
        excluded = modules | pursued.get(account, set())
        for module in modules:
            for pairing in by_having.get(module, ()):
                if pairing.then in excluded:
                    continue
                key = (account, pairing.then)
                best = chosen.get(key)
                if best is None or _better(pairing, best):
                    chosen[key] = pairing
    peer_holders, peer_together = _peer_counts(holdings, industries)
    result = []
    for (account, _), pairing in chosen.items():
        industry = industries.get(account)
        peers = None
        if industry:
            held = peer_holders.get((industry, pairing.having), 0)
            if held >= rules.min_peers:
                both = peer_together.get((industry, pairing.having, pairing.then), 0)
                peers = Pairing(pairing.having, pairing.then, held, both)
        result.append(Suggestion(account, pairing, peers, industry))
    result.sort(
        key=lambda s: (
            -s.pairing.share,
            s.peers is None,
            -(s.peers.share if s.peers is not None else 0.0),
            -s.pairing.holders,
            names.get(s.account_id, ""),
            s.account_id,
            s.pairing.then,
        )
    )
    return result


def _better(candidate: Pairing, best: Pairing) -> bool:
    return (-candidate.share, -candidate.holders, candidate.having) < (
        -best.share,
        -best.holders,
        best.having,
    )


def percent(share: float) -> int:
    """A share as a whole percentage, rounded half up."""
    return int(share * 100 + 0.5)
