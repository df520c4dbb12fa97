"""The pure rules of worry profiles: which tags an event matches, and values that fade."""

from __future__ import annotations

import pytest

from silverplatter.domain.engagement import DAY
from silverplatter.domain.understanding_checks import UnderstandingInvalid
from silverplatter.domain.worry_profile import (
    ProfileLine,
    TagBook,
    WorryTag,
    WorryValue,
    event_keys,
    fold,
    ranked,
    roll_up,
    shifted,
    tag_fields,
    url_forms,
    worry_fields,
)

COST, DELIVERY = 1, 2
BOOK = TagBook(
    [
        WorryTag(COST, "url_pattern", "/pricing*", 1.0),
        WorryTag(COST, "lead_magnet", "tco-benchmark", 3.0),
        WorryTag(COST, "content", "tco-benchmark", 2.0),
        WorryTag(DELIVERY, "url_pattern", "/guides/delivery-*", 1.0),
        WorryTag(DELIVERY, "url_pattern", "/guides/delivery-delays", 4.0),
        WorryTag(DELIVERY, "email", "nurture-delivery", 0.5),
        WorryTag(DELIVERY, "form", "delivery-check", 2.0),
    ]
)


def test_each_kind_reads_its_properties_from_the_events_that_carry_them() -> None:
    assert event_keys("page_view", {"url": "/pricing", "content_id": "x", "form": "f"}) == [
        ("url_pattern", "/pricing"),
        ("content", "x"),
    ]
    assert event_keys("email_click", {"url": "/a", "campaign_id": "c", "template": "t"}) == [
        ("url_pattern", "/a"),
        ("email", "c"),
        ("email", "t"),
    ]
    assert event_keys("form_submit", {"form": "f", "lead_magnet": "m"}) == [
        ("lead_magnet", "m"),
        ("form", "f"),
    ]
    # Only text counts; sending mail reveals nothing the person read.
    assert event_keys("page_view", {"url": 5, "content_id": ""}) == []
    assert event_keys("email_sent", {"campaign_id": "c"}) == []


def test_an_event_adds_the_largest_weight_of_the_tags_it_meets_per_worry() -> None:
    download = {"lead_magnet": "tco-benchmark", "content_id": "tco-benchmark"}
    assert BOOK.worries_of("content_download", download) == {COST: 3.0}
    # The exact page tag (4) beats the pattern (1); one worry counts once.
    assert BOOK.worries_of("page_view", {"url": "/guides/delivery-delays"}) == {DELIVERY: 4.0}
    assert BOOK.worries_of("page_view", {"url": "/guides/delivery-times"}) == {DELIVERY: 1.0}
    assert BOOK.worries_of("page_view", {"url": "/pricing/enterprise"}) == {COST: 1.0}
    assert BOOK.worries_of("page_view", {"url": "/Pricing"}) == {}  # globs are case-sensitive
    assert BOOK.worries_of("email_open", {"campaign_id": "nurture-delivery"}) == {DELIVERY: 0.5}
    assert BOOK.worries_of("form_submit", {"form": "delivery-check"}) == {DELIVERY: 2.0}
    assert BOOK.worries_of("email_sent", {"campaign_id": "nurture-delivery"}) == {}
    assert not TagBook([])


def test_a_full_web_address_is_matched_by_its_path_too() -> None:
    """A click in our mail records the whole address; a page view records its path."""
    assert url_forms("https://seller.example/guides/delivery-times?x=1#top") == (
        "https://seller.example/guides/delivery-times?x=1#top",
        "/guides/delivery-times",
    )
    assert url_forms("HTTP://seller.example") == ("HTTP://seller.example", "/")
    assert url_forms("/pricing") == ("/pricing",)
    assert url_forms("mailto:anna@nordtek.fi") == ("mailto:anna@nordtek.fi",)
    click = {"url": "https://seller.example/guides/delivery-delays?utm_source=mail"}
    # the exact path tag (4) and the pattern (1) both meet it; the largest counts
    assert BOOK.worries_of("email_click", click) == {DELIVERY: 4.0}
    assert BOOK.worries_of("email_click", {"url": "https://seller.example/pricing"}) == {COST: 1.0}
    partner = TagBook([WorryTag(COST, "url_pattern", "https://partner.example/*", 2.0)])
    assert partner.worries_of("page_view", {"url": "https://partner.example/tco"}) == {COST: 2.0}
    assert partner.worries_of("page_view", {"url": "https://seller.example/tco"}) == {}
    assert partner.matching("url_pattern", "https://partner.example/tco") == list(partner.tags)


