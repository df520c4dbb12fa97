"""Marking a person as moved on their contact page: the employment history, the move on
the moves page with the old owner's task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, select, update

from silverplatter.storage.engine import make_engine
from silverplatter.storage.planning_schema import champion_moves, employment_history, tasks
from silverplatter.storage.schema import accounts, contacts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _undo(demo_url: str, contact_id: int, account_id: int) -> None:
    """Put the shared demo back as it was for the other browser tests."""
    engine = make_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(delete(tasks).where(tasks.c.contact_id == contact_id))
        connection.execute(delete(champion_moves).where(champion_moves.c.contact_id == contact_id))
        connection.execute(
            delete(employment_history).where(employment_history.c.contact_id == contact_id)
        )
        connection.execute(
            update(contacts).where(contacts.c.id == contact_id).values(account_id=account_id)
        )
    engine.dispose()


def _person_and_target(demo_url: str) -> tuple[int, int, str, str, str]:
    """The demo's last contact with a name and an owned account, and another account."""
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        person = connection.execute(
            select(contacts.c.id, contacts.c.first_name, contacts.c.last_name, accounts.c.id)
            .join(accounts, accounts.c.id == contacts.c.account_id)
            .where(contacts.c.first_name.is_not(None), accounts.c.owner_id.is_not(None))
            .order_by(contacts.c.id.desc())
            .limit(1)
        ).one()
        target = connection.execute(
            select(accounts.c.name, accounts.c.domain)
            .where(accounts.c.id != person[3], accounts.c.domain.is_not(None))
            .order_by(accounts.c.id.desc())
            .limit(1)
        ).one()
    engine.dispose()
    return int(person[0]), int(person[3]), f"{person[1]} {person[2]}", target.name, target.domain


def test_marking_a_move_shows_the_history_and_lists_the_move(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path], demo_url: str
) -> None:
    contact_id, account_id, name, target, domain = _person_and_target(demo_url)
    try:
        _mark_and_look(page_as, shoot, contact_id, name, target, domain)
    finally:
        _undo(demo_url, contact_id, account_id)


def _mark_and_look(
    page_as: Callable[[str], Page],
    shoot: Callable[[Page, str], Path],
    contact_id: int,
    name: str,
    target: str,
    domain: str,
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto(f"/contacts/{contact_id}")
    history = page.get_by_role("region", name="Employment history")
    expect(history).to_contain_text("No moves known: only the current account.")
    history.get_by_label("Mark as moved to account…").fill(domain)
    history.get_by_role("button", name="Mark as moved").click()
    expect(history.get_by_role("row")).to_have_count(3)  # the header, the old job, the new
    expect(history).to_contain_text(f"Moved to {target} from")
    expect(history).to_contain_text("marked by hand")
    history.scroll_into_view_if_needed()
    shoot(page, "contact-employment")

    page.get_by_role("link", name="Champion moves").click()
    row = page.locator("#champion-moves tbody tr").filter(has_text=name)
    expect(row).to_contain_text(target)
    expect(row).to_contain_text(f"risk: {name} left")
