"""The demo's customer understanding: a zipper board, core questions, SWOT, PEST, target."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from silverplatter.services.audit import Actor
from silverplatter.services.demo.understanding import ensure_demo_understanding
from silverplatter.services.strategy_documents import list_documents
from silverplatter.services.zipper_boards import get_board, worry_id_named
from silverplatter.storage.understanding_schema import worries
from web_world import NOW, seed_users


def test_the_demo_gets_a_board_and_strategy_documents_once(engine: Engine) -> None:
    seed_users(engine)
    with engine.begin() as connection:
        known = worry_id_named(connection, "Materials arrive late", now=NOW, actor=Actor(None))
        made = ensure_demo_understanding(connection, now=NOW)
        assert made == ["zipper board", "core questions", "swot", "pest", "target-customer"]
        board = get_board(connection, "delivery-reliability")
        assert (board.name, board.version, board.needs_segment_slug) == (
            "Delivery reliability",
            1,
            None,
        )
        counts = [
            len(board.board.customer_steps),
            len(board.board.our_steps),
            len(board.board.touchpoints),
            len(board.board.situations),
            len(board.board.solutions),
            len(board.board.worry_ids()),
        ]
        assert counts == [5, 5, 5, 4, 4, 9]
        supplier = next(s for s in board.board.situations if s.name == "A supplier is late")
        assert supplier.worries[0] == known, "a worry of the same name is reused"
        assert connection.execute(select(func.count()).select_from(worries)).scalar() == 9
        kinds = [(d.kind, d.slug, d.version) for d in list_documents(connection)]
        assert kinds == [
            ("core_questions", "core-questions", 1),
            ("pest", "pest", 1),
            ("swot", "swot", 1),
            ("target_customer", "target-customer", 1),
        ]
        assert ensure_demo_understanding(connection, now=NOW) == []
