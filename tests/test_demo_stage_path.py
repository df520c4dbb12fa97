"""One contact's stage path in the demo world: moves at the moments of their causes."""

from __future__ import annotations

import math
from random import Random

from silverplatter.services.demo.stage_path import HALF_LIFE, Lines, StagePath
from silverplatter.services.demo.timeline import DAY, HOUR

START = 1_700_000_000
NOW = START + 400 * DAY
SOFT = '{"cta":"soft","form":"guide_download","content_id":"x"}'
HARD = '{"cta":"hard","form":"demo_request","content_id":null}'


def _path(*, sales_ready: bool = True, seller: int | None = None) -> StagePath:
    lines = Lines(20.0, True, lambda score: sales_ready)
    return StagePath(7, START, NOW, lines, Random(1), lambda moment: seller)


def _moves(path: StagePath) -> list[tuple[str, str, str, int]]:
    return [(m.from_stage, m.to_stage, m.transition, m.occurred_at) for m in path.run()]


def test_an_mql_fades_back_to_lead_when_its_score_decays_below_the_line() -> None:
    path = _path()
    path.add(START + DAY, "email_open", "{}")
    path.add(START + 10 * DAY, "form_submit", SOFT)
    path.add(START + 10 * DAY + HOUR, "webinar_attended", "{}")
    moves = _moves(path)
    assert [move[:3] for move in moves] == [
        ("subscriber", "lead", "become_lead"),
        ("lead", "mql", "qualify_as_mql"),
        ("mql", "lead", "fade"),
    ]
    assert moves[0][3] == START + DAY
    assert moves[1][3] == START + 10 * DAY + HOUR
    # the score at the MQL move falls to the line of 20 after half-life × log2(score / 20)
    score = 15.0 * 0.5 ** (HOUR / HALF_LIFE) + 12.0 + 0.5 * 0.5 ** ((9 * DAY + HOUR) / HALF_LIFE)
    expected = START + 10 * DAY + HOUR + HALF_LIFE * math.log2(score / 20.0)
    assert abs(moves[2][3] - expected) < 2 * HOUR
    assert path.stage == "lead"


def test_a_hard_request_hands_over_and_lapses_when_nobody_acts() -> None:
    path = _path()
    path.add(START + 5 * DAY, "form_submit", HARD)
    moves = _moves(path)
    assert moves[0] == ("subscriber", "sql", "hand_over_as_sql", START + 5 * DAY)
    assert moves[1] == ("sql", "lead", "fade_to_lead", START + 95 * DAY)
    assert path.moves[0].reason == "asked for a demo"


def test_sales_steps_take_the_contact_to_customer() -> None:
    path = _path(sales_ready=False)
    path.add(START + 5 * DAY, "form_submit", HARD)  # not an SQL by the model's lines alone
    path.add(START + 7 * DAY, "qualify", "called back", 3)
    path.add(START + 8 * DAY, "accept", "accepted", 3)
    path.add(START + 9 * DAY, "open", "opened", 3)
    path.add(START + 90 * DAY, "won", "won", 3)
    path.add(START + 200 * DAY, "form_submit", HARD)  # a customer stays a customer
    moves = _moves(path)
    assert [move[2] for move in moves] == [
        "qualify_as_mql",
        "hand_over_as_sql",
        "accept",
        "open_opportunity",
        "win",
    ]
    assert [move.actor for move in path.moves] == ["rule", "user", "user", "user", "user"]
    assert {move.user_id for move in path.moves[1:]} == {3}
    assert path.stage == "customer"
    assert path.changed_at == START + 90 * DAY


def test_nothing_is_recorded_at_or_after_now() -> None:
    path = _path()
    path.add(NOW, "form_submit", HARD)
    path.add(NOW + DAY, "email_open", "{}")
    assert path.run() == []
    assert path.stage == "subscriber"
    assert path.changed_at is None
