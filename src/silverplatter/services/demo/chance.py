"""Small random draws used throughout the demo world, all from an explicit ``random.Random``."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from random import Random
from typing import TypeVar

T = TypeVar("T")


def cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def pick(rng: Random, items: Sequence[T], cumulative_weights: Sequence[float]) -> T:
    """One of ``items`` with the given cumulative weights."""
    point = rng.random() * cumulative_weights[-1]
    return items[min(bisect_right(cumulative_weights, point), len(items) - 1)]


def poisson(rng: Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the means here are small)."""
    if mean <= 0.0:
        return 0
    if mean > 30.0:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count = 0
    product = rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def log_uniform(rng: Random, low: int, high: int) -> int:
    """An integer between ``low`` and ``high``, small values as likely per decade as large."""
    return min(high, int(low * (high / low) ** rng.random()))


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))
