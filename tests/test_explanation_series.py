"""A score history drawn in one pass equals the explanation's sum at every moment."""

from __future__ import annotations

import random

from silverplatter.domain.engagement import DAY, EventFacts, RuleBook
from silverplatter.domain.explanation import contributions, score_series
from silverplatter.domain.model_file import default_model_text, parse_model

TYPES = ("page_view", "email_open", "email_click", "form_submit", "content_download", "email_sent")
URLS = ("https://seller.example/pricing", "https://seller.example/blog/7", None)


def test_series_equals_the_sum_of_contributions_at_each_moment() -> None:
    book = RuleBook(parse_model(default_model_text()))
    rng = random.Random(3)
    start = 1_767_225_600.0  # 2026-01-01
    events = [
        EventFacts(
            rng.choice(TYPES),
            start + rng.uniform(0, 120) * DAY,
            "web",
            {"url": url} if (url := rng.choice(URLS)) else {},
        )
        for _ in range(300)
    ]
    moments = [start + day * DAY + 0.5 for day in range(-3, 130, 7)]
    series = score_series(book, events, moments)
    for at, value in zip(moments, series, strict=True):
        seen = [event for event in events if event.occurred_at <= at]
        expected = sum(c.value for c in contributions(book, seen, at))
        assert abs(value - expected) < 1e-9
    assert series[0] == 0.0 and max(series) > 0