def test_a_value_fades_by_half_each_half_life_and_takes_late_events_in_any_order() -> None:
    h = 10.0
    # Reads of weight 1 at day 0 and 3 at day 10: valid at day 10 it is 1/2 + 3 = 3.5,
    # at day 30 it is 3.5 / 4 = 0.875.
    forward = fold(None, [(0.0, 1.0), (10 * DAY, 3.0)], h)
    backward = fold(None, [(10 * DAY, 3.0), (0.0, 1.0)], h)
    assert forward == backward == WorryValue(3.5, 10 * DAY)
    assert forward is not None
    assert forward.at(30 * DAY, h) == 0.875
    later = forward.plus(1.0, 20 * DAY, h)
    assert later == WorryValue(3.5 / 2 + 1.0, 20 * DAY)
    assert fold(None, [], h) is None


def test_an_account_sums_its_contacts_values_at_the_latest_of_them() -> None:
    h = 10.0
    # 1.5 valid at day 20 and 0.5 at day 15: at day 20 that is 1.5 + 0.5 / √2.
    found = roll_up([WorryValue(1.5, 20 * DAY), WorryValue(0.5, 15 * DAY)], h)
    assert found == WorryValue(1.5 + 0.5 * 2**-0.5, 20 * DAY)
    assert roll_up([], h) is None


def _line(worry_id: int, name: str, value: float) -> ProfileLine:
    return ProfileLine(worry_id, name.lower(), name, None, value, 0.0)


def test_a_profile_is_ranked_strongest_first_without_the_faded() -> None:
    lines = [_line(1, "Cost", 0.5), _line(2, "Delivery", 2.0), _line(3, "Audit", 0.5)]
    lines.append(_line(4, "Old", 0.01))
    assert [line.name for line in ranked(lines)] == ["Delivery", "Audit", "Cost"]
    assert [line.name for line in ranked(lines, limit=1)] == ["Delivery"]


def test_worry_and_tag_fields_name_what_is_wrong() -> None:
    fields = worry_fields({"name": " Cost control ", "talking_point": "Ask about TCO"})
    assert (fields.name, fields.slug, fields.talking_point) == (
        "Cost control",
        "cost-control",
        "Ask about TCO",
    )
    with pytest.raises(UnderstandingInvalid) as bad:
        worry_fields({"name": "", "slug": "Not OK", "talking_point": "x" * 1001})
    assert [(e.field, e.message) for e in bad.value.errors] == [
        ("name", "required"),
        ("slug", "expected lower-case letters, digits and hyphens, e.g. cost-control"),
        ("talking_point", "expected at most 1000 characters, got 1001"),
    ]
    assert tag_fields({"kind": "form", "target": "demo"}).weight == 1.0
    with pytest.raises(UnderstandingInvalid) as bad:
        tag_fields({"kind": "tweet", "target": " ", "weight": "lots"})
    assert [(e.field, e.message) for e in bad.value.errors] == [
        ("kind", "expected one of url_pattern, lead_magnet, form, email, content"),
        ("target", "required"),
        ("weight", "expected a number from 0 to 100, got 'lots'"),
    ]
    with pytest.raises(UnderstandingInvalid, match="weight: expected more than 0"):
        tag_fields({"kind": "form", "target": "demo", "weight": 0})
    with pytest.raises(UnderstandingInvalid, match="target: expected a page path"):
        tag_fields({"kind": "url_pattern", "target": "pricing"})


def test_an_accounts_sum_moves_by_what_one_persons_value_moved() -> None:
    h = 10.0
    # The account holds 1.5 (day 20) + 0.5 (day 15); the 0.5 person reads 1 more on day 25.
    total = roll_up([WorryValue(1.5, 20 * DAY), WorryValue(0.5, 15 * DAY)], h)
    old = WorryValue(0.5, 15 * DAY)
    new = old.plus(1.0, 25 * DAY, h)
    moved = shifted(total, old, new, h)
    again = roll_up([WorryValue(1.5, 20 * DAY), new], h)
    assert again is not None
    assert moved.valid_at == again.valid_at == 25 * DAY
    assert moved.value == pytest.approx(again.value, rel=1e-15)
    assert shifted(None, None, new, h) == new
    # A sum that drifted below what is taken out stays at 0.
    assert (
        shifted(
            WorryValue(0.1, 25 * DAY), WorryValue(1.0, 25 * DAY), WorryValue(0.5, 25 * DAY), h
        ).value
        == 0.0
    )
